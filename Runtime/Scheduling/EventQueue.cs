namespace TcpActors.Runtime;

/// <summary>
/// The discrete-event queue, ordered by (time, sequence number) so that events at equal times run in
/// the order they were scheduled.
/// <para>
/// Two structures serve that one order. Events for the current instant (every <c>Tell</c>) go to a FIFO
/// ring: their sequence numbers only grow, so the ring is already sorted, and enqueue and dequeue are
/// O(1). Future events (delays, timers) go to a 4-ary min-heap. Dequeue compares the two heads. The ring
/// is always empty when time advances, because a heap event with a later time never precedes it.
/// </para>
/// <para>
/// Timers are cancelled lazily in O(1): the owner bumps the timer's generation and the queued event goes
/// stale; stale events are skipped when they surface. So that cancelled timers cannot pile up (TCP
/// restarts its retransmission timer on every ACK), the heap is compacted when more than half of it is
/// stale, which keeps the amortised cost O(1) per cancellation.
/// </para>
/// </summary>
internal sealed class EventQueue
{
    private const int Arity = 4;
    private const int CompactionThreshold = 1024;

    /// <summary>Arrays above this many events are given back once mostly empty (a burst of a million connects must not pin 50 MB for the rest of the run).</summary>
    private const int ShrinkAbove = 1 << 16;

    private ScheduledEvent[] _heap = new ScheduledEvent[256];
    private int _heapCount;
    private ScheduledEvent[] _ring = new ScheduledEvent[256];
    private int _ringHead;
    private int _ringCount;
    private long _nextSequence;

    /// <summary>Events queued, stale timers included.</summary>
    public int Count => _heapCount + _ringCount;

    /// <summary>Cancelled or restarted timers whose events are still queued.</summary>
    public int StaleCount { get; private set; }

    /// <summary>Events that will really run (queued minus stale).</summary>
    public int LiveCount => Count - StaleCount;

    public long NextSequence => _nextSequence;

    /// <summary>Queues <paramref name="item"/>; its sequence number is assigned here.</summary>
    public void Enqueue(ref ScheduledEvent item, long now)
    {
        item.Sequence = _nextSequence++;
        if (item.Time == now)
        {
            PushRing(in item);
        }
        else
        {
            PushHeap(in item);
        }
    }

    /// <summary>Records that a queued timer event went stale (its timer was cancelled or restarted).</summary>
    public void MarkStale()
    {
        StaleCount++;
        if (StaleCount > CompactionThreshold && StaleCount > _heapCount / 2)
        {
            Compact();
        }
    }

    /// <summary>The time of the next live event, or false if none is queued.</summary>
    public bool TryPeekTime(out long time)
    {
        while (true)
        {
            if (_ringCount > 0 && (_heapCount == 0 || !_heap[0].Precedes(in _ring[_ringHead])))
            {
                if (_ring[_ringHead].IsStale)
                {
                    PopRing(out _);
                    StaleCount--;
                    continue;
                }

                time = _ring[_ringHead].Time;
                return true;
            }

            if (_heapCount == 0)
            {
                time = 0;
                return false;
            }

            if (!_heap[0].IsStale)
            {
                time = _heap[0].Time;
                return true;
            }

            PopHeap(out _);
            StaleCount--;
        }
    }

    /// <summary>Removes the next live event in (time, sequence) order.</summary>
    public bool TryDequeue(out ScheduledEvent item)
    {
        while (true)
        {
            if (_ringCount > 0 && (_heapCount == 0 || !_heap[0].Precedes(in _ring[_ringHead])))
            {
                PopRing(out item);
            }
            else if (_heapCount == 0)
            {
                item = default;
                return false;
            }
            else
            {
                PopHeap(out item);
            }

            if (!item.IsStale)
            {
                return true;
            }

            StaleCount--;
        }
    }

    private void PushRing(in ScheduledEvent item)
    {
        if (_ringCount == _ring.Length)
        {
            var bigger = new ScheduledEvent[_ring.Length * 2];
            for (int i = 0; i < _ringCount; i++)
            {
                bigger[i] = _ring[(_ringHead + i) & (_ring.Length - 1)];
            }

            _ring = bigger;
            _ringHead = 0;
        }

        _ring[(_ringHead + _ringCount) & (_ring.Length - 1)] = item;
        _ringCount++;
    }

    private void PopRing(out ScheduledEvent item)
    {
        ref var head = ref _ring[_ringHead];
        item = head;
        head = default;
        _ringHead = (_ringHead + 1) & (_ring.Length - 1);
        _ringCount--;
        if (_ringCount == 0 && _ring.Length > ShrinkAbove)
        {
            _ring = new ScheduledEvent[256];
            _ringHead = 0;
        }
    }

    private void PushHeap(in ScheduledEvent item)
    {
        if (_heapCount == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        SiftUp(_heapCount++, in item);
    }

    private void PopHeap(out ScheduledEvent item)
    {
        item = _heap[0];
        int last = --_heapCount;
        if (last > 0)
        {
            SiftDown(0, in _heap[last]);
        }

        _heap[last] = default;
        ShrinkHeapIfSparse();
    }

    private void ShrinkHeapIfSparse()
    {
        if (_heap.Length > ShrinkAbove && _heapCount < _heap.Length / 4)
        {
            Array.Resize(ref _heap, _heap.Length / 2);
        }
    }

    private void SiftUp(int index, in ScheduledEvent item)
    {
        var heap = _heap;
        while (index > 0)
        {
            int parent = (index - 1) / Arity;
            if (!item.Precedes(in heap[parent]))
            {
                break;
            }

            heap[index] = heap[parent];
            index = parent;
        }

        heap[index] = item;
    }

    private void SiftDown(int index, in ScheduledEvent item)
    {
        var heap = _heap;
        int count = _heapCount;
        var moving = item;
        while (true)
        {
            int first = (index * Arity) + 1;
            if (first >= count)
            {
                break;
            }

            int best = first;
            int end = Math.Min(first + Arity, count);
            for (int child = first + 1; child < end; child++)
            {
                if (heap[child].Precedes(in heap[best]))
                {
                    best = child;
                }
            }

            if (!heap[best].Precedes(in moving))
            {
                break;
            }

            heap[index] = heap[best];
            index = best;
        }

        heap[index] = moving;
    }

    private void Compact()
    {
        int kept = 0;
        for (int i = 0; i < _heapCount; i++)
        {
            if (!_heap[i].IsStale)
            {
                _heap[kept++] = _heap[i];
            }
        }

        Array.Clear(_heap, kept, _heapCount - kept);
        StaleCount -= _heapCount - kept;
        _heapCount = kept;
        for (int i = (kept - 2) / Arity; i >= 0; i--)
        {
            SiftDown(i, in _heap[i]);
        }

        ShrinkHeapIfSparse();
    }
}
