using TcpActors.Runtime;

namespace TcpActors.Network.Tests;

public sealed class RoutingAndFilterTests
{
    private static Topology Routed(ActorSystem system) => new TopologyBuilder(system)
        .AddHost("client", h => h.Address("10.0.1.2/24"))
        .AddRouter("router", h => h.Address("10.0.1.1/24"))
        .AddHost("server", h => h.Address("10.0.2.2/24"))
        .Connect("client", "router", new LinkSettings(Duration.FromMilliseconds(1)))
        .Connect("router", "server", new LinkSettings(Duration.FromMilliseconds(2)))
        .Build();

    [Fact]
    public void A_router_forwards_with_the_ttl_decremented_through_the_FORWARD_hook()
    {
        // Proves routing (default route on stubs, host routes on the router), TTL and the FORWARD hook point.
        var system = ActorSystem.Create("routed");
        var topology = Routed(system);
        var atServer = new RecordingTransport();
        topology["server"].Transport = atServer;
        var routerFilter = new FunctionFilter((_, _) => FilterVerdict.Accept);
        topology["router"].Filter = routerFilter;

        topology["client"].Output(Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn));
        system.RunUntilIdle();

        var (at, packet, _) = Assert.Single(atServer.Delivered);
        Assert.Equal(SimTime.FromSeconds(0.003), at);
        Assert.Equal(63, packet.Ttl);
        Assert.Equal(
            [(HookPoint.PreRouting, "eth0", (string?)null), (HookPoint.Forward, "eth0", "eth1"), (HookPoint.PostRouting, "eth0", "eth1")],
            routerFilter.Asked.Select(c => (c.Hook, c.InInterface, c.OutInterface)).ToArray());
    }

    [Fact]
    public void A_switch_forwards_the_very_packet_with_its_ttl_through_the_FORWARD_hook()
    {
        // Proves AddSwitch: same paths and hooks as a router, but the packet arrives as sent (TTL 64,
        // even a TTL of 1 passes, no copy), as through a layer-2 bridge with br_netfilter.
        var system = ActorSystem.Create("switched");
        var topology = new TopologyBuilder(system)
            .AddHost("client", h => h.Address("10.0.1.2/8"))
            .AddSwitch("switch", h => h.Address("10.255.255.254/8"))
            .AddHost("server", h => h.Address("10.0.2.2/8"))
            .Connect("client", "switch")
            .Connect("switch", "server")
            .Build();
        var atServer = new RecordingTransport();
        topology["server"].Transport = atServer;
        var switchFilter = new FunctionFilter((_, _) => FilterVerdict.Accept);
        topology["switch"].Filter = switchFilter;

        var sent = Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn);
        var lastHop = Segments.Tcp("10.0.1.2", 40001, "10.0.2.2", 8080, TcpFlags.Syn) with { Ttl = 1 };
        topology["client"].Output(sent);
        topology["client"].Output(lastHop);
        system.RunUntilIdle();

        Assert.Equal([sent, lastHop], atServer.Delivered.Select(d => d.Packet));
        Assert.Same(sent, atServer.Delivered[0].Packet);
        Assert.True(topology["switch"].IsSwitch);
        Assert.Contains(switchFilter.Asked, c => c.Hook == HookPoint.Forward);
    }

    [Fact]
    public void An_INPUT_drop_still_shows_in_the_capture_but_never_reaches_TCP()
    {
        // Proves tcpdump sees packets before INPUT rules (seed 000's capture shows the dropped ACKs) and the host counts the drop.
        var system = ActorSystem.Create("inputdrop");
        var topology = Routed(system);
        var atServer = new RecordingTransport();
        topology["server"].Transport = atServer;
        topology["server"].Filter = new FunctionFilter((_, c) => c.Hook == HookPoint.Input ? new FilterVerdict(FilterAction.Drop, Rule: "INPUT 1") : FilterVerdict.Accept);
        var captures = new List<PacketCaptured>();
        var drops = new List<PacketDropped>();
        system.EventStream.Subscribe<PacketCaptured>(captures.Add);
        system.EventStream.Subscribe<PacketDropped>(drops.Add);

        topology["client"].Output(Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn));
        system.RunUntilIdle();

        Assert.Empty(atServer.Delivered);
        Assert.Contains(captures, c => c.HostName == "server" && c.Direction == CaptureDirection.In);
        // The filter (Chaos) publishes its own drops with the rule; the host counts them.
        Assert.Empty(drops);
        Assert.Equal(1, topology["server"].DroppedCount(DropReason.FilterRule));
    }

    [Fact]
    public void An_OUTPUT_drop_is_a_local_error_and_never_reaches_the_wire()
    {
        // Proves Linux's distinction: an OUTPUT drop fails the send (EPERM) instead of being lost in flight.
        var system = ActorSystem.Create("outputdrop");
        var topology = Routed(system);
        topology["client"].Filter = new FunctionFilter((_, c) => c.Hook == HookPoint.Output ? new FilterVerdict(FilterAction.Drop) : FilterVerdict.Accept);
        var captures = new List<PacketCaptured>();
        system.EventStream.Subscribe<PacketCaptured>(captures.Add);

        var status = topology["client"].Output(Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn));
        system.RunUntilIdle();

        Assert.Equal(SendStatus.FilteredLocally, status);
        Assert.Empty(captures);
    }

    [Fact]
    public void REJECT_with_tcp_reset_answers_the_sender_with_a_reset()
    {
        // Proves iptables REJECT --reject-with tcp-reset: a SYN gets R. with ack = ISN+1, sent from the rejecting host.
        var system = ActorSystem.Create("reject");
        var topology = Routed(system);
        var atClient = new RecordingTransport();
        topology["client"].Transport = atClient;
        topology["server"].Filter = new FunctionFilter((_, c) => c.Hook == HookPoint.Input ? new FilterVerdict(FilterAction.Reject, RejectWith.TcpReset) : FilterVerdict.Accept);

        topology["client"].Output(Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn, seq: 5000));
        system.RunUntilIdle();

        var reset = Assert.IsType<Segment>(Assert.Single(atClient.Delivered).Packet);
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, reset.Flags);
        Assert.Equal((0u, 5001u), (reset.Seq.Value, reset.Ack.Value));
        Assert.Equal(("10.0.2.2", (ushort)8080, (ushort)40000), (reset.Source.ToString(), reset.SourcePort, reset.DestinationPort));
    }

    [Fact]
    public void REJECT_by_default_sends_icmp_port_unreachable_quoting_the_segment()
    {
        // Proves the default --reject-with icmp-port-unreachable, quoting the segment as it arrived (TTL 63 after the router).
        var system = ActorSystem.Create("icmp");
        var topology = Routed(system);
        var atClient = new RecordingTransport();
        topology["client"].Transport = atClient;
        topology["server"].Filter = new FunctionFilter((_, c) => c.Hook == HookPoint.Input ? new FilterVerdict(FilterAction.Reject) : FilterVerdict.Accept);
        var syn = Segments.Tcp("10.0.1.2", 40000, "10.0.2.2", 8080, TcpFlags.Syn);
        topology["client"].Output(syn);
        system.RunUntilIdle();

        var icmp = Assert.IsType<IcmpPacket>(Assert.Single(atClient.Delivered).Packet);
        Assert.Equal(IcmpUnreachableCode.PortUnreachable, icmp.Code);
        Assert.Equal(syn with { Ttl = 63 }, icmp.Quoted);
        Assert.Equal(IPv4Address.Parse("10.0.2.2"), icmp.Source);
    }

    [Fact]
    public void Resets_answer_by_the_rules_of_RFC_9293_and_never_answer_a_reset()
    {
        // Proves the reset formula shared by REJECT and by TCP for closed ports.
        var data = Segments.Tcp("10.0.0.1", 1, "10.0.0.2", 2, TcpFlags.Ack | TcpFlags.Psh, seq: 100, ack: 777, length: 10);
        var reset = RejectReplies.TcpResetFor(data)!;
        Assert.Equal((TcpFlags.Rst, 777u), (reset.Flags, reset.Seq.Value));

        var fin = Segments.Tcp("10.0.0.1", 1, "10.0.0.2", 2, TcpFlags.Fin, seq: 100);
        Assert.Equal(101u, RejectReplies.TcpResetFor(fin)!.Ack.Value);

        Assert.Null(RejectReplies.TcpResetFor(Segments.Tcp("10.0.0.1", 1, "10.0.0.2", 2, TcpFlags.Rst)));
    }

    [Fact]
    public void A_host_without_forwarding_drops_packets_for_others()
    {
        // Proves ip_forward=0 hosts do not route (and say why).
        var system = ActorSystem.Create("noforward");
        var topology = new TopologyBuilder(system)
            .AddHost("a", h => h.Address("10.0.0.1/24")).AddHost("b", h => h.Address("10.0.0.2/24"))
            .Connect("a", "b").Build();
        topology["a"].Routes.Add(new Route(IPv4Prefix.Parse("10.9.0.0/16"), topology["a"].Interfaces[1]));
        topology["a"].Output(Segments.Tcp("10.0.0.1", 1, "10.9.0.9", 2, TcpFlags.Syn));
        system.RunUntilIdle();
        Assert.Equal(1, topology["b"].DroppedCount(DropReason.NotForThisHost));
    }

    [Fact]
    public void Topology_errors_are_clear()
    {
        // Proves bad declarations fail with messages that name the problem.
        var builder = new TopologyBuilder(ActorSystem.Create("errors")).AddHost("a");
        Assert.Equal("host 'a' is declared twice", Assert.Throws<TopologyException>(() => builder.AddHost("a")).Message);
        Assert.Equal("cannot link unknown host 'zz'", Assert.Throws<TopologyException>(() => builder.Connect("a", "zz")).Message);
        Assert.StartsWith("invalid host name 'a/b'", Assert.Throws<TopologyException>(() => builder.AddHost("a/b")).Message, StringComparison.Ordinal);
        var bad = new TopologyBuilder(ActorSystem.Create("errors2")).AddHost("x", h => h.Sysctl("net.ipv4.tcp_tw_reuse", "3"));
        Assert.Equal("host 'x': net.ipv4.tcp_tw_reuse: 3 is out of range (allowed 0..2)", Assert.Throws<TopologyException>(bad.Build).Message);
    }
}
