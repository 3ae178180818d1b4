using System.Runtime.InteropServices;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// A host's timewait sockets, keyed by 4-tuple, with their expiry ordered in one heap of (deadline,
/// sequence) so the host needs a single timer for all of them. A restarted entry is pushed again and its
/// old heap item goes stale (checked against the entry's deadline when it surfaces).
/// Bounded by net.ipv4.tcp_max_tw_buckets: past it, no timewait is kept at all (TCPTimeWaitOverflow).
/// </summary>
internal sealed class TimeWaitTable
{
    private readonly Dictionary<FourTuple, TimeWaitEntry> _entries = [];
    private readonly PriorityQueue<FourTuple, (long Deadline, long Sequence)> _expiries = new();
    private long _sequence;

    private int _finWait2Count;

    public int Count => _entries.Count;

    /// <summary>Timewait sockets per substate (for ss and metrics), kept as a count so sampling is O(1).</summary>
    public int CountIn(TimeWaitSubstate substate) => substate == TimeWaitSubstate.FinWait2 ? _finWait2Count : _entries.Count - _finWait2Count;

    /// <summary>Records that an entry moved from FIN_WAIT2 to TIME_WAIT (the only substate change).</summary>
    public void NoteBecameTimeWait() => _finWait2Count--;

    /// <summary>Adds an entry unless the table is at <paramref name="capacity"/>.</summary>
    public bool TryAdd(FourTuple tuple, in TimeWaitEntry entry, int capacity)
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

        _expiries.Enqueue(tuple, (entry.DeadlineNanoseconds, _sequence++));
        return true;
    }

    public bool Contains(FourTuple tuple) => _entries.ContainsKey(tuple);

    /// <summary>A reference to the entry for in-place updates, or a null reference.</summary>
    public ref TimeWaitEntry Find(FourTuple tuple) => ref CollectionsMarshal.GetValueRefOrNullRef(_entries, tuple);

    /// <summary>Moves the entry's deadline (the heap keeps the old item, which will be found stale).</summary>
    public void Reschedule(FourTuple tuple, ref TimeWaitEntry entry, long deadline)
    {
        entry.DeadlineNanoseconds = deadline;
        _expiries.Enqueue(tuple, (deadline, _sequence++));
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

    /// <summary>The earliest deadline still pending, if any (stale heap items are discarded on the way).</summary>
    public long? NextDeadline()
    {
        while (_expiries.TryPeek(out var tuple, out var key))
        {
            ref var entry = ref Find(tuple);
            if (!Unsafe_IsNull(ref entry) && entry.DeadlineNanoseconds == key.Deadline)
            {
                return key.Deadline;
            }

            _expiries.Dequeue();
        }

        return null;
    }

    /// <summary>Removes and returns every entry whose deadline is at or before <paramref name="now"/>, in deadline order.</summary>
    public List<(FourTuple Tuple, TimeWaitEntry Entry)> ExpireDue(long now)
    {
        var expired = new List<(FourTuple, TimeWaitEntry)>();
        while (_expiries.TryPeek(out var tuple, out var key) && key.Deadline <= now)
        {
            _expiries.Dequeue();
            ref var entry = ref Find(tuple);
            if (!Unsafe_IsNull(ref entry) && entry.DeadlineNanoseconds == key.Deadline)
            {
                expired.Add((tuple, entry));
                Remove(tuple, out _);
            }
        }

        return expired;
    }

    /// <summary>Every entry, ordered by 4-tuple (for ss; never iterate the dictionary unordered).</summary>
    public IEnumerable<(FourTuple Tuple, TimeWaitEntry Entry)> Ordered() =>
        _entries.OrderBy(e => e.Key.Local).ThenBy(e => e.Key.Remote).Select(e => (e.Key, e.Value));

    private static bool Unsafe_IsNull(ref TimeWaitEntry entry) => System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry);
}
