using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reliability.Tests;

/// <summary>The two applications of one connection.</summary>
public sealed record ConnectionRecord(int Index, ConnectionPlan Plan, EndpointRecord Client, EndpointRecord Server)
{
    public string Describe() =>
        $"connection {Index} ({Client.Local?.ToString() ?? "client"} -> {Server.Local?.ToString() ?? IntegrityRun.ServerAddress(Index).ToString()})";
}

/// <summary>What a run gave: the records of every application, the invariant checker, the phases' ends.</summary>
public sealed record IntegrityOutcome(
    IntegrityCase Case,
    IReadOnlyList<ConnectionRecord> Connections,
    InvariantChecker Invariants,
    IReadOnlyList<string> HarnessProblems,
    RunResult Faults,
    RunResult Settle,
    RunResult Cleanup,
    long Events,
    long Retransmissions,
    IReadOnlySet<(SocketAddress To, SocketAddress From)> LostResets,
    IReadOnlySet<(SocketAddress Local, SocketAddress Remote)> TimedOut);

/// <summary>
/// Runs one <see cref="IntegrityCase"/> in TigerBeetle's shape: a bounded faults phase (chaos on), then
/// every fault removed and a bounded settle phase in which every connection must end, then a cleanup
/// phase (applications close what they still hold, timers run out) after which the simulation must be
/// quiescent. Everything comes from the case: the same case gives the same run.
/// </summary>
public static class IntegrityRun
{
    public const ushort FirstServerPort = 5001;

    /// <summary>
    /// After the faults end, every connection has this long (virtual) to finish. Generous on purpose: it
    /// bounds liveness ("eventually"), not speed (the recovery-time test bounds that, with <see cref="LinuxRecoveryLimit"/>).
    /// </summary>
    public static readonly Duration SettleLimit = Duration.FromSeconds(8 * 3600);

    /// <summary>How long Linux needs, at most, to finish these connections once the faults end (the bound of the recovery-time check).</summary>
    public static readonly Duration LinuxRecoveryLimit = Duration.FromSeconds(600);

    /// <summary>After the applications give up, orphans, FIN_WAIT2 and TIME_WAIT have this long to end.</summary>
    public static readonly Duration CleanupLimit = Duration.FromSeconds(1800);

    /// <summary>A safety bound per run: far above what any case needs (a few thousand events).</summary>
    public static readonly RunLimits Limits = new(5_000_000, SimTime.FromSeconds(24 * 3600));

    private static readonly IPv4Address s_clientAddress = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address s_serverAddress = IPv4Address.Parse("10.0.0.2");

    public static SocketAddress ServerAddress(int connection) => new(s_serverAddress, (ushort)(FirstServerPort + connection));

    public static IntegrityOutcome Execute(IntegrityCase plan, TextWriter? trace = null, Action<ActorSystem>? attach = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var system = ActorSystem.Create("integrity", plan.Seed);
        system.Limits = Limits;
        attach?.Invoke(system);
        var problems = new List<string>();
        var lostResets = new HashSet<(SocketAddress To, SocketAddress From)>();
        long retransmissions = 0;
        using var tcpdump = trace is null ? null : Trace(system, trace);
        // A reset is sent once and never again; whether lost on the way or refused on arrival (RFC 5961: a
        // reset whose sequence number is not exactly rcv_nxt earns a challenge ACK, which may be lost in turn),
        // the end it was meant for may never learn that its peer is gone.
        system.EventStream.Subscribe<PacketDropped>(e =>
        {
            if (e.Packet is Segment { IsRst: true } reset)
            {
                lostResets.Add((reset.DestinationSocket, reset.SourceSocket));
            }

            // The links' MTUs never change: TCP must size every segment to fit (SACK blocks included).
            if (e.Reason == DropReason.MtuExceeded && e.Packet is Segment oversized)
            {
                problems.Add($"a segment over the MTU was dropped at {e.Time} s on {e.HostName}: {oversized}");
            }
        });
        // A connection that gives up after its retransmissions sends no reset, and its application may never
        // hear of it (a FIN already queued is read first, and close() returns 0): its peer waits, half-open.
        var timedOut = new HashSet<(SocketAddress Local, SocketAddress Remote)>();
        system.EventStream.Subscribe<TcpSocketError>(e =>
        {
            if (e.Errno == Errno.ETIMEDOUT)
            {
                timedOut.Add((new SocketAddress(e.Tuple.LocalAddress, e.Tuple.LocalPort), new SocketAddress(e.Tuple.RemoteAddress, e.Tuple.RemotePort)));
            }
        });
        system.EventStream.Subscribe<PacketCaptured>(e =>
        {
            if (e.Direction == CaptureDirection.Out && e.Packet is Segment { IsRst: true } reset)
            {
                lostResets.Add((reset.DestinationSocket, reset.SourceSocket));
            }
        });
        system.EventStream.Subscribe<PacketFiltered>(e =>
        {
            // REJECT --reject-with tcp-reset resets one end in the other's name; the other end is told nothing.
            if (e.Action == FilterAction.Reject && e.Packet is Segment rejected)
            {
                lostResets.Add((rejected.DestinationSocket, rejected.SourceSocket));
                lostResets.Add((rejected.SourceSocket, rejected.DestinationSocket));
            }
        });
        system.EventStream.Subscribe<ChaosCommandRejected>(e => problems.Add($"chaos command rejected at {e.Time} s: {e.Command}: {e.Message}"));
        system.EventStream.Subscribe<TcpRetransmitted>(_ => retransmissions++);
        var checker = new InvariantChecker(system);
        foreach (var (connection, index) in plan.Connections.Select((c, i) => (c, i)))
        {
            if (connection.Client.Ending == Ending.CloseAfterEndOfStream && connection.Server.Ending == Ending.CloseAfterEndOfStream)
            {
                problems.Add($"connection {index}: both applications wait for the other's end of stream before closing (an application deadlock, not a TCP one)");
            }
        }

        var topology = BuildTopology(system, plan, problems);
        var connections = StartApplications(system, topology, plan);
        StartChaos(system, topology, plan);

        var faultsEnd = SimTime.Zero + Duration.FromMilliseconds(plan.FaultsMilliseconds);
        var faults = system.RunUntil(faultsEnd);
        var settle = faults.Reason == StopReason.Interrupted ? faults : Settle(system, connections, topology, SettleLimit + ReadingTime(plan));

        // Cleanup: every application lets go of what it holds; then every timer must run out.
        foreach (var record in connections.SelectMany(c => new[] { c.Record.Client, c.Record.Server }).Where(r => !r.Finished))
        {
            record.HungAtSettle = $"{record.Waiting} (at {system.Now} s)";
        }

        foreach (var actor in connections.SelectMany(c => new[] { c.ClientActor, c.ServerActor }))
        {
            actor.Tell(GiveUp.Instance, null);
        }

        var cleanup = settle.Reason == StopReason.Interrupted ? settle : system.RunUntil(() => system.PendingEvents == 0, CleanupLimit);
        if (cleanup.Reason != StopReason.Interrupted)
        {
            checker.Finish();
            checker.CheckQuiescent(topology);
        }

        var records = connections.Select(c => c.Record).ToList();
        tcpdump?.Flush();
        return new IntegrityOutcome(plan, records, checker, problems, faults, settle, cleanup, system.EventsProcessed, retransmissions, lostResets, timedOut);
    }

    /// <summary>For debugging a replayed case: the client's packets as tcpdump prints them, state changes and drops.</summary>
    private static Telemetry.TcpdumpObserver Trace(ActorSystem system, TextWriter trace)
    {
        system.EventStream.Subscribe<TcpStateChanged>(e => trace.WriteLine($"{e.Time} {e.HostName} {e.Tuple} {e.From.ToRfcString()} => {e.To.ToRfcString()} ({e.Reason})"));
        system.EventStream.Subscribe<PacketDropped>(e => trace.WriteLine($"{e.Time} {e.HostName} DROP {e.Reason} {e.Detail}: {e.Packet}"));
        system.EventStream.Subscribe<TcpSocketError>(e => trace.WriteLine($"{e.Time} {e.HostName} {e.Tuple} ERROR {e.Errno} ({e.Reason})"));
        system.EventStream.Subscribe<ChaosCommandApplied>(e => trace.WriteLine($"{e.Time} {e.HostName} CHAOS {e.Command}"));
        system.EventStream.Subscribe<TcpRetransmitted>(e => trace.WriteLine($"{e.Time} {e.HostName} {e.Tuple} RETRANSMIT {e.Kind} seq {e.Seq} length {e.Length}"));
        system.EventStream.Subscribe<PacketCaptured>(e =>
        {
            if (e.HostName == "server" && e.Direction == CaptureDirection.Out)
            {
                trace.WriteLine($"{e.Time} server OUT {e.Packet}");
            }
        });
        return new Telemetry.TcpdumpObserver(system.EventStream, trace, Telemetry.CaptureFilter.For("client"), new Telemetry.TcpdumpOptions { AbsoluteSequenceNumbers = false });
    }

    /// <summary>
    /// Runs until every connection has settled and stays settled for <see cref="SettleGrace"/> (a packet
    /// still on the wire may yet bring a server a connection to accept), or until <paramref name="limit"/>.
    /// </summary>
    private static RunResult Settle(ActorSystem system, List<RunningConnection> connections, Topology topology, Duration limit)
    {
        var deadline = system.Now + limit;
        while (true)
        {
            var result = system.RunUntil(() => Settled(connections, topology), deadline - system.Now);
            if (result.Reason != StopReason.ConditionMet)
            {
                return result;
            }

            var grace = system.RunFor(Duration.Min(SettleGrace, deadline - system.Now));
            if (grace.Reason is StopReason.Interrupted || grace.HitLimit || Settled(connections, topology) || system.Now >= deadline)
            {
                return grace.Reason is StopReason.Interrupted || grace.HitLimit ? grace : result;
            }
        }
    }

    /// <summary>How long a settled run must stay settled: far more than a packet spends on the wire once the faults are off.</summary>
    public static readonly Duration SettleGrace = Duration.FromSeconds(5);

    /// <summary>How long the slow readers of a case need, at most, to read everything their peers write.</summary>
    public static Duration ReadingTime(IntegrityCase plan)
    {
        long milliseconds = 0;
        foreach (var connection in plan.Connections)
        {
            foreach (var (reader, writer) in new[] { (connection.Client, connection.Server), (connection.Server, connection.Client) })
            {
                if (reader.ReadChunk > 0)
                {
                    milliseconds += ((writer.BytesPlanned / reader.ReadChunk) + 2L) * reader.ReadIntervalMilliseconds;
                }
            }
        }

        return Duration.FromMilliseconds(milliseconds);
    }

    /// <summary>
    /// Every application is done, or the server still waits in accept() for a connection that can no longer
    /// reach it: the client has let go and neither host holds a socket of that connection any more.
    /// </summary>
    private static bool Settled(List<RunningConnection> connections, Topology topology) => connections.TrueForAll(c =>
        c.Record.Client.Finished
        && (c.Record.Server.Finished || (!c.Record.Server.Connected && ConnectionGone(topology, c.Record.Client.Local))));

    private static bool ConnectionGone(Topology topology, SocketAddress? client)
    {
        if (client is not { } address)
        {
            return true; // connect() failed before a port was chosen
        }

        return !Tcp.StackOf(topology["client"]).Snapshot().Any(s => s.Local == address)
            && !Tcp.StackOf(topology["server"]).Snapshot().Any(s => s.Peer == address);
    }

    private static Topology BuildTopology(ActorSystem system, IntegrityCase plan, List<string> problems)
    {
        void Configure(TopologyBuilder.HostOptions options, string address)
        {
            options.Address(address);
            foreach (var setting in plan.Sysctls)
            {
                int equals = setting.IndexOf('=', StringComparison.Ordinal);
                options.Sysctl(setting[..equals], setting[(equals + 1)..]);
            }
        }

        try
        {
            return new TopologyBuilder(system)
                .AddModule(Tcp.Module)
                .AddHost("client", options => Configure(options, "10.0.0.1/24"))
                .AddHost("server", options => Configure(options, "10.0.0.2/24"))
                .Connect("client", "server", new LinkSettings(Duration.FromMicroseconds(plan.LinkDelayMicroseconds)))
                .Build();
        }
        catch (TopologyException error)
        {
            problems.Add("topology: " + error.Message);
            throw;
        }
    }

    private static List<RunningConnection> StartApplications(ActorSystem system, Topology topology, IntegrityCase plan)
    {
        var clientTcp = Tcp.ManagerOf(topology["client"]);
        var serverTcp = Tcp.ManagerOf(topology["server"]);
        var running = new List<RunningConnection>();
        for (int index = 0; index < plan.Connections.Count; index++)
        {
            var connection = plan.Connections[index];
            var record = new ConnectionRecord(index, connection, new EndpointRecord($"client {index}"), new EndpointRecord($"server {index}"));
            var address = ServerAddress(index);
            var serverPayloads = Payloads(plan.Seed, index, "server", connection.Server);
            var clientPayloads = Payloads(plan.Seed, index, "client", connection.Client);
            var server = system.ActorOf(Props.Create(() => new EndpointApp(connection.Server, record.Server, serverTcp, address, true, serverPayloads)), $"server-{index}");
            var client = system.ActorOf(Props.Create(() => new EndpointApp(connection.Client, record.Client, clientTcp, address, false, clientPayloads)), $"client-{index}");
            server.Tell(EndpointApp.Start.Instance, null);
            system.ScheduleTellOnce(Duration.FromMilliseconds(1 + connection.StartMilliseconds), client, EndpointApp.Start.Instance, null);
            running.Add(new RunningConnection(record, client, server));
        }

        return running;
    }

    /// <summary>Real payload bytes, different for every write, drawn from the case's seed.</summary>
    private static List<byte[]> Payloads(ulong seed, int connection, string side, EndpointPlan plan)
    {
        var random = RandomStream.Derive(seed, string.Create(CultureInfo.InvariantCulture, $"payload/{connection}/{side}"));
        return plan.Writes.Select(write =>
        {
            var bytes = new byte[write.Bytes];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.NextUInt32();
            }

            return bytes;
        }).ToList();
    }

    private static void StartChaos(ActorSystem system, Topology topology, IntegrityCase plan)
    {
        var bindings = topology.Hosts.Select(host => new ChaosHostBinding(
            host.Name,
            host.Addresses.Where(a => !a.IsLoopback).ToList(),
            host.Interfaces.Select(i => i.Name).ToList(),
            filter => host.Filter = filter,
            (name, discipline) => host.FindInterface(name)!.QueueDiscipline = discipline)).ToList();
        var chaos = system.ActorOf(ChaosActor.Props(bindings), "chaos");
        chaos.Tell(new StartTimeline(Timeline(plan)), null);
    }

    /// <summary>The case's faults as a chaos timeline, followed, when the faults phase ends, by the removal of every one.</summary>
    public static List<ChaosTimelineEntry> Timeline(IntegrityCase plan)
    {
        var entries = new List<ChaosTimelineEntry>();
        var netemHosts = new HashSet<string>(StringComparer.Ordinal);
        var faultsEnd = plan.FaultsMilliseconds;
        foreach (var step in plan.Chaos.OrderBy(s => s.AtMilliseconds))
        {
            var at = Duration.FromMilliseconds(Math.Min(step.AtMilliseconds, faultsEnd));
            var until = Duration.FromMilliseconds(Math.Min(step.AtMilliseconds + step.DurationMilliseconds, faultsEnd));
            switch (step.Kind)
            {
                case FaultKind.Netem:
                    string verb = netemHosts.Add(step.Host) ? "add" : "change";
                    entries.Add(new(at, new RunCommand(step.Host, $"tc qdisc {verb} dev eth0 root netem {step.Text}")));
                    break;
                case FaultKind.Iptables:
                    entries.Add(new(at, new RunCommand(step.Host, "iptables -A " + step.Text)));
                    entries.Add(new(until, new RunCommand(step.Host, "iptables -D " + step.Text)));
                    break;
                case FaultKind.Partition:
                    entries.Add(new(at, new Partition(["client"], ["server"])));
                    entries.Add(new(until, Heal.Instance));
                    break;
            }
        }

        // Faults off: partitions healed, every rule flushed, every netem deleted.
        var end = Duration.FromMilliseconds(faultsEnd);
        entries.Add(new(end, Heal.Instance));
        foreach (var host in new[] { "client", "server" })
        {
            entries.Add(new(end, new RunCommand(host, "iptables -F")));
            if (netemHosts.Contains(host))
            {
                entries.Add(new(end, new RunCommand(host, "tc qdisc del dev eth0 root")));
            }
        }

        return entries;
    }

    private sealed record RunningConnection(ConnectionRecord Record, IActorRef Client, IActorRef Server)
    {
        public IActorRef ClientActor => Client;

        public IActorRef ServerActor => Server;
    }
}
