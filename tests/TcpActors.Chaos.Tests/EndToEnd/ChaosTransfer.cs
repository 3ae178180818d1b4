using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// Runs a <see cref="TransferPlan"/>: client 10.0.0.1/24 and server 10.0.0.2/24 on an instant link, both
/// handed to the chaos actor, which puts netem on the client's eth0 on a timeline; the client writes real
/// payload bytes to the server and closes, the server reads until end of stream and closes. What the
/// receiver saw is recorded: tcpdump on the server's eth0 (segments and text), its drops, both hosts'
/// TCP counters, netem's events and counters.
/// </summary>
internal sealed class ChaosTransfer
{
    public static readonly SocketAddress ServerAddress = SocketAddress.Parse("10.0.0.2:5001");

    /// <summary>Far more than any plan needs; a transfer that has not ended by then has hung.</summary>
    private static readonly Duration s_limit = Duration.FromSeconds(600);

    private ChaosTransfer(TransferPlan plan, byte[] written)
    {
        Plan = plan;
        Written = written;
    }

    public TransferPlan Plan { get; }

    /// <summary>The bytes the client's send() calls took, in order.</summary>
    public byte[] Written { get; }

    /// <summary>The bytes the server's application read, in order.</summary>
    public List<byte> Read { get; } = [];

    /// <summary>When the server read end of stream, or null if it never did.</summary>
    public SimTime? EndOfStreamAt { get; private set; }

    /// <summary>Failed calls and surprises of either application.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>tcpdump on the server's eth0, both directions, in the order captured.</summary>
    public List<CapturedSegment> Receiver { get; } = [];

    /// <summary>The same capture as tcpdump prints it.</summary>
    public string ReceiverTcpdump { get; private set; } = "";

    /// <summary>What netem on the client's eth0 reported, one event per copy.</summary>
    public List<PacketImpaired> Impaired { get; } = [];

    /// <summary>Packets the server's host discarded.</summary>
    public List<PacketDropped> ReceiverDrops { get; } = [];

    /// <summary>The netem qdisc the chaos actor put on the client's eth0 (kept after it is deleted).</summary>
    public NetemQueueDiscipline? Netem { get; private set; }

    public TcpCounters SenderCounters { get; private set; } = null!;

    public TcpCounters ReceiverCounters { get; private set; } = null!;

    public Host ReceiverHost { get; private set; } = null!;

    public IEnumerable<CapturedSegment> Arrivals => Receiver.Where(c => c.IsArrival);

    /// <summary>The segments the server sent (its ACKs and its FIN).</summary>
    public IEnumerable<CapturedSegment> ReceiverReplies => Receiver.Where(c => !c.IsArrival);

    /// <summary>
    /// The intact arrivals that came out of order, by index in <see cref="Receiver"/>: their first byte lies
    /// beyond <c>Expected</c>, the next byte the receiver expected (rcv_nxt), which was still missing.
    /// </summary>
    public List<(int Index, SeqNum Expected)> OutOfOrderArrivals()
    {
        var sequence = new ReceiveSequence();
        var arrivals = new List<(int Index, SeqNum Expected)>();
        for (int i = 0; i < Receiver.Count; i++)
        {
            var expected = sequence.Expected;
            if (Receiver[i].IsArrival && !Receiver[i].Segment.Corrupted && sequence.Arrive(Receiver[i].Segment))
            {
                arrivals.Add((i, expected!.Value));
            }
        }

        return arrivals;
    }

    /// <summary>The first segment the server sent after <see cref="Receiver"/>[<paramref name="index"/>].</summary>
    public CapturedSegment ReplyAfter(int index) => Receiver.Skip(index + 1).First(c => !c.IsArrival);

    /// <summary>
    /// The server's duplicate ACKs: segments without data, SYN or FIN whose cumulative ACK and window repeat
    /// those of the segment it sent before (RFC 5681's definition, as the sender counts them).
    /// </summary>
    public List<CapturedSegment> DuplicateAcks()
    {
        var replies = ReceiverReplies.ToList();
        return replies.Skip(1).Where((reply, i) =>
            reply.Segment.SequenceLength == 0 && reply.Segment.Flags == TcpFlags.Ack
            && reply.Segment.Ack == replies[i].Segment.Ack && reply.Segment.Window == replies[i].Segment.Window).ToList();
    }

    public static ChaosTransfer Run(TransferPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var random = RandomStream.Derive(plan.Seed, "payload");
        var written = new byte[plan.Bytes];
        for (int i = 0; i < written.Length; i++)
        {
            written[i] = (byte)random.NextUInt32();
        }

        var run = new ChaosTransfer(plan, written);
        run.Execute();
        return run;
    }

    private void Execute()
    {
        var system = ActorSystem.Create("chaos-e2e", Plan.Seed);
        var topology = new TopologyBuilder(system)
            .AddModule(Tcp.Module)
            .AddHost("client", h => h.Address("10.0.0.1/24").Sysctl("net.ipv4.tcp_congestion_control", Plan.CongestionControl))
            .AddHost("server", h => h.Address("10.0.0.2/24").Sysctl("net.ipv4.tcp_congestion_control", Plan.CongestionControl))
            .Connect("client", "server", LinkSettings.Instant with { GsoMaxSegs = Plan.GsoMaxSegs })
            .Build();
        ReceiverHost = topology["server"];
        SenderCounters = Tcp.StackOf(topology["client"]).Counters;
        ReceiverCounters = Tcp.StackOf(ReceiverHost).Counters;
        Observe(system);
        using var tcpdumpText = new StringWriter();
        using (new TcpdumpObserver(system.EventStream, tcpdumpText, CaptureFilter.For("server", "eth0")))
        {
            StartChaos(system, topology);
            var server = system.ActorOf(
                Props.Create(() => new ReadingApplication(Tcp.ManagerOf(ReceiverHost), ServerAddress, Read, Errors, () => EndOfStreamAt = system.Now)),
                "reader");
            var client = system.ActorOf(
                Props.Create(() => new WritingApplication(Tcp.ManagerOf(topology["client"]), ServerAddress, Written, Plan.WriteSize, Plan.WriteAt, Errors)),
                "writer");
            server.Tell(StartApplication.Instance, null);
            system.ScheduleTellOnce(Duration.FromMilliseconds(1), client, StartApplication.Instance, null);
            system.RunUntil(() => EndOfStreamAt is not null, s_limit);
            // What is still in flight lands (netem holds packets up to 120 ms here), the connection closes.
            system.RunFor(Duration.FromSeconds(1));
        }

        ReceiverTcpdump = tcpdumpText.ToString();
    }

    private void Observe(ActorSystem system)
    {
        system.EventStream.Subscribe<PacketCaptured>(e =>
        {
            if (e.HostName == "server" && e.InterfaceName == "eth0" && e.Packet is Segment segment)
            {
                Receiver.Add(new CapturedSegment(e.Time, e.Direction, segment));
            }
        });
        system.EventStream.Subscribe<PacketImpaired>(e =>
        {
            if (e.HostName == "client")
            {
                Impaired.Add(e);
            }
        });
        system.EventStream.Subscribe<PacketDropped>(e =>
        {
            if (e.HostName == "server")
            {
                ReceiverDrops.Add(e);
            }
        });
        system.EventStream.Subscribe<ChaosCommandRejected>(e => Errors.Add($"{e.Time} s chaos: {e.Command}: {e.Message}"));
    }

    private void StartChaos(ActorSystem system, Topology topology)
    {
        var bindings = topology.Hosts.Select(host => new ChaosHostBinding(
            host.Name,
            host.Addresses.Where(a => !a.IsLoopback).ToList(),
            host.Interfaces.Select(i => i.Name).ToList(),
            filter => host.Filter = filter,
            (name, discipline) =>
            {
                host.FindInterface(name)!.QueueDiscipline = discipline;
                if (host.Name == "client" && discipline is NetemQueueDiscipline netem)
                {
                    Netem = netem;
                }
            })).ToList();
        var chaos = system.ActorOf(ChaosActor.Props(bindings), "chaos");
        var timeline = new List<ChaosTimelineEntry>
        {
            new(Plan.NetemAt - SimTime.Zero, new RunCommand("client", "tc qdisc add dev eth0 root netem " + Plan.Netem)),
        };
        if (Plan.NetemUntil is { } until)
        {
            timeline.Add(new(until - SimTime.Zero, new RunCommand("client", "tc qdisc del dev eth0 root")));
        }

        chaos.Tell(new StartTimeline(timeline), null);
    }
}
