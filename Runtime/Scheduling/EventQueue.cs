namespace TcpActors.Runtime;

/// <summary>
/// The discrete-event queue, ordered by (time, sequence number) so that events at equal times run in
/// the order they were scheduled.
/// <para>
/// Three structures serve that one order, and dequeue takes the earliest of their heads. Events for the
/// current instant (every <c>Tell</c>) go to a FIFO (a lane of delay 0): their sequence numbers only grow, so
/// it is already sorted. Future events go to a <see cref="DelayLane"/> chosen by their delay: a link's
/// propagation delay or a timer's length repeats, and events scheduled with one delay are sorted by
/// construction, so a lane is a FIFO too (a few lanes; one that empties may take another delay). Only
/// what finds no lane goes to a 4-ary min-heap.
/// </para>
/// <para>
/// Timers are cancelled lazily in O(1): the owner bumps the timer's generation and the queued event goes
/// stale; stale events are skipped when they surface. So that cancelled timers cannot pile up (TCP
/// restarts its retransmission timer on every ACK) or keep dead actors reachable, the heap and the lanes
/// are compacted when more than half of what is queued is stale, which keeps the amortised cost O(1) per
/// cancellation.
/// </para>
/// </summary>
internal sealed class EventQueue
{
    private const int Arity = 4;
    private const int CompactionThreshold = 1024;
    private const int MaxLanes = 8;

    /// <summary>Arrays above this many events are given back once mostly empty (a burst of a million connects must not pin 50 MB for the rest of the run).</summary>
    private const int ShrinkAbove = 1 << 16;

    private readonly DelayLane[] _lanes = new DelayLane[MaxLanes];

    /// <summary>Each lane's head as (time, sequence), both <see cref="long.MaxValue"/> when empty (no event has that sequence), so that finding the earliest lane reads two small arrays.</summary>
    private readonly long[] _laneHeadTime = [.. Enumerable.Repeat(long.MaxValue, MaxLanes)];
    private readonly long[] _laneHeadSequence = [.. Enumerable.Repeat(long.MaxValue, MaxLanes)];
    private int _laneCount;
    private int _laneEvents;

    /// <summary>The lane whose head is earliest, or -1 when every lane is empty.</summary>
    private int _firstLane = -1;

    /// <summary>The lane the last future event went to (a run schedules long series with one delay).</summary>
    private int _lastLane;

    private ScheduledEvent[] _heap = new ScheduledEvent[256];
    private int _heapCount;
    /// <summary>The events of the current instant: a lane of delay 0, its FIFO order their sequence order.</summary>
    private readonly DelayLane _ring = new();
    private long _nextSequence;

    /// <summary>Where <see cref="TryPeekTime"/> found the next live event, so that the dequeue that follows (the run
    /// loop's) takes it without comparing the heads again; None once anything was queued or went stale since.</summary>
    private Source _peeked;

    private enum Source
    {
        None,
        Ring,
        Lane,
        Heap,
    }

    /// <summary>Events queued, stale timers included.</summary>
    public int Count => _heapCount + _ring.Count + _laneEvents;

    /// <summary>Cancelled or restarted timers whose events are still queued.</summary>
    public int StaleCount { get; private set; }

    /// <summary>Events that will really run (queued minus stale).</summary>
    public int LiveCount => Count - StaleCount;

    public long NextSequence => _nextSequence;

    /// <summary>Queues <paramref name="item"/>; its sequence number is assigned here.</summary>
    public void Enqueue(ref ScheduledEvent item, long now)
    {
        item.Sequence = _nextSequence++;
        _peeked = Source.None;
        if (item.Time == now)
        {
            _ring.Append(in item);
        }
        else if (FindLane(item.Time - now) is >= 0 and var lane)
        {
            PushLane(lane, in item);
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
        _peeked = Source.None;
        if (StaleCount > CompactionThreshold && StaleCount > Count / 2)
        {
            Compact();
        }
    }

    /// <summary>The time of the next live event, or false if none is queued.</summary>
    public bool TryPeekTime(out long time)
    {
        while (true)
        {
            var source = Earliest();
            if (source == Source.None)
            {
                time = 0;
                return false;
            }

            ref var head = ref HeadOf(source);
            if (!head.IsStale)
            {
                time = head.Time;
                _peeked = source;
                return true;
            }

            Remove(source, out _);
            StaleCount--;
        }
    }

    /// <summary>Removes the next live event in (time, sequence) order.</summary>
    public bool TryDequeue(out ScheduledEvent item)
    {
        if (_peeked != Source.None)
        {
            Remove(_peeked, out item);
            _peeked = Source.None;
            return true;
        }

        while (true)
        {
            var source = Earliest();
            if (source == Source.None)
            {
                item = default;
                return false;
            }

            Remove(source, out item);
            if (!item.IsStale)
            {
                return true;
            }

            StaleCount--;
        }
    }

    /// <summary>Which structure holds the earliest event.</summary>
    private Source Earliest()
    {
        var best = Source.None;
        if (_heapCount > 0)
        {
            best = Source.Heap;
        }

        if (_firstLane >= 0 && (best == Source.None || _lanes[_firstLane].Head.Precedes(in _heap[0])))
        {
            best = Source.Lane;
        }

        if (_ring.Count > 0 && (best == Source.None || _ring.Head.Precedes(in HeadOf(best))))
        {
            best = Source.Ring;
        }

        return best;
    }

    private ref ScheduledEvent HeadOf(Source source)
    {
        switch (source)
        {
            case Source.Ring:
                return ref _ring.Head;
            case Source.Lane:
                return ref _lanes[_firstLane].Head;
            default:
                return ref _heap[0];
        }
    }

    private void Remove(Source source, out ScheduledEvent item)
    {
        switch (source)
        {
            case Source.Ring:
                _ring.RemoveHead(out item);
                break;
            case Source.Lane:
                _lanes[_firstLane].RemoveHead(out item);
                _laneEvents--;
                NoteLaneHead(_firstLane);
                FindFirstLane();
                break;
            default:
                PopHeap(out item);
                break;
        }
    }

    /// <summary>The lane for events scheduled <paramref name="delay"/> ahead, taking an empty one if none has it; -1 if all are busy.</summary>
    private int FindLane(long delay)
    {
        if (_laneCount > 0 && _lanes[_lastLane].Delay == delay)
        {
            return _lastLane;
        }

        int empty = -1;
        for (int i = 0; i < _laneCount; i++)
        {
            var lane = _lanes[i];
            if (lane.Delay == delay)
            {
                _lastLane = i;
                return i;
            }

            if (empty < 0 && lane.Count == 0)
            {
                empty = i;
            }
        }

        if (empty < 0 && _laneCount < MaxLanes)
        {
            empty = _laneCount++;
            _lanes[empty] = new DelayLane();
        }

        if (empty >= 0)
        {
            _lanes[empty].Delay = delay;
            _lastLane = empty;
        }

        return empty;
    }

    private void PushLane(int index, in ScheduledEvent item)
    {
        var lane = _lanes[index];
        lane.Append(in item);
        _laneEvents++;
        if (lane.Count == 1)
        {
            NoteLaneHead(index);
            if (_firstLane < 0 || item.Precedes(in _lanes[_firstLane].Head))
            {
                _firstLane = index;
            }
        }
    }

    private void NoteLaneHead(int index)
    {
        var lane = _lanes[index];
        if (lane.Count == 0)
        {
            _laneHeadTime[index] = long.MaxValue;
            _laneHeadSequence[index] = long.MaxValue;
            return;
        }

        ref var head = ref lane.Head;
        _laneHeadTime[index] = head.Time;
        _laneHeadSequence[index] = head.Sequence;
    }

    private void FindFirstLane()
    {
        int first = -1;
        long firstTime = long.MaxValue;
        long firstSequence = long.MaxValue;
        for (int i = 0; i < _laneCount; i++)
        {
            long time = _laneHeadTime[i];
            if (time < firstTime || (time == firstTime && _laneHeadSequence[i] < firstSequence))
            {
                first = i;
                firstTime = time;
                firstSequence = _laneHeadSequence[i];
            }
        }

        _firstLane = first;
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
        for (int i = 0; i < _laneCount; i++)
        {
            int dropped = _lanes[i].RemoveStale();
            _laneEvents -= dropped;
            StaleCount -= dropped;
            NoteLaneHead(i);
        }

        FindFirstLane();
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
