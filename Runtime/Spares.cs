using System.Diagnostics.CodeAnalysis;

namespace TcpActors.Runtime;

/// <summary>
/// Spare objects of one kind, given back by their last owner for the next to take instead of allocating, as Linux's
/// slab caches hand a freed object to the next allocation: a load run makes and drops a socket's queues and timer
/// array every lifecycle. Bounded, so a burst does not hold memory after it. Whoever gives an object back makes it
/// what a new one is, so nothing a run does can depend on whether an object was new or reused.
/// </summary>
public sealed class Spares<T>(int capacity)
    where T : class
{
    private readonly T?[] _items = new T?[capacity];
    private int _count;

    /// <summary>How many spare objects are kept.</summary>
    public int Count => _count;

    /// <summary>A spare object, if one is kept.</summary>
    public bool TryTake([NotNullWhen(true)] out T? item)
    {
        if (_count == 0)
        {
            item = null;
            return false;
        }

        item = _items[--_count]!;
        _items[_count] = null;
        return true;
    }

    /// <summary>Keeps <paramref name="item"/> (referenced by nobody else) if there is room; false if it was not kept.</summary>
    public bool Give(T item)
    {
        if (_count == _items.Length)
        {
            return false;
        }

        _items[_count++] = item;
        return true;
    }
}
