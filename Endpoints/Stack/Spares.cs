namespace TcpActors.Endpoints;

/// <summary>
/// A host's spare objects of one kind: a socket gives back a queue object that is idle (in the state a new one
/// starts in) and the next socket to need one takes it instead of allocating, as Linux's slab caches hand a freed
/// object to the next allocation. Only idle objects are kept, so what a run does cannot depend on whether an object
/// was new or reused; the number kept is bounded, so a burst of connections does not hold memory after it.
/// </summary>
internal sealed class Spares<T>
    where T : class, new()
{
    private const int Capacity = 64;
    private readonly T[] _items = new T[Capacity];
    private int _count;

    /// <summary>A spare object, or a new one when none is kept.</summary>
    public T Take()
    {
        if (_count == 0)
        {
            return new T();
        }

        var item = _items[--_count];
        _items[_count] = null!;
        return item;
    }

    /// <summary>Keeps <paramref name="item"/> (which must be idle and referenced by nobody else) if there is room.</summary>
    public void Give(T item)
    {
        if (_count < Capacity)
        {
            _items[_count++] = item;
        }
    }
}
