using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>A socket as the bind table sees it.</summary>
internal sealed record FakeHolder(IPv4Address BoundAddress, bool ReuseAddress = false, bool ReusePort = false, bool IsListening = false) : IPortHolder
{
    public int BindSlot { get; set; } = -1;
}

/// <summary>Linux's connect() and bind(0) port choice (../shared/LINUX-TCP.md sections A and B) as pure functions.</summary>
public sealed class EphemeralPortsTests
{
    private static readonly IPv4Address Local = IPv4Address.Parse("10.0.1.2");
    private static readonly SocketAddress ServerA = SocketAddress.Parse("10.0.2.2:8080");
    private static readonly SocketAddress ServerB = SocketAddress.Parse("10.0.2.2:8081");

    [Fact]
    public void Connect_takes_the_even_ports_first_then_the_odd_ones()
    {
        // Proves section A.3-A.5 (20-ephemeral-ports): from a hash-chosen even start, every even port, then the odd ones.
        var (ports, connected) = Ports(seed: 7);
        var chosen = Enumerable.Range(0, 10).Select(_ => Connect(ports, connected, ServerA)!.Value).ToList();
        Assert.All(chosen.Take(5), p => Assert.Equal(0, p % 2));
        Assert.All(chosen.Skip(5), p => Assert.Equal(1, p % 2));
        Assert.Equal(10, chosen.Distinct().Count());
    }

    [Fact]
    public void Connect_fails_exactly_when_every_port_to_that_destination_is_taken_and_other_destinations_still_get_ports()
    {
        // Proves section A.6 and A.8: exhaustion (EADDRNOTAVAIL) is per destination ip:port; a port connect()
        // took may carry a second 4-tuple to another destination.
        var (ports, connected) = Ports(seed: 7);
        for (int i = 0; i < 10; i++)
        {
            Assert.NotNull(Connect(ports, connected, ServerA));
        }

        Assert.Null(Connect(ports, connected, ServerA));
        var other = Connect(ports, connected, ServerB);
        Assert.NotNull(other);
        Assert.Contains((other.Value, ServerA), connected);
    }

    [Fact]
    public void Connect_skips_ports_bound_by_bind_and_reserved_ports()
    {
        // Proves section A.4: a bucket made by bind() is never taken by connect(), nor is a reserved port.
        var sysctls = new Sysctls { IpLocalPortRange = (40000, 40003), IpLocalReservedPorts = new SortedSet<int> { 40002 } };
        var binds = new BindTable();
        binds.Add(40000, new FakeHolder(Local), byConnect: false);
        var ports = new EphemeralPorts(sysctls, binds, new RandomStream(1));
        var connected = new HashSet<(ushort, SocketAddress)>();
        var chosen = new[] { Connect(ports, connected, ServerA), Connect(ports, connected, ServerA), Connect(ports, connected, ServerA) };
        Assert.Equal([(ushort)40001, (ushort)40003], chosen.Take(2).Select(p => p!.Value).Order());
        Assert.Null(chosen[2]);
    }

    [Fact]
    public void Port_choice_is_the_same_for_the_same_seed_and_differs_with_another()
    {
        // Proves determinism: a run's seed fixes the ports; the perturbation table makes another seed choose others.
        string Run(ulong seed)
        {
            var (ports, connected) = Ports(seed);
            return string.Join(',', Enumerable.Range(0, 10).Select(_ => Connect(ports, connected, ServerA)));
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void Bind_to_port_zero_takes_odd_ports_first()
    {
        // Proves section B: inet_csk_find_open_port starts at an odd port, leaving even ones for connect().
        var binds = new BindTable();
        var ports = new EphemeralPorts(new Sysctls { IpLocalPortRange = (40000, 40009) }, binds, new RandomStream(5));
        var chosen = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            var holder = new FakeHolder(Local);
            ushort port = ports.ChooseForBind(holder)!.Value;
            binds.Add(port, holder, byConnect: false);
            chosen.Add(port);
        }

        Assert.All(chosen.Take(5), p => Assert.Equal(1, p % 2));
        Assert.All(chosen.Skip(5), p => Assert.Equal(0, p % 2));
        Assert.Null(ports.ChooseForBind(new FakeHolder(Local)));
    }

    private static (EphemeralPorts Ports, HashSet<(ushort Port, SocketAddress Remote)> Connected) Ports(ulong seed) =>
        (new EphemeralPorts(new Sysctls { IpLocalPortRange = (40000, 40009) }, new BindTable(), new RandomStream(seed)), []);

    /// <summary>One connect() to <paramref name="remote"/>: the 4-tuple is unique unless a socket already uses it.</summary>
    private static ushort? Connect(EphemeralPorts ports, HashSet<(ushort Port, SocketAddress Remote)> connected, SocketAddress remote)
    {
        var chosen = ports.ChooseForConnect(Local, remote, port => connected.Contains((port, remote)) ? TupleCheck.InUse : TupleCheck.Unique, new FakeHolder(Local));
        if (chosen is { } port)
        {
            connected.Add((port, remote));
        }

        return chosen;
    }
}

/// <summary>bind() conflicts (inet_bind_conflict) for every SO_REUSEADDR / SO_REUSEPORT combination of experiment 19.</summary>
public sealed class BindTableTests
{
    private static readonly IPv4Address Server = IPv4Address.Parse("10.0.2.2");

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    public void Binding_over_a_time_wait_needs_so_reuseaddr_on_both_sockets(bool oldReuse, bool newReuse, bool conflicts)
    {
        // Proves 19-bind-reuse.txt's four combinations: only old 1 / new 1 may bind a port a TIME-WAIT holds.
        var binds = new BindTable();
        binds.AddTimeWait(8081, Server, oldReuse);
        Assert.Equal(conflicts, binds.Conflicts(8081, new FakeHolder(Server, ReuseAddress: newReuse), asListener: false));
    }

    [Fact]
    public void So_reuseaddr_does_not_share_a_port_with_a_listener()
    {
        // Proves 19's 8085 case: a second SO_REUSEADDR socket cannot bind a port an SO_REUSEADDR listener holds.
        var binds = new BindTable();
        binds.Add(8085, new FakeHolder(Server, ReuseAddress: true, IsListening: true), byConnect: false);
        Assert.True(binds.Conflicts(8085, new FakeHolder(Server, ReuseAddress: true), asListener: false));
    }

    [Fact]
    public void Two_bound_but_not_listening_so_reuseaddr_sockets_share_a_port()
    {
        // Proves the other half of the SO_REUSEADDR rule: neither is listening, both set it, no conflict.
        var binds = new BindTable();
        binds.Add(8086, new FakeHolder(Server, ReuseAddress: true), byConnect: false);
        Assert.False(binds.Conflicts(8086, new FakeHolder(Server, ReuseAddress: true), asListener: false));
    }

    [Theory]
    [InlineData(false, false, true)]  // C: without SO_REUSEPORT
    [InlineData(false, true, false)]  // B: SO_REUSEPORT
    [InlineData(true, true, false)]   // D: SO_REUSEADDR and SO_REUSEPORT
    [InlineData(true, false, true)]   // SO_REUSEADDR alone, against listeners
    public void So_reuseport_lets_listeners_share_a_port(bool reuseAddress, bool reusePort, bool conflicts)
    {
        // Proves 19's 8090 cases: with an SO_REUSEPORT listener holding the port, only SO_REUSEPORT sockets may join.
        var binds = new BindTable();
        binds.Add(8090, new FakeHolder(Server, ReusePort: true, IsListening: true), byConnect: false);
        Assert.Equal(conflicts, binds.Conflicts(8090, new FakeHolder(Server, reuseAddress, reusePort), asListener: false));
    }

    [Theory]
    [InlineData("10.0.2.2", "10.0.2.3", false)]
    [InlineData("0.0.0.0", "10.0.2.3", true)]
    [InlineData("10.0.2.2", "0.0.0.0", true)]
    [InlineData("10.0.2.2", "10.0.2.2", true)]
    public void Only_overlapping_addresses_conflict(string held, string wanted, bool conflicts)
    {
        // Proves the address rule: different specific addresses never conflict; the wildcard overlaps everything.
        var binds = new BindTable();
        binds.Add(9000, new FakeHolder(IPv4Address.Parse(held)), byConnect: false);
        Assert.Equal(conflicts, binds.Conflicts(9000, new FakeHolder(IPv4Address.Parse(wanted)), asListener: false));
    }

    [Fact]
    public void The_last_time_wait_leaving_frees_the_port()
    {
        // Proves the bucket's life: TIME-WAITs are counted holders and the port is free when the last one ends.
        var binds = new BindTable();
        binds.AddTimeWait(8081, Server, false);
        binds.AddTimeWait(8081, Server, false);
        binds.RemoveTimeWait(8081, Server, false);
        Assert.True(binds.InUse(8081));
        binds.RemoveTimeWait(8081, Server, false);
        Assert.False(binds.InUse(8081));
    }

    [Fact]
    public void Time_wait_groups_of_several_addresses_and_flags_are_counted_apart()
    {
        // Proves the bucket keeps one count per (address, SO_REUSEADDR): when the first group ends, the others
        // still hold the port and still conflict, and the port is free only when the last group ends.
        var binds = new BindTable();
        var other = IPv4Address.Parse("10.0.2.9");
        binds.AddTimeWait(8081, Server, false);
        binds.AddTimeWait(8081, other, false);
        binds.AddTimeWait(8081, other, true);
        binds.AddTimeWait(8081, other, true);
        Assert.Equal(3, binds.Find(8081).TimeWaitGroupCount);

        binds.RemoveTimeWait(8081, Server, false);
        Assert.False(binds.Conflicts(8081, new FakeHolder(Server), asListener: false));
        Assert.True(binds.Conflicts(8081, new FakeHolder(other), asListener: false));
        Assert.Equal(2, binds.Find(8081).TimeWaitGroupCount);

        binds.RemoveTimeWait(8081, other, false);
        Assert.Equal((other, true, 2), binds.Find(8081).TimeWaitGroupAt(0));
        Assert.False(binds.Conflicts(8081, new FakeHolder(other, ReuseAddress: true), asListener: false));
        binds.RemoveTimeWait(8081, other, true);
        binds.RemoveTimeWait(8081, other, true);
        Assert.False(binds.InUse(8081));
    }

    [Fact]
    public void A_port_let_go_and_another_taken_get_a_bucket_as_if_new()
    {
        // A slot let go and another taken: the next port gets its own number, origin, holders and TIME_WAIT groups,
        // and the old port is free, whatever its slot held before.
        var binds = new BindTable();
        var holder = new FakeHolder(Server);
        binds.Add(5000, holder, byConnect: false);
        binds.AddTimeWait(5000, Server, true);
        binds.RemoveTimeWait(5000, Server, true);
        binds.Remove(5000, holder);
        Assert.False(binds.InUse(5000));
        Assert.Equal(0, binds.BucketCount);

        binds.AddTimeWait(40001, Server, false);
        var bucket = binds.Find(40001);
        Assert.Equal((ushort)40001, bucket.Port);
        Assert.True(bucket.CreatedByConnect);
        Assert.Equal(0, bucket.HolderCount);
        Assert.Equal((Server, false, 1), bucket.TimeWaitGroupAt(0));
        Assert.Equal(1, bucket.TimeWaitGroupCount);
        Assert.False(binds.InUse(5000));
        Assert.False(binds.Conflicts(5000, new FakeHolder(Server), asListener: false));
        Assert.Equal(1, binds.BucketCount);
    }

    [Fact]
    public void A_page_given_back_when_its_last_port_is_let_go_serves_the_next_port_afresh()
    {
        // Ports 5000 and 5001 share a page of 256 buckets: when both are free the page is dropped, and a port of it
        // taken later starts from an empty bucket, not from what the old page held.
        var binds = new BindTable();
        var first = new FakeHolder(Server);
        var second = new FakeHolder(Server);
        binds.Add(5000, first, byConnect: false);
        binds.AddTimeWait(5001, Server, true);
        binds.Remove(5000, first);
        Assert.True(binds.InUse(5001));
        binds.RemoveTimeWait(5001, Server, true);
        Assert.Equal(0, binds.BucketCount);

        binds.Add(5001, second, byConnect: true);
        ref var bucket = ref binds.Find(5001);
        Assert.True(bucket.CreatedByConnect);
        Assert.Equal(1, bucket.HolderCount);
        Assert.Same(second, bucket.HolderAt(0));
        Assert.Equal(0, bucket.TimeWaitGroupCount);
        Assert.False(binds.InUse(5000));
        Assert.True(binds.Conflicts(5001, new FakeHolder(Server), asListener: false));
    }
}
