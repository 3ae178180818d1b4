using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;

namespace TcpActors.Chaos.Tests;

/// <summary>The chaos actor in an actor system: commands, timelines in virtual time, partitions, heal, link flaps, events.</summary>
public sealed class ChaosActorTests
{
    private readonly ActorSystem _system = ActorSystem.Create("chaos-test", seed: 11);
    private readonly FakeHost _client = new("client", "10.0.0.1", "eth0");
    private readonly FakeHost _server = new("server", "10.0.0.2", "eth0", "lo");
    private readonly FakeHost _witness = new("witness", "10.0.0.3", "eth0");

    [Fact]
    public void Registering_a_host_installs_its_firewall()
    {
        // Proves the binding's SetFilter is called at registration, before any command.
        _system.ActorOf(ChaosActor.Props([_client.Binding, _server.Binding]), "chaos");

        Assert.IsType<HostFirewall>(_client.Filter);
        Assert.IsType<HostFirewall>(_server.Filter);
    }

    [Fact]
    public void A_command_line_is_applied_to_the_named_host_and_answered()
    {
        // Proves RunCommand parses and applies an iptables line on one host only, and replies with what it printed.
        var chaos = _system.ActorOf(ChaosActor.Props([_client.Binding, _server.Binding]), "chaos");
        var probe = new TestProbe(_system);

        probe.Send(chaos, new RunCommand("server", "sudo iptables -A INPUT -p tcp -s 10.0.0.1 --sport 40000 -j DROP"));
        probe.ExpectMsg<ChaosActionCompleted>();
        probe.Send(chaos, new RunCommand("server", "iptables -L INPUT"));

        string listing = probe.ExpectMsg<ChaosActionCompleted>().Output;
        Assert.Contains("DROP       tcp  --  client               anywhere             tcp spt:40000", listing, StringComparison.Ordinal);
        Assert.Equal(FilterAction.Drop, _server.Receive(Segment("10.0.0.1", 40000, "10.0.0.2", 8888)));
        Assert.Equal(FilterAction.Accept, _client.Receive(Segment("10.0.0.1", 40000, "10.0.0.2", 8888)));
    }

    [Fact]
    public void A_single_host_simulation_may_leave_the_host_out()
    {
        // Proves commands without a host go to the only host, and name the host when there are several.
        var single = _system.ActorOf(ChaosActor.Props([_server.Binding]), "single");
        var several = _system.ActorOf(ChaosActor.Props([_client.Binding, _witness.Binding]), "several");
        var probe = new TestProbe(_system);

        probe.Send(single, new RunCommand(null, "iptables -A INPUT -s 10.0.0.9 -j DROP"));
        probe.ExpectMsg<ChaosActionCompleted>();
        probe.Send(several, new RunCommand(null, "iptables -A INPUT -s 10.0.0.9 -j DROP"));

        Assert.Equal("chaos: name the host the command is for (this simulation has 2: client, witness)", probe.ExpectMsg<ChaosActionFailed>().Message);
    }

    [Fact]
    public void Bad_lines_and_impossible_changes_fail_with_their_messages()
    {
        // Proves parse errors (with the column) and run-time failures (iptables' and tc's words) come back as failures and events.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding]), "chaos");
        var probe = new TestProbe(_system);
        var events = new TestProbe(_system);
        _system.EventStream.Subscribe<ChaosCommandRejected>(events.Ref);

        probe.Send(chaos, new RunCommand("server", "iptables -A INPUT --foo"));
        Assert.Equal("unknown option \"--foo\" (at column 19)", probe.ExpectMsg<ChaosActionFailed>().Message);
        probe.Send(chaos, new RunCommand("server", "iptables -D INPUT -s 1.2.3.4 -j DROP"));
        Assert.Equal("iptables: Bad rule (does a matching rule exist in that chain?).", probe.ExpectMsg<ChaosActionFailed>().Message);
        probe.Send(chaos, new RunCommand("server", "tc qdisc change dev eth0 root netem delay 1ms"));
        Assert.Equal("Error: Qdisc not found. To create specify NLM_F_CREATE flag.", probe.ExpectMsg<ChaosActionFailed>().Message);
        probe.Send(chaos, new RunCommand("server", "tc qdisc add dev eth9 root netem delay 1ms"));
        Assert.Equal("Cannot find device \"eth9\"", probe.ExpectMsg<ChaosActionFailed>().Message);

        Assert.Equal(new ChaosCommandRejected(SimTime.Zero, "server", "iptables -A INPUT --foo", "unknown option \"--foo\" (at column 19)"), events.ExpectMsg<ChaosCommandRejected>());
    }

    [Fact]
    public void The_seed_000_timeline_adds_and_deletes_its_rule_in_virtual_time()
    {
        // Proves a timeline applies entries at their times: seed 000's DROP rule holds from 2 s to 8 s and not before or after.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding]), "chaos");
        var applied = new TestProbe(_system);
        _system.EventStream.Subscribe<ChaosCommandApplied>(applied.Ref);
        var ackFromServer = Segment("127.0.0.1", 60000, "127.0.0.1", 45000);

        chaos.Tell(new StartTimeline(
        [
            new(Duration.FromSeconds(2), new RunCommand(null, "sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP")),
            new(Duration.FromSeconds(8), new RunCommand(null, "sudo iptables -D INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP")),
        ]));

        _system.RunUntil(SimTime.FromSeconds(1.999));
        Assert.Equal(FilterAction.Accept, _server.Receive(ackFromServer, "lo"));
        Assert.Equal(new ChaosCommandApplied(SimTime.FromSeconds(2), "server", "sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP", ""), applied.ExpectMsg<ChaosCommandApplied>());
        Assert.Equal(FilterAction.Drop, _server.Receive(ackFromServer, "lo"));
        _system.RunUntil(SimTime.FromSeconds(7.5));
        Assert.Equal(FilterAction.Drop, _server.Receive(ackFromServer, "lo"));
        Assert.Equal(SimTime.FromSeconds(8), applied.ExpectMsg<ChaosCommandApplied>(Duration.FromSeconds(1)).Time);
        Assert.Equal(FilterAction.Accept, _server.Receive(ackFromServer, "lo"));
    }

    [Fact]
    public void A_partition_cuts_both_ways_and_heal_restores_only_what_it_cut()
    {
        // Proves partition [client] | [server, witness] drops on both sides, leaves server-witness traffic alone, and heal keeps user rules.
        var chaos = _system.ActorOf(ChaosActor.Props([_client.Binding, _server.Binding, _witness.Binding]), "chaos");
        var probe = new TestProbe(_system);
        probe.Send(chaos, new RunCommand("server", "iptables -A INPUT -s 10.0.0.3 -p tcp --dport 9999 -j REJECT --reject-with tcp-reset"));
        probe.ExpectMsg<ChaosActionCompleted>();

        chaos.Tell(new StartTimeline(
        [
            new(Duration.FromSeconds(1), new Partition(["client"], ["server", "witness"])),
            new(Duration.FromSeconds(5), Heal.Instance),
        ]));
        _system.RunUntil(SimTime.FromSeconds(2));

        Assert.Equal(FilterAction.Drop, _server.Receive(Segment("10.0.0.1", 40000, "10.0.0.2", 8888)));
        Assert.Equal(FilterAction.Drop, _client.Receive(Segment("10.0.0.2", 8888, "10.0.0.1", 40000)));
        Assert.Equal(FilterAction.Drop, _client.Receive(Segment("10.0.0.3", 5000, "10.0.0.1", 40000)));
        Assert.Equal(FilterAction.Accept, _server.Receive(Segment("10.0.0.3", 5000, "10.0.0.2", 8888)));
        Assert.Contains("-A INPUT -s 10.0.0.1/32 -m comment --comment tcpactors-nemesis -j DROP", _server.Firewall.Apply(IptablesParser.Parse("-S")).Text, StringComparison.Ordinal);

        _system.RunUntil(SimTime.FromSeconds(6));
        Assert.Equal(FilterAction.Accept, _server.Receive(Segment("10.0.0.1", 40000, "10.0.0.2", 8888)));
        Assert.Equal(FilterAction.Accept, _client.Receive(Segment("10.0.0.2", 8888, "10.0.0.1", 40000)));
        Assert.Equal(1, _server.Firewall.RuleCount);
    }

    [Fact]
    public void Isolating_a_host_cuts_it_off_from_every_other_host()
    {
        // Proves isolate: the host drops everyone's packets and everyone drops its packets, then heal undoes it.
        var chaos = _system.ActorOf(ChaosActor.Props([_client.Binding, _server.Binding, _witness.Binding]), "chaos");
        var probe = new TestProbe(_system);

        probe.Send(chaos, new Isolate("server"));
        Assert.Equal("isolate server", probe.ExpectMsg<ChaosActionCompleted>().Action.Describe());

        Assert.Equal(FilterAction.Drop, _server.Receive(Segment("10.0.0.3", 1, "10.0.0.2", 2)));
        Assert.Equal(FilterAction.Drop, _witness.Receive(Segment("10.0.0.2", 2, "10.0.0.3", 1)));
        Assert.Equal(FilterAction.Accept, _witness.Receive(Segment("10.0.0.1", 2, "10.0.0.3", 1)));
        probe.Send(chaos, Heal.Instance);
        probe.ExpectMsg<ChaosActionCompleted>();
        Assert.Equal(FilterAction.Accept, _server.Receive(Segment("10.0.0.3", 1, "10.0.0.2", 2)));
    }

    [Fact]
    public void Netem_commands_install_change_and_remove_queue_disciplines()
    {
        // Proves tc add installs netem on the interface (seeded stream), change keeps it, del removes it, show lists it.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding]), "chaos");
        var probe = new TestProbe(_system);

        probe.Send(chaos, new RunCommand("server", "tc qdisc add dev eth0 root netem delay 20ms"));
        probe.ExpectMsg<ChaosActionCompleted>();
        var netem = Assert.IsType<NetemQueueDiscipline>(_server.Queues["eth0"]);
        probe.Send(chaos, new RunCommand("server", "tc qdisc add dev eth0 root netem delay 30ms"));
        Assert.Equal("Error: Exclusivity flag on, cannot modify.", probe.ExpectMsg<ChaosActionFailed>().Message);
        probe.Send(chaos, new RunCommand("server", "tc qdisc change dev eth0 root netem delay 30ms loss 1%"));
        probe.ExpectMsg<ChaosActionCompleted>();
        Assert.Same(netem, _server.Queues["eth0"]);
        Assert.Equal(Duration.FromMilliseconds(30), netem.Settings.Latency);
        probe.Send(chaos, new RunCommand("server", "tc qdisc show"));
        Assert.Equal("qdisc netem 8001: dev eth0 root refcnt 2 limit 1000 delay 30ms loss 1%\n", probe.ExpectMsg<ChaosActionCompleted>().Output);
        probe.Send(chaos, new RunCommand("server", "tc qdisc del dev eth0 root"));
        probe.ExpectMsg<ChaosActionCompleted>();

        Assert.Null(_server.Queues["eth0"]);
    }

    [Fact]
    public void Netem_draws_replay_from_the_run_seed()
    {
        // Proves two systems with the same seed get identical netem decisions, as the stream comes from the run seed and names.
        static List<Departure> Run(ulong seed)
        {
            var system = ActorSystem.Create("replay", seed);
            var host = new FakeHost("server", "10.0.0.2", "eth0");
            system.ActorOf(ChaosActor.Props([host.Binding]), "chaos").Tell(new RunCommand(null, "tc qdisc add dev eth0 root netem delay 10ms 5ms loss 10%"));
            system.RunUntilIdle();
            var departures = new List<Departure>();
            for (int i = 0; i < 200; i++)
            {
                host.Queues["eth0"]!.Enqueue(Segment("10.0.0.2", 1, "10.0.0.1", 2), new SimTime(i * 1_000_000L), departures);
            }

            return departures;
        }

        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void A_link_flaps_down_and_up_on_schedule()
    {
        // Proves FlapLink takes the link down at once, up after the down time, and repeats for the cycles, ending up.
        var links = new RecordingLinks(_system);
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding], links), "chaos");

        chaos.Tell(new StartTimeline([new(Duration.FromSeconds(1), new FlapLink("client-server", Duration.FromMilliseconds(200), Duration.FromMilliseconds(800), Cycles: 2))]));
        _system.RunUntil(SimTime.FromSeconds(10));

        Assert.Equal(
            [(SimTime.FromSeconds(1), false), (SimTime.FromSeconds(1.2), true), (SimTime.FromSeconds(2), false), (SimTime.FromSeconds(2.2), true)],
            links.Changes.Select(c => (c.Time, c.Up)));
    }

    [Fact]
    public void Link_actions_fail_without_link_control()
    {
        // Proves a clear failure when the simulation registered no ILinkControl.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding]), "chaos");
        var probe = new TestProbe(_system);

        probe.Send(chaos, new SetLinkState("a-b", Up: false));

        Assert.Equal("chaos: no link control was registered (the simulation provides ILinkControl)", probe.ExpectMsg<ChaosActionFailed>().Message);
    }

    [Fact]
    public void A_link_the_link_control_does_not_know_is_a_rejected_command_not_a_failure()
    {
        // Proves ChaosActor.SetLink turns the link control's refusal into a reply and a rejection event; the actor lives on.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding], new RefusingLinks()), "chaos");
        var probe = new TestProbe(_system);
        var events = new TestProbe(_system);
        _system.EventStream.Subscribe<ChaosCommandRejected>(events.Ref);

        probe.Send(chaos, new SetLinkState("a", Up: false));

        Assert.Equal("chaos: no link 'a'", probe.ExpectMsg<ChaosActionFailed>().Message);
        Assert.Equal("chaos: no link 'a'", events.ExpectMsg<ChaosCommandRejected>().Message);
        probe.Send(chaos, new RunCommand("server", "iptables -A INPUT -j DROP"));
        probe.ExpectMsg<ChaosActionCompleted>();
    }

    [Fact]
    public void The_firewall_snapshot_answers_a_query()
    {
        // Proves GetFirewall replies with the host's rules and counters.
        var chaos = _system.ActorOf(ChaosActor.Props([_server.Binding]), "chaos");
        var probe = new TestProbe(_system);
        probe.Send(chaos, new RunCommand("server", "iptables -A INPUT -s 10.0.0.1 -j DROP"));
        probe.ExpectMsg<ChaosActionCompleted>();
        _server.Receive(Segment("10.0.0.1", 1, "10.0.0.2", 2));

        probe.Send(chaos, new GetFirewall("server"));

        var rule = Assert.Single(probe.ExpectMsg<FirewallSnapshot>()[FirewallChain.Input].Rules);
        Assert.Equal(new RuleCounters(1, 40), rule.Counters);
    }

    [Fact]
    public void A_drop_rule_takes_a_gso_packet_whole_and_counts_it_once()
    {
        // Proves iptables as it meets a GSO sk_buff in the sending host's OUTPUT chain: one packet, matched by its
        // whole length (the length match reads skb->len), counted once with all its bytes; dropping it drops every
        // segment it stands for, since they are one packet until the device (or software GSO) cuts them.
        var chaos = _system.ActorOf(ChaosActor.Props([_client.Binding]), "chaos");
        var probe = new TestProbe(_system);
        probe.Send(chaos, new RunCommand("client", "iptables -A OUTPUT -d 10.0.0.2 -m length --length 5000:65535 -j DROP"));
        probe.ExpectMsg<ChaosActionCompleted>();
        var gso = Segment("10.0.0.1", 40000, "10.0.0.2", 80) with { PayloadLength = 5520, GsoSize = 1448 };

        Assert.Equal(FilterAction.Drop, _client.Send(gso));
        Assert.Equal(FilterAction.Accept, _client.Send(GsoSegmentation.Split(gso)[0]));

        probe.Send(chaos, new GetFirewall("client"));
        var rule = Assert.Single(probe.ExpectMsg<FirewallSnapshot>()[FirewallChain.Output].Rules);
        Assert.Equal(new RuleCounters(1, 40 + 5520), rule.Counters);
    }

    private static Segment Segment(string source, ushort sourcePort, string destination, ushort destinationPort) =>
        TestPackets.Tcp(source, sourcePort, destination, destinationPort, TcpFlags.Ack);

    /// <summary>A stand-in for the Host: it records what the chaos actor installs and asks the filter as a host would.</summary>
    private sealed class FakeHost
    {
        public FakeHost(string name, string address, params string[] interfaces)
        {
            Binding = new ChaosHostBinding(name, [IPv4Address.Parse(address)], interfaces, filter => Filter = filter, (name, queue) => Queues[name] = queue);
        }

        public ChaosHostBinding Binding { get; }

        public IPacketFilter? Filter { get; private set; }

        public HostFirewall Firewall => (HostFirewall)Filter!;

        public Dictionary<string, IQueueDiscipline?> Queues { get; } = [];

        public FilterAction Receive(Packet packet, string interfaceName = "eth0") =>
            Filter!.Filter(packet, new HookContext(Binding.HostName, HookPoint.Input, interfaceName, null, SimTime.Zero)).Action;

        public FilterAction Send(Packet packet, string interfaceName = "eth0") =>
            Filter!.Filter(packet, new HookContext(Binding.HostName, HookPoint.Output, null, interfaceName, SimTime.Zero)).Action;
    }

    private sealed class RefusingLinks : ILinkControl
    {
        public void SetUp(string linkName, bool up) => throw new InvalidOperationException($"no link '{linkName}'");
    }

    private sealed class RecordingLinks(ActorSystem system) : ILinkControl
    {
        public List<(SimTime Time, string Link, bool Up)> Changes { get; } = [];

        public void SetUp(string linkName, bool up) => Changes.Add((system.Now, linkName, up));
    }
}
