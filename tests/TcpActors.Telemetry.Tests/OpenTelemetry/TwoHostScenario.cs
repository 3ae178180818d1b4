using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// A client (10.0.0.1) and a server (10.0.0.2) joined by a link with 10 ms of delay each way, driven by
/// test probes through the socket API in virtual time: the known scenario the telemetry tests observe.
/// </summary>
internal sealed class TwoHostScenario
{
    public static readonly SocketAddress ServerAddress = SocketAddress.Parse("10.0.0.2:8080");

    public TwoHostScenario(ulong seed = 7, string name = "otel")
    {
        System = ActorSystem.Create(name, seed);
        Topology = new TopologyBuilder(System)
            .AddModule(Tcp.Module)
            .AddHost("client", h => h.Address("10.0.0.1/24"))
            .AddHost("server", h => h.Address("10.0.0.2/24"))
            .Connect("client", "server", new LinkSettings(Duration.FromMilliseconds(10)))
            .Build();
        Client = new TestProbe(System, "client-app");
        Server = new TestProbe(System, "server-app");
    }

    public ActorSystem System { get; }

    public Topology Topology { get; }

    public TestProbe Client { get; }

    public TestProbe Server { get; }

    public Host ClientHost => Topology["client"];

    public Host ServerHost => Topology["server"];

    /// <summary>socket(), bind(10.0.0.2:8080), listen() on the server.</summary>
    public IActorRef Listen() => Listen(ServerHost, ServerAddress, Server);

    /// <summary>socket(), bind(<paramref name="address"/>), listen() on <paramref name="host"/>, by <paramref name="app"/>.</summary>
    public static IActorRef Listen(Host host, SocketAddress address, TestProbe app)
    {
        app.Send(Tcp.ManagerOf(host), new OpenSocket(new SocketOptions { ReuseAddress = true }));
        var listener = app.ExpectMsg<SocketOpened>().Socket;
        app.Send(listener, new Bind(address));
        app.ExpectMsg<Bound>();
        app.Send(listener, new Listen(16));
        app.ExpectMsg<Listening>();
        return listener;
    }

    /// <summary>
    /// A SYN from 10.0.0.1:<paramref name="clientPort"/> to the server, sent by the client host's raw socket:
    /// a peer that is no socket of the simulation (the client's stack answers the SYN-ACK with a reset).
    /// </summary>
    public void SendRawSyn(ushort clientPort = 41000)
    {
        ClientHost.Output(new Segment
        {
            Source = ClientHost.PrimaryAddress,
            Destination = ServerAddress.Address,
            SourcePort = clientPort,
            DestinationPort = ServerAddress.Port,
            Seq = new SeqNum(1000),
            Flags = TcpFlags.Syn,
            Window = 64240,
        });
        System.RunFor(Duration.FromMilliseconds(100));
    }

    /// <summary>
    /// The whole life of one connection: connect from 10.0.0.1:40000, 100 bytes to the server, the client
    /// closes first (so it ends in TIME_WAIT), the server closes after reading the end of stream, and 61 s
    /// pass so that TIME_WAIT runs out.
    /// </summary>
    public void RunLifecycle(IActorRef listener, ushort clientPort = 40000)
    {
        Client.Send(Tcp.ManagerOf(ClientHost), new Connect(ServerAddress, Local: new SocketAddress(ClientHost.PrimaryAddress, clientPort)));
        var connected = Client.ExpectMsg<Connected>();
        Server.Send(listener, Accept.Instance);
        var accepted = Server.ExpectMsg<Accepted>();
        Client.Send(connected.Socket, new Send(ByteChunk.OfLength(100)));
        Client.ExpectMsg<Sent>();
        System.RunFor(Duration.FromMilliseconds(100));
        Server.Send(accepted.Socket, new Read());
        Server.ExpectMsg<Received>();
        Client.Send(connected.Socket, Close.Instance);
        Client.ExpectMsg<Closed>();
        System.RunFor(Duration.FromMilliseconds(100));
        Server.Send(accepted.Socket, new Read());
        Server.ExpectMsg<EndOfStream>();
        Server.Send(accepted.Socket, Close.Instance);
        Server.ExpectMsg<Closed>();
        System.RunFor(Duration.FromSeconds(61));
    }

    /// <summary>connect() to a server port nobody listens on: the server's stack answers the SYN with RST.</summary>
    public CommandFailed ConnectToClosedPort(ushort port = 9)
    {
        Client.Send(Tcp.ManagerOf(ClientHost), new Connect(new SocketAddress(ServerAddress.Address, port)));
        return Client.ExpectMsg<CommandFailed>();
    }

    /// <summary>Opens <paramref name="count"/> connections from ephemeral ports (left open).</summary>
    public void OpenConnections(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Client.Send(Tcp.ManagerOf(ClientHost), new Connect(ServerAddress));
        }

        for (int i = 0; i < count; i++)
        {
            Client.ExpectMsg<Connected>();
        }
    }
}

/// <summary>
/// A filter on one host that drops the first <paramref name="count"/> SYNs arriving at INPUT, named like an
/// iptables rule. Like Chaos's firewall, it publishes its own drops (the host only counts them).
/// </summary>
internal sealed class DropFirstSyns(int count, EventStream events) : IPacketFilter
{
    public const string RuleName = "INPUT rule 1: -A INPUT -p tcp --syn -j DROP";

    private int _left = count;

    public FilterVerdict Filter(Packet packet, in HookContext context)
    {
        if (context.Hook == HookPoint.Input && packet is Segment { IsSyn: true, HasAck: false } && _left > 0)
        {
            _left--;
            events.Publish(new PacketDropped(context.Now, context.HostName, DropReason.FilterRule, RuleName, packet));
            return new FilterVerdict(FilterAction.Drop, Rule: RuleName);
        }

        return FilterVerdict.Accept;
    }
}
