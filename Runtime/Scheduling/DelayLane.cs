namespace TcpActors.Runtime;

/// <summary>
/// A FIFO of future events that were all scheduled with the same delay (a link's propagation delay, a
/// timer length). Time only moves forward and sequence numbers only grow, so events appended with one
/// delay arrive already in (time, sequence) order: the lane needs no sorting, and enqueue and dequeue are
/// O(1) where the heap costs O(log n).
/// </summary>
internal sealed class DelayLane
{
    private const int InitialCapacity = 64;

    /// <summary>Arrays above this many events are halved once a quarter full or less (a burst must not pin its array for the rest of the run).</summary>
    private const int ShrinkAbove = 1 << 16;

    private ScheduledEvent[] _items = new ScheduledEvent[InitialCapacity];
    private int _head;

    /// <summary>The delay every event of the lane was scheduled with; a lane takes another delay only while empty.</summary>
    public long Delay { get; set; }

    public int Count { get; private set; }

    /// <summary>The earliest event; only while <see cref="Count"/> is positive.</summary>
    public ref ScheduledEvent Head => ref _items[_head];

    public void Append(in ScheduledEvent item)
    {
        if (Count == _items.Length)
        {
            var bigger = new ScheduledEvent[_items.Length * 2];
            for (int i = 0; i < Count; i++)
            {
                bigger[i] = _items[(_head + i) & (_items.Length - 1)];
            }

            _items = bigger;
            _head = 0;
        }

        _items[(_head + Count) & (_items.Length - 1)] = item;
        Count++;
    }

    public void RemoveHead(out ScheduledEvent item)
    {
        ref var head = ref _items[_head];
        item = head;
        head = default;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        ShrinkIfSparse();
    }

    /// <summary>Drops the stale events, keeping the order of the others; returns how many were dropped.</summary>
    public int RemoveStale()
    {
        int mask = _items.Length - 1;
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            ref var item = ref _items[(_head + i) & mask];
            if (!item.IsStale)
            {
                _items[(_head + kept) & mask] = item;
                kept++;
            }
        }

        for (int i = kept; i < Count; i++)
        {
            _items[(_head + i) & mask] = default;
        }

        int dropped = Count - kept;
        Count = kept;
        ShrinkIfSparse();
        return dropped;
    }

    private void ShrinkIfSparse()
    {
        if (_items.Length <= ShrinkAbove || Count > _items.Length / 4)
        {
            return;
        }

        int capacity = Math.Max(InitialCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2)));
        var smaller = new ScheduledEvent[capacity];
        for (int i = 0; i < Count; i++)
        {
            smaller[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = smaller;
        _head = 0;
    }
}
