using System.Runtime.CompilerServices;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// A host's timewait sockets, keyed by 4-tuple, with their expiries in FIFO lanes, one per timeout
/// length (60 s for TIME_WAIT, tcp_fin_timeout for FIN_WAIT2, rarely another): entries of one length are
/// queued in the order they were scheduled, which is deadline order, so the next expiry is the earliest
/// head of a few lanes and a million entries cost O(1) each (no heap).
/// Bounded by net.ipv4.tcp_max_tw_buckets: past it, no timewait is kept at all (TCPTimeWaitOverflow).
/// <para>
/// Memory is what makes a million of them cheap (Linux spends a 256-byte tw_sock on each): entries live
/// by value in slots of fixed-size chunks (<see cref="TimeWaitSlots"/>), chained per hash bucket and linked
/// into their lane through slot indices, so an entry costs its slot and a bucket index, with no per-entry
/// object, no lane item and no doubling of a whole table when it grows. Everything is given back when the
/// table empties.
/// </para>
/// </summary>
internal sealed class TimeWaitTable
{
    private const int MinBuckets = 16;

    private readonly TimeWaitSlots _slots = new();
    private readonly List<ExpiryLane> _lanes = [];

    /// <summary>Bucket heads: slot index + 1, 0 for an empty bucket. Its length is a power of two.</summary>
    private int[] _buckets = [];

    private int _count;
    private int _finWait2Count;

    public int Count => _count;

    /// <summary>Timewait sockets per substate (for ss and metrics), kept as a count so sampling is O(1).</summary>
    public int CountIn(TimeWaitSubstate substate) => substate == TimeWaitSubstate.FinWait2 ? _finWait2Count : _count - _finWait2Count;

    /// <summary>Records that an entry moved from FIN_WAIT2 to TIME_WAIT (the only substate change).</summary>
    public void NoteBecameTimeWait() => _finWait2Count--;

    /// <summary>Adds an entry, due at its deadline, unless the table is at <paramref name="capacity"/>.</summary>
    public bool TryAdd(FourTuple tuple, in TimeWaitEntry entry, int capacity, long now)
    {
        if (_count >= capacity)
        {
            return false;
        }

        if (!Unsafe.IsNullRef(ref Find(tuple)))
        {
            throw new ArgumentException($"a timewait for {tuple} already exists", nameof(tuple));
        }

        if (_count >= _buckets.Length)
        {
            Rehash(Math.Max(MinBuckets, _buckets.Length * 2));
        }

        int index = _slots.Allocate();
        ref var slot = ref _slots[index];
        slot.Tuple = tuple;
        slot.Entry = entry;
        ref int head = ref _buckets[Bucket(tuple)];
        slot.NextInBucket = head;
        head = index + 1;
        _count++;
        if (entry.Substate == TimeWaitSubstate.FinWait2)
        {
            _finWait2Count++;
        }

        Enqueue(index, entry.DeadlineNanoseconds - now);
        return true;
    }

    public bool Contains(FourTuple tuple) => !Unsafe.IsNullRef(ref Find(tuple));

    /// <summary>A reference to the entry for in-place updates, or a null reference.</summary>
    public ref TimeWaitEntry Find(FourTuple tuple)
    {
        int index = IndexOf(tuple);
        return ref index < 0 ? ref Unsafe.NullRef<TimeWaitEntry>() : ref _slots[index].Entry;
    }

    /// <summary>Moves the entry's deadline: it leaves its lane and joins the tail of the lane of its new length.</summary>
    public void Reschedule(FourTuple tuple, ref TimeWaitEntry entry, long deadline, long now)
    {
        int index = IndexOf(tuple);
        if (index < 0)
        {
            throw new ArgumentException($"no timewait for {tuple}", nameof(tuple));
        }

        entry.DeadlineNanoseconds = deadline;
        Unlink(index);
        Enqueue(index, deadline - now);
    }

    public bool Remove(FourTuple tuple, out TimeWaitEntry entry)
    {
        entry = default;
        if (_count == 0)
        {
            return false;
        }

        ref int link = ref _buckets[Bucket(tuple)];
        while (link != 0)
        {
            int index = link - 1;
            ref var slot = ref _slots[index];
            if (slot.Tuple == tuple)
            {
                link = slot.NextInBucket;
                entry = slot.Entry;
                Release(index);
                return true;
            }

            link = ref slot.NextInBucket;
        }

        return false;
    }

    /// <summary>The earliest deadline still pending, if any (lanes left empty are dropped on the way).</summary>
    public long? NextDeadline()
    {
        long? earliest = null;
        for (int i = _lanes.Count - 1; i >= 0; i--)
        {
            var lane = _lanes[i];
            if (lane.Head < 0)
            {
                _lanes.RemoveAt(i);
                continue;
            }

            long head = _slots[lane.Head].Entry.DeadlineNanoseconds;
            if (earliest is null || head < earliest)
            {
                earliest = head;
            }
        }

        return earliest;
    }

    /// <summary>
    /// Removes every entry whose deadline is at or before <paramref name="now"/>, calling
    /// <paramref name="expired"/> for each in deadline order (ties: by lane, the longer-standing length first, then scheduling order).
    /// </summary>
    public void ExpireDue(long now, Action<FourTuple, TimeWaitEntry> expired)
    {
        while (true)
        {
            ExpiryLane? first = null;
            long firstDeadline = 0;
            foreach (var lane in _lanes)
            {
                if (lane.Head < 0)
                {
                    continue;
                }

                long deadline = _slots[lane.Head].Entry.DeadlineNanoseconds;
                if (deadline <= now && (first is null || deadline < firstDeadline))
                {
                    first = lane;
                    firstDeadline = deadline;
                }
            }

            if (first is null)
            {
                return;
            }

            var tuple = _slots[first.Head].Tuple;
            Remove(tuple, out var entry);
            expired(tuple, entry);
        }
    }

    /// <summary>Every entry, ordered by 4-tuple (for ss; the slots' order is not meaningful).</summary>
    public IEnumerable<(FourTuple Tuple, TimeWaitEntry Entry)> Ordered()
    {
        var all = new List<(FourTuple Tuple, TimeWaitEntry Entry)>(_count);
        foreach (var lane in _lanes)
        {
            for (int index = lane.Head; index >= 0; index = _slots[index].LaneNext)
            {
                all.Add((_slots[index].Tuple, _slots[index].Entry));
            }
        }

        return all.OrderBy(e => e.Tuple.Local).ThenBy(e => e.Tuple.Remote);
    }

    private int IndexOf(FourTuple tuple)
    {
        if (_count == 0)
        {
            return -1;
        }

        for (int link = _buckets[Bucket(tuple)]; link != 0;)
        {
            ref var slot = ref _slots[link - 1];
            if (slot.Tuple == tuple)
            {
                return link - 1;
            }

            link = slot.NextInBucket;
        }

        return -1;
    }

    private int Bucket(FourTuple tuple) => tuple.GetHashCode() & (_buckets.Length - 1);

    private void Release(int index)
    {
        Unlink(index);
        if (_slots[index].Entry.Substate == TimeWaitSubstate.FinWait2)
        {
            _finWait2Count--;
        }

        _slots.Free(index);
        if (--_count == 0)
        {
            // Give everything back, as the kernel's slab does once its objects are freed.
            _slots.Clear();
            _buckets = [];
        }
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        foreach (var lane in _lanes)
        {
            for (int index = lane.Head; index >= 0; index = _slots[index].LaneNext)
            {
                ref var slot = ref _slots[index];
                ref int head = ref buckets[slot.Tuple.GetHashCode() & (size - 1)];
                slot.NextInBucket = head;
                head = index + 1;
            }
        }

        _buckets = buckets;
    }

    private void Enqueue(int index, long length)
    {
        ExpiryLane? lane = null;
        for (int i = 0; i < _lanes.Count; i++)
        {
            if (_lanes[i].Length == length)
            {
                lane = _lanes[i];
                break;
            }
        }

        if (lane is null)
        {
            lane = new ExpiryLane(length, _lanes.Count == 0 ? 0 : _lanes[^1].Id + 1);
            _lanes.Add(lane);
        }

        ref var slot = ref _slots[index];
        slot.Lane = lane.Id;
        slot.LaneNext = -1;
        slot.LanePrevious = lane.Tail;
        if (lane.Tail >= 0)
        {
            _slots[lane.Tail].LaneNext = index;
        }
        else
        {
            lane.Head = index;
        }

        lane.Tail = index;
    }

    private void Unlink(int index)
    {
        ref var slot = ref _slots[index];
        var lane = LaneWithId(slot.Lane);
        if (slot.LanePrevious >= 0)
        {
            _slots[slot.LanePrevious].LaneNext = slot.LaneNext;
        }
        else
        {
            lane.Head = slot.LaneNext;
        }

        if (slot.LaneNext >= 0)
        {
            _slots[slot.LaneNext].LanePrevious = slot.LanePrevious;
        }
        else
        {
            lane.Tail = slot.LanePrevious;
        }
    }

    private ExpiryLane LaneWithId(int id)
    {
        foreach (var lane in _lanes)
        {
            if (lane.Id == id)
            {
                return lane;
            }
        }

        throw new InvalidOperationException($"timewait lane {id} is gone while an entry is in it");
    }

    /// <summary>The expiries of one timeout length; time only moves forward, so they are queued in deadline order.</summary>
    private sealed class ExpiryLane(long length, int id)
    {
        public long Length { get; } = length;

        /// <summary>What slots store to name their lane (lanes come and go, so not a list index).</summary>
        public int Id { get; } = id;

        public int Head { get; set; } = -1;

        public int Tail { get; set; } = -1;
    }
}
