using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The timewait table's expiry order: lanes per timeout length, restarts, removals, the bucket limit.</summary>
public sealed class TimeWaitTableTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Entries_of_different_lengths_expire_in_deadline_order()
    {
        // Proves the lanes merge into one deadline order: 60 s TIME_WAITs and 10 s FIN_WAIT2s added at
        // various times come out sorted by deadline (a tie goes to the lane of the length seen first).
        var table = new TimeWaitTable();
        Add(table, 1, deadline: 60 * Second, now: 0);                 // lane 60 s
        Add(table, 2, deadline: 15 * Second, now: 5 * Second, TimeWaitSubstate.FinWait2); // lane 10 s
        Add(table, 3, deadline: 61 * Second, now: 1 * Second);         // lane 60 s
        Add(table, 4, deadline: 60 * Second, now: 50 * Second, TimeWaitSubstate.FinWait2); // lane 10 s, ties with 1
        Add(table, 5, deadline: 30 * Second, now: 27 * Second);        // a third length (3 s)

        Assert.Equal(15 * Second, table.NextDeadline());
        Assert.Equal([2, 5, 1, 4, 3], Expire(table, 100 * Second));
        Assert.Null(table.NextDeadline());
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_restarted_entry_expires_at_its_new_deadline_only_and_a_removed_one_never()
    {
        // Proves the stale lane items left by a restart or a removal are skipped: entry 1 restarted at
        // 30 s expires at 90 s (not 60 s), entry 2 removed (recycled by connect) never expires.
        var table = new TimeWaitTable();
        Add(table, 1, deadline: 60 * Second, now: 0);
        Add(table, 2, deadline: 61 * Second, now: 1 * Second);
        ref var entry = ref table.Find(Tuple(1));
        table.Reschedule(Tuple(1), ref entry, 90 * Second, 30 * Second);
        Assert.True(table.Remove(Tuple(2), out _));

        Assert.Equal(90 * Second, table.NextDeadline());
        Assert.Empty(Expire(table, 89 * Second));
        Assert.Equal([1], Expire(table, 90 * Second));
    }

    [Fact]
    public void Nothing_is_added_past_the_bucket_limit_and_substates_are_counted()
    {
        // Proves tcp_max_tw_buckets (TryAdd refuses at capacity) and the per-substate counts ss and metrics read.
        var table = new TimeWaitTable();
        Assert.True(table.TryAdd(Tuple(1), Entry(60 * Second, TimeWaitSubstate.FinWait2), capacity: 2, now: 0));
        Assert.True(table.TryAdd(Tuple(2), Entry(60 * Second, TimeWaitSubstate.TimeWait), capacity: 2, now: 0));
        Assert.False(table.TryAdd(Tuple(3), Entry(60 * Second, TimeWaitSubstate.TimeWait), capacity: 2, now: 0));
        Assert.Equal(1, table.CountIn(TimeWaitSubstate.FinWait2));
        Assert.Equal(1, table.CountIn(TimeWaitSubstate.TimeWait));
        Assert.Equal([1, 2], Expire(table, 60 * Second));
        Assert.Equal(0, table.CountIn(TimeWaitSubstate.FinWait2));
    }

    [Fact]
    public void Thousands_of_entries_survive_growth_removal_and_slot_reuse()
    {
        // Proves the slab and bucket chains: 5,000 entries (several chunks, several rehashes) are all found,
        // every third removed is gone while its neighbours stay, re-added tuples take freed slots and expire in
        // the order they were scheduled, and an emptied table starts afresh.
        var table = new TimeWaitTable();
        for (int i = 0; i < 5000; i++)
        {
            Assert.True(table.TryAdd(Tuple(i), Entry(60 * Second + i, TimeWaitSubstate.TimeWait), int.MaxValue, now: i));
        }

        Assert.All(Enumerable.Range(0, 5000), i => Assert.Equal(60 * Second + i, table.Find(Tuple(i)).DeadlineNanoseconds));
        for (int i = 0; i < 5000; i += 3)
        {
            Assert.True(table.Remove(Tuple(i), out var removed));
            Assert.Equal(60 * Second + i, removed.DeadlineNanoseconds);
        }

        Assert.False(table.Contains(Tuple(3)));
        Assert.True(table.Contains(Tuple(4)));
        Assert.False(table.Remove(Tuple(3), out _));
        Assert.Equal(5000 - 1667, table.Count);
        for (int i = 0; i < 5000; i += 3)
        {
            Assert.True(table.TryAdd(Tuple(i), Entry(70 * Second + i, TimeWaitSubstate.FinWait2), int.MaxValue, now: 10 * Second + i));
        }

        Assert.Equal(1667, table.CountIn(TimeWaitSubstate.FinWait2));
        var expired = Expire(table, 100 * Second);
        var expected = Enumerable.Range(0, 5000).Where(i => i % 3 != 0).Concat(Enumerable.Range(0, 5000).Where(i => i % 3 == 0)).ToList();
        Assert.Equal(expected, expired);
        Assert.Equal(0, table.Count);
        Assert.Null(table.NextDeadline());

        Add(table, 7, deadline: 60 * Second, now: 0);
        Assert.Equal(60 * Second, table.Find(Tuple(7)).DeadlineNanoseconds);
        Assert.Equal([7], Expire(table, 60 * Second));
    }

    [Fact]
    public void A_tuple_already_in_the_table_is_refused()
    {
        // Proves TryAdd never holds two entries for one 4-tuple (the stack kills or reuses the old one first).
        var table = new TimeWaitTable();
        Add(table, 1, deadline: 60 * Second, now: 0);
        Assert.Throws<ArgumentException>(() => table.TryAdd(Tuple(1), Entry(61 * Second, TimeWaitSubstate.TimeWait), int.MaxValue, 1 * Second));
    }

    private static void Add(TimeWaitTable table, int id, long deadline, long now, TimeWaitSubstate substate = TimeWaitSubstate.TimeWait) =>
        Assert.True(table.TryAdd(Tuple(id), Entry(deadline, substate), int.MaxValue, now));

    private static List<int> Expire(TimeWaitTable table, long now)
    {
        var expired = new List<int>();
        table.ExpireDue(now, (tuple, _) => expired.Add(tuple.LocalPort));
        return expired;
    }

    private static TimeWaitEntry Entry(long deadline, TimeWaitSubstate substate) => new() { DeadlineNanoseconds = deadline, Substate = substate };

    private static FourTuple Tuple(int port) => new(IPv4Address.Parse("10.0.0.1"), (ushort)port, IPv4Address.Parse("10.0.0.2"), 80);
}
