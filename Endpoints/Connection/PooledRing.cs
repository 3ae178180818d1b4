using System.Collections;

namespace TcpActors.Endpoints;

/// <summary>
/// A socket's queues of sk_buff records (the retransmission queue, the write queue): a list of structs kept as a
/// ring (removing the oldest, what every cumulative ACK or transmission does, costs nothing) in an array borrowed
/// from its host's pool while anything is queued and given back the moment the queue empties, as an idle socket
/// holds no sk_buff. A million short connections then reuse a few arrays instead of allocating two each.
/// Indexing returns a reference, so <c>ring[i] = value</c> and <c>ring[i].Field</c> both work.
/// <para>
/// A struct, held inline by its owner (16 bytes, no object of its own: a million idle sockets would otherwise carry
/// two 32-byte rings and the objects around them); <c>default</c> is an empty ring. Keep it in a field that is not
/// <c>readonly</c> and never copy it: a copy's changes are lost.
/// </para>
/// </summary>
internal struct PooledRing<T> : IEnumerable<T>
    where T : struct
{
    private const int MinCapacity = 4;

    private T[]? _items;
    private int _head;
    private int _count;

    public PooledRing()
    {
    }

    public readonly int Count => _count;

    public readonly ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"the queue holds {_count}");
            }

            return ref _items![(_head + index) & (_items.Length - 1)];
        }
    }

    public void Add(in T item, RingArrayPool<T> pool)
    {
        if (_count == Capacity)
        {
            Grow(pool);
        }

        _items![(_head + _count) & (_items.Length - 1)] = item;
        _count++;
    }

    public void Insert(int index, in T item, RingArrayPool<T> pool)
    {
        if ((uint)index > (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the queue holds {_count}");
        }

        Add(item, pool);
        for (int i = _count - 1; i > index; i--)
        {
            this[i] = this[i - 1];
        }

        this[index] = item;
    }

    public void RemoveAt(int index, RingArrayPool<T> pool)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the queue holds {_count}");
        }

        if (index == 0)
        {
            _items![_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
        }
        else
        {
            for (int i = index; i < _count - 1; i++)
            {
                this[i] = this[i + 1];
            }

            this[_count - 1] = default;
        }

        if (--_count == 0)
        {
            Release(pool);
        }
    }

    public void Clear(RingArrayPool<T> pool)
    {
        if (_count > 0)
        {
            Array.Clear(_items!);
            _count = 0;
        }

        Release(pool);
    }

    public readonly bool Exists(Predicate<T> match) => FindIndex(match) >= 0;

    public readonly int FindIndex(Predicate<T> match)
    {
        for (int i = 0; i < _count; i++)
        {
            if (match(this[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public readonly int FindLastIndex(Predicate<T> match)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            if (match(this[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Enumerates the ring as it is now (the enumerator holds a copy: change nothing while enumerating).</summary>
    public readonly Enumerator GetEnumerator() => new(this);

    readonly IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private readonly int Capacity => _items?.Length ?? 0;

    private void Grow(RingArrayPool<T> pool)
    {
        var larger = pool.Rent(Math.Max(MinCapacity, Capacity * 2));
        for (int i = 0; i < _count; i++)
        {
            larger[i] = this[i];
        }

        if (_items is { Length: > 0 } outgrown)
        {
            Array.Clear(outgrown);
            pool.Return(outgrown);
        }

        _items = larger;
        _head = 0;
    }

    private void Release(RingArrayPool<T> pool)
    {
        if (_items is { Length: > 0 } items)
        {
            pool.Return(items);
        }

        _items = null;
        _head = 0;
    }

    public struct Enumerator(PooledRing<T> ring) : IEnumerator<T>
    {
        private int _index = -1;

        public readonly T Current => ring[_index];

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < ring.Count;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }
}

/// <summary>
/// Cleared arrays of power-of-two lengths (4 to 1024) for <see cref="PooledRing{T}"/>: one pool per host's TCP (a
/// simulation runs on one thread, and an instance reached through the socket's stack costs a field load where a
/// thread-static pool cost a thread-local lookup on every rent and return). Bounded, so a burst of connections does not
/// pin its arrays forever. Which array is reused never changes what a run does.
/// </summary>
internal sealed class RingArrayPool<T>
{
    private const int Classes = 9;
    /// <summary>Arrays kept per length: enough for the queues a host has in use at once in a load run (a few hundred
    /// connections at their busiest), few enough that the pools of many hosts hold little when every queue is idle.</summary>
    private const int MaxPerClass = 256;

    private readonly Stack<T[]>?[] _free = new Stack<T[]>?[Classes];

    public T[] Rent(int length)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length);
        int @class = System.Numerics.BitOperations.Log2((uint)size) - 2;
        if (@class >= 0 && @class < Classes && _free[@class] is { Count: > 0 } free)
        {
            return free.Pop();
        }

        return new T[size];
    }

    /// <summary>Takes back a cleared array.</summary>
    public void Return(T[] array)
    {
        int @class = System.Numerics.BitOperations.Log2((uint)array.Length) - 2;
        if (@class < 0 || @class >= Classes || !System.Numerics.BitOperations.IsPow2(array.Length))
        {
            return;
        }

        var free = _free[@class] ??= new Stack<T[]>();
        if (free.Count < MaxPerClass)
        {
            free.Push(array);
        }
    }
}
