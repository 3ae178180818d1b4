using System.Globalization;
using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// The simulated twin of tools/kernel-lab: the two topologies the kernel experiments ran on, scripted
/// processes making socket calls at given virtual times, iptables-like DROP rules added and deleted on a
/// timeline, captures on the interfaces the kernel captured on, and the socket-call log.
/// <list type="bullet">
/// <item><b>loopback</b>: one host, 127.0.0.1, capture on <c>lo</c>;</item>
/// <item><b>routed</b>: client 10.0.1.2/24 — router 10.0.1.1 + 10.0.2.1 (forwarding) — server
///   10.0.2.2/24, instant links, capture on the client's <c>eth0</c> (the kernel's <c>c0</c>) and, as the
///   second capture, on the server's <c>eth0</c> (<c>s0</c>).</item>
/// </list>
/// </summary>
internal sealed class Lab
{
    private readonly Dictionary<Host, TestFirewall> _firewalls = [];
    private readonly IActorRef _timeline;

    private Lab(ActorSystem system, Topology topology, Host client, Host server, Host? router, string captureInterface)
    {
        System = system;
        Topology = topology;
        Client = client;
        Server = server;
        Router = router;
        Wire = new WireCapture(system, client.Name, captureInterface);
        ServerWire = new WireCapture(system, server.Name, captureInterface);
        _timeline = system.ActorOf(Props.Create(() => new TimelineActor()), "timeline");
    }

    public ActorSystem System { get; }

    public Topology Topology { get; }

    public Host Client { get; }

    public Host Server { get; }

    public Host? Router { get; }

    /// <summary>The main capture: the client's eth0 (routed) or lo (loopback).</summary>
    public WireCapture Wire { get; }

    /// <summary>The server's eth0 (routed); the same as <see cref="Wire"/> on loopback.</summary>
    public WireCapture ServerWire { get; }

    public CallLog Calls { get; } = new();

    /// <summary>ss snapshots taken with <see cref="Ss"/>, in order.</summary>
    public List<string> SsLog { get; } = [];

    public TcpStack ClientStack => Tcp.StackOf(Client);

    public TcpStack ServerStack => Tcp.StackOf(Server);

    public string ClientAddress => Client == Server ? "127.0.0.1" : "10.0.1.2";

    public string ServerAddress => Client == Server ? "127.0.0.1" : "10.0.2.2";

    /// <summary>One host with only a loopback interface (the kernel-lab loopback topology).</summary>
    public static Lab Loopback(params string[] sysctls)
    {
        var system = ActorSystem.Create("lab", 1);
        var topology = new TopologyBuilder(system)
            .AddModule(Tcp.Module)
            .AddHost("box", h => Configure(h.LoopbackOnly(), sysctls))
            .Build();
        var box = topology["box"];
        return new Lab(system, topology, box, box, null, "lo");
    }

    /// <summary>
    /// Client — router — server, instant links unless <paramref name="links"/> says otherwise (both links, both
    /// directions: a one-way delay of twice its delay; <paramref name="serverLinks"/> sets the router — server link
    /// apart, e.g. to put the whole path's delay and rate on one link as kernel-lab's delay line does); sysctls as
    /// "name=value" per host.
    /// </summary>
    public static Lab Routed(string[]? client = null, string[]? server = null, LinkSettings? links = null, LinkSettings? serverLinks = null, ulong seed = 1)
    {
        var system = ActorSystem.Create("lab", seed);
        var topology = new TopologyBuilder(system)
            .AddModule(Tcp.Module)
            .AddHost("client", h => Configure(h.Address("10.0.1.2/24"), client ?? []))
            .AddRouter("router")
            .AddHost("server", h => Configure(h.Address("10.0.2.2/24"), server ?? []))
            .Connect("client", "router", links)
            .Connect("router", "server", serverLinks ?? links)
            .Build();
        var router = topology["router"];
        return new Lab(system, topology, topology["client"], topology["server"], router, "eth0");
    }

    /// <summary>Starts a scripted process on <paramref name="host"/> now.</summary>
    public void Run(string role, Host host, Func<ScriptedProcess, IEnumerable<Step>> script)
    {
        var process = new ScriptedProcess(this, role, host);
        System.ActorOf(Props.Create(() => new ScriptActor(process, script(process))), "process-" + role);
    }

    /// <summary>Runs <paramref name="action"/> at <paramref name="seconds"/> of virtual time (a harness action, like lab.sh's).</summary>
    public void At(double seconds, Action action)
    {
        var at = SimTime.FromSeconds(seconds);
        System.ScheduleTellOnce(at > System.Now ? at - System.Now : Duration.Zero, _timeline, action, null);
    }

    public void RunUntil(double seconds) => System.RunUntil(SimTime.FromSeconds(seconds));

    /// <summary>iptables -A CHAIN … -j DROP on <paramref name="host"/>, now.</summary>
    public DropRule AddRule(Host host, DropRule rule)
    {
        if (!_firewalls.TryGetValue(host, out var firewall))
        {
            firewall = new TestFirewall(host.Name);
            _firewalls.Add(host, firewall);
            host.Filter = firewall;
        }

        firewall.Append(rule);
        Calls.Add(System.Now, $"lab[{host.Name}]", "iptables -A " + rule.Text);
        return rule;
    }

    /// <summary>iptables -D … on <paramref name="host"/>, now.</summary>
    public void DeleteRule(Host host, DropRule rule)
    {
        _firewalls[host].Delete(rule);
        Calls.Add(System.Now, $"lab[{host.Name}]", "iptables -D " + rule.Text);
    }

    /// <summary>
    /// <c>ip link set dev IF gso_max_segs N</c> on every interface of <paramref name="host"/> but lo, now: 1 turns GSO
    /// off (the default is 65535, as on veth) as kernel-lab does on c0 in experiments 25 to 27 and on s0 in 40.
    /// </summary>
    public void SetGsoMaxSegs(Host host, int segs)
    {
        foreach (var device in host.Interfaces.Where(i => !i.IsLoopback))
        {
            device.GsoMaxSegs = segs;
            Calls.Add(System.Now, $"lab[{host.Name}]", $"ip link set dev {device.Name} gso_max_segs {segs}");
        }
    }

    /// <summary>
    /// What lab_delay_line does to the hosts before it starts forwarding (experiments 28 and 29 routed, 30
    /// port-unreachable-delayed, 31 and 43): <c>gso_max_segs 1</c> on c0 and s0, one segment per sk_buff.
    /// </summary>
    public void GsoOffBehindTheDelayLine()
    {
        SetGsoMaxSegs(Client, 1);
        SetGsoMaxSegs(Server, 1);
    }

    /// <summary>
    /// The path of experiments 53 and 54: kernel-lab's delay line, 10 ms each way at 10 Mbit/s with room for every
    /// segment in flight, the server's link instant, one segment per sk_buff; bbr, the hosts' default.
    /// </summary>
    public static Lab BbrDelayLine()
    {
        var lab = Routed(
            links: new LinkSettings(Duration.FromMilliseconds(10), BandwidthBitsPerSecond: 10_000_000, QueueLimitPackets: 100_000),
            serverLinks: new LinkSettings(Duration.Zero));
        lab.GsoOffBehindTheDelayLine();
        return lab;
    }

    public int RuleMatches(Host host, DropRule rule) => _firewalls.TryGetValue(host, out var firewall) ? firewall.MatchCount(rule) : 0;

    /// <summary>A hand-built segment (no options) sent from <paramref name="host"/>'s raw socket, as driver.send_raw_tcp does.</summary>
    public void SendRaw(Host host, string source, string destination, TcpFlags flags, uint seq, uint ack = 0, ushort window = 0, int length = 0)
    {
        var from = SocketAddress.Parse(source);
        var to = SocketAddress.Parse(destination);
        host.Output(new Segment
        {
            Source = from.Address,
            Destination = to.Address,
            SourcePort = from.Port,
            DestinationPort = to.Port,
            Seq = new SeqNum(seq),
            Ack = new SeqNum(ack),
            Flags = flags,
            Window = window,
            PayloadLength = length,
        });
        Calls.Add(System.Now, $"raw@{host.Name}", $"send {source} > {destination} flags {flags.ToTcpdumpString()} seq {seq} ack {ack} len {length}");
    }

    /// <summary>Records an <c>ss -tan -o</c>-like snapshot of <paramref name="host"/> under <paramref name="label"/>, and returns its lines.</summary>
    public string Ss(Host host, string label)
    {
        string text = SsText(Tcp.StackOf(host).Snapshot());
        SsLog.Add(string.Create(CultureInfo.InvariantCulture, $"### {System.Now} {host.Name} {label}\n{text}"));
        return text;
    }

    /// <summary>The sockets without the listeners, one line each: <c>TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)</c>.</summary>
    public static string SsText(IEnumerable<SocketSnapshot> sockets)
    {
        var text = new StringBuilder();
        foreach (var socket in sockets.Where(s => s.State != TcpState.Listen))
        {
            text.Append(CultureInfo.InvariantCulture, $"{socket.State.ToSsString()} {socket.RecvQ} {socket.SendQ} {socket.Local} {socket.Peer}");
            if (socket.Timer is { } timer)
            {
                text.Append(' ').Append(SsTimerText.Format(timer));
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// The host's sysctls: the kernel-lab namespaces' congestion control first (bbr, inherited from the project
    /// machine, see tests/reference/kernel/sysctl-defaults.txt; it sets the send buffer's factor), then the script's.
    /// </summary>
    private static TopologyBuilder.HostOptions Configure(TopologyBuilder.HostOptions options, string[] sysctls)
    {
        options.Sysctl("net.ipv4.tcp_congestion_control", "bbr");
        foreach (string setting in sysctls)
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            options.Sysctl(setting[..equals].Trim(), setting[(equals + 1)..].Trim());
        }

        return options;
    }

    /// <summary>Runs the harness actions scheduled with <see cref="At"/>.</summary>
    private sealed class TimelineActor : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is Action action)
            {
                action();
            }
            else
            {
                Unhandled(message);
            }
        }
    }
}

/// <summary>The socket calls of an experiment with the virtual time each returned: <c>131.000 client connect(10.0.2.2:8080) -> ETIMEDOUT</c>.</summary>
internal sealed class CallLog
{
    public List<string> Lines { get; } = [];

    public void Add(SimTime time, string role, string text) =>
        Lines.Add(string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F3} {role} {text}"));

    /// <summary>The lines of one role (lab actions excluded unless asked).</summary>
    public string Of(params string[] roles) =>
        string.Join('\n', Lines.Where(l => roles.Contains(l.Split(' ')[1])));

    public override string ToString() => string.Join('\n', Lines);
}

/// <summary>The segments and ICMP errors seen on one interface of one host (both directions), as <see cref="WireRecord"/>s.</summary>
internal sealed class WireCapture
{
    private readonly string _host;
    private readonly string _interface;

    public WireCapture(ActorSystem system, string host, string networkInterface)
    {
        _host = host;
        _interface = networkInterface;
        system.EventStream.Subscribe<PacketCaptured>(Record);
    }

    /// <summary>Absolute virtual time of each record, in the order seen.</summary>
    public List<(long At, WireRecord Record)> Segments { get; } = [];

    /// <summary>Virtual time of the first segment (the zero of the rendered times).</summary>
    public long? Origin => Segments.Count > 0 ? Segments[0].At : null;

    /// <summary>The capture in <see cref="WireText"/> form, times relative to <paramref name="origin"/> (default: its first segment).</summary>
    public string Text(long? origin = null, bool withTime = true, double? untilSeconds = null)
    {
        long zero = origin ?? Origin ?? 0;
        long end = untilSeconds is { } until ? zero + (long)Math.Round(until * 1e9) : long.MaxValue;
        return WireText.Render(Segments.Where(s => s.At <= end).Select(s => s.Record with { Time = s.At - zero }), withTime);
    }

    public override string ToString() => Text();

    private void Record(PacketCaptured capture)
    {
        if (capture.HostName != _host || capture.InterfaceName != _interface)
        {
            return;
        }

        if (capture.Packet is Segment segment)
        {
            Segments.Add((capture.Time.Nanoseconds, WireRecord.Of(segment, 0)));
        }
        else if (capture.Packet is IcmpPacket icmp)
        {
            Segments.Add((capture.Time.Nanoseconds, WireRecord.OfIcmp(icmp, 0)));
        }
    }
}
