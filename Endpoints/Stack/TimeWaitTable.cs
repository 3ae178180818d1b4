using System.Runtime.InteropServices;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// A host's timewait sockets, keyed by 4-tuple, with their expiries in FIFO lanes, one per timeout
/// length (60 s for TIME_WAIT, tcp_fin_timeout for FIN_WAIT2, rarely another): entries of one length are
/// queued in the order they were scheduled, which is deadline order, so the next expiry is the earliest
/// head of a few lanes and a million entries cost O(1) each (no heap). A restarted entry is queued
/// again and its old item goes stale (checked against the entry's deadline when it surfaces).
/// Bounded by net.ipv4.tcp_max_tw_buckets: past it, no timewait is kept at all (TCPTimeWaitOverflow).
/// </summary>
internal sealed class TimeWaitTable
{
    private readonly Dictionary<FourTuple, TimeWaitEntry> _entries = [];
    private readonly List<ExpiryLane> _lanes = [];

    private int _finWait2Count;

    public int Count => _entries.Count;

    /// <summary>Timewait sockets per substate (for ss and metrics), kept as a count so sampling is O(1).</summary>
    public int CountIn(TimeWaitSubstate substate) => substate == TimeWaitSubstate.FinWait2 ? _finWait2Count : _entries.Count - _finWait2Count;

    /// <summary>Records that an entry moved from FIN_WAIT2 to TIME_WAIT (the only substate change).</summary>
    public void NoteBecameTimeWait() => _finWait2Count--;

    /// <summary>Adds an entry, due at its deadline, unless the table is at <paramref name="capacity"/>.</summary>
    public bool TryAdd(FourTuple tuple, in TimeWaitEntry entry, int capacity, long now)
    {
        if (_entries.Count >= capacity)
        {
            return false;
        }

        _entries.Add(tuple, entry);
        if (entry.Substate == TimeWaitSubstate.FinWait2)
        {
            _finWait2Count++;
        }

        Schedule(tuple, entry.DeadlineNanoseconds, now);
        return true;
    }

    public bool Contains(FourTuple tuple) => _entries.ContainsKey(tuple);

    /// <summary>A reference to the entry for in-place updates, or a null reference.</summary>
    public ref TimeWaitEntry Find(FourTuple tuple) => ref CollectionsMarshal.GetValueRefOrNullRef(_entries, tuple);

    /// <summary>Moves the entry's deadline (its old lane item stays behind and will be found stale).</summary>
    public void Reschedule(FourTuple tuple, ref TimeWaitEntry entry, long deadline, long now)
    {
        entry.DeadlineNanoseconds = deadline;
        Schedule(tuple, deadline, now);
    }

    public bool Remove(FourTuple tuple, out TimeWaitEntry entry)
    {
        if (!_entries.Remove(tuple, out entry))
        {
            return false;
        }

        if (entry.Substate == TimeWaitSubstate.FinWait2)
        {
            _finWait2Count--;
        }

        return true;
    }

    /// <summary>The earliest deadline still pending, if any (stale lane items are discarded on the way).</summary>
    public long? NextDeadline()
    {
        long? earliest = null;
        for (int i = _lanes.Count - 1; i >= 0; i--)
        {
            var lane = _lanes[i];
            DropStaleHeads(lane);
            if (lane.Items.Count == 0)
            {
                _lanes.RemoveAt(i);
                continue;
            }

            long head = lane.Items.Peek().Deadline;
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
            foreach (var lane in _lanes)
            {
                DropStaleHeads(lane);
                if (lane.Items.Count > 0 && lane.Items.Peek().Deadline <= now
                    && (first is null || lane.Items.Peek().Deadline < first.Items.Peek().Deadline))
                {
                    first = lane;
                }
            }

            if (first is null)
            {
                return;
            }

            var (tuple, _) = first.Items.Dequeue();
            Remove(tuple, out var entry);
            expired(tuple, entry);
        }
    }

    /// <summary>Every entry, ordered by 4-tuple (for ss; never iterate the dictionary unordered).</summary>
    public IEnumerable<(FourTuple Tuple, TimeWaitEntry Entry)> Ordered() =>
        _entries.OrderBy(e => e.Key.Local).ThenBy(e => e.Key.Remote).Select(e => (e.Key, e.Value));

    private void Schedule(FourTuple tuple, long deadline, long now)
    {
        long length = deadline - now;
        ExpiryLane? lane = null;
        foreach (var candidate in _lanes)
        {
            if (candidate.Length == length)
            {
                lane = candidate;
                break;
            }
        }

        if (lane is null)
        {
            lane = new ExpiryLane(length);
            _lanes.Add(lane);
        }

        lane.Items.Enqueue((tuple, deadline));
    }

    /// <summary>Discards items whose entry is gone or was rescheduled to another deadline.</summary>
    private void DropStaleHeads(ExpiryLane lane)
    {
        while (lane.Items.Count > 0)
        {
            var (tuple, deadline) = lane.Items.Peek();
            ref var entry = ref Find(tuple);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry) && entry.DeadlineNanoseconds == deadline)
            {
                return;
            }

            lane.Items.Dequeue();
        }
    }

    /// <summary>The expiries of one timeout length; time only moves forward, so they are queued in deadline order.</summary>
    private sealed class ExpiryLane(long length)
    {
        public long Length { get; } = length;

        public Queue<(FourTuple Tuple, long Deadline)> Items { get; } = new();
    }
}
