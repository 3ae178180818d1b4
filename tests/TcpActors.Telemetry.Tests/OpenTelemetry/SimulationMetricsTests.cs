using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;
using Names = TcpActors.Telemetry.TelemetryNames.Instruments;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

public sealed class SimulationMetricsTests
{
    [Fact]
    public void Counters_count_segments_by_flags_retransmissions_verdicts_and_drops_of_a_lifecycle_with_a_dropped_SYN()
    {
        // Proves the counters against the known scenario: the first SYN is dropped by a rule at the server's INPUT.
        var scenario = new TwoHostScenario();
        scenario.ServerHost.Filter = new DropFirstSyns(1, scenario.System.EventStream);
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);
        var captured = new List<PacketCaptured>();
        scenario.System.EventStream.Subscribe<PacketCaptured>(captured.Add);

        scenario.RunLifecycle(scenario.Listen());

        Assert.Equal(2, recorder.Sum(Names.Segments, (Attr.HostName, "client"), (Attr.NetworkIoDirection, "transmit"), (Attr.TcpFlags, "S")));
        Assert.Equal(2, recorder.Sum(Names.Segments, (Attr.HostName, "server"), (Attr.NetworkIoDirection, "receive"), (Attr.TcpFlags, "S")));
        Assert.Equal(1, recorder.Sum(Names.Segments, (Attr.HostName, "server"), (Attr.NetworkIoDirection, "transmit"), (Attr.TcpFlags, "S.")));
        Assert.Equal(1, recorder.Sum(Names.Segments, (Attr.HostName, "client"), (Attr.NetworkIoDirection, "transmit"), (Attr.TcpFlags, "P.")));
        foreach (var (from, to) in new[] { ("client", "server"), ("server", "client") })
        {
            double sent = recorder.Sum(Names.Segments, (Attr.HostName, from), (Attr.NetworkIoDirection, "transmit"));
            Assert.Equal(captured.Count(c => c.HostName == from && c.Direction == CaptureDirection.Out), sent);
            Assert.Equal(sent, recorder.Sum(Names.Segments, (Attr.HostName, to), (Attr.NetworkIoDirection, "receive")));
        }

        Assert.Equal(1, recorder.Sum(Names.Retransmissions, (Attr.HostName, "client"), (Attr.TcpRetransmissionKind, "syn")));
        Assert.Equal(1, recorder.Sum(Names.Retransmissions));
        Assert.Equal(1, recorder.Sum(Names.ChaosVerdicts, (Attr.HostName, "server"), (Attr.ChaosRule, DropFirstSyns.RuleName), (Attr.ChaosAction, "drop")));
        Assert.Equal(1, recorder.Sum(Names.Drops, (Attr.HostName, "server"), (Attr.DropReason, "filter_rule")));
        Assert.Equal(1, recorder.Sum(Names.Drops));
        Assert.Equal(0, recorder.Sum(Names.Resets));
        Assert.Equal(0, recorder.Sum(Names.ConnectErrors) + recorder.Sum(Names.SocketErrors));
    }

    [Fact]
    public void A_refused_connect_counts_a_connect_error_by_errno_and_the_reset_on_both_hosts()
    {
        // Proves connect errors (SYN-SENT sockets) are told from socket errors, and resets are counted per direction.
        var scenario = new TwoHostScenario();
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);

        scenario.ConnectToClosedPort();

        Assert.Equal(1, recorder.Sum(Names.ConnectErrors, (Attr.HostName, "client"), (Attr.TcpErrno, "ECONNREFUSED"), (Attr.ErrorType, "connection_refused")));
        Assert.Equal(0, recorder.Sum(Names.SocketErrors));
        Assert.Equal(1, recorder.Sum(Names.Resets, (Attr.HostName, "server"), (Attr.NetworkIoDirection, "transmit")));
        Assert.Equal(1, recorder.Sum(Names.Resets, (Attr.HostName, "client"), (Attr.NetworkIoDirection, "receive")));
        Assert.Equal(1, recorder.Sum(Names.Segments, (Attr.HostName, "client"), (Attr.TcpFlags, "R.")));
        Assert.Equal(1, recorder.Sum(Names.Drops, (Attr.HostName, "server"), (Attr.DropReason, "tcp_stack")));
    }

    [Fact]
    public void A_connect_refused_before_any_packet_counts_as_a_connect_error()
    {
        // Proves local refusals (EADDRNOTAVAIL when the ephemeral range is used up) are counted too.
        var system = ActorSystem.Create("ports", 3);
        var topology = new TopologyBuilder(system).AddModule(Tcp.Module)
            .AddHost("client", h => h.Address("10.0.0.1/24").Sysctl("net.ipv4.ip_local_port_range", "40000 40001"))
            .AddHost("server", h => h.Address("10.0.0.2/24"))
            .Connect("client", "server")
            .Build();
        using var metrics = new SimulationMetrics(topology);
        using var recorder = new MetricRecorder(metrics.Meter);
        var app = new Runtime.TestKit.TestProbe(system, "app");
        app.Send(Tcp.ManagerOf(topology["server"]), new OpenSocket());
        var listener = app.ExpectMsg<SocketOpened>().Socket;
        app.Send(listener, new Bind(TwoHostScenario.ServerAddress));
        app.ExpectMsg<Bound>();
        app.Send(listener, new Listen());
        app.ExpectMsg<Listening>();
        for (int i = 0; i < 3; i++)
        {
            app.Send(Tcp.ManagerOf(topology["client"]), new Connect(TwoHostScenario.ServerAddress));
        }

        system.RunFor(Duration.FromSeconds(1));

        Assert.Equal(1, recorder.Sum(Names.ConnectErrors, (Attr.HostName, "client"), (Attr.TcpErrno, "EADDRNOTAVAIL"), (Attr.ErrorType, "cannot_assign_requested_address")));
        metrics.Refresh();
        var observed = recorder.Observe();
        Assert.Equal(2, observed.Value(Names.PortsInUse, (Attr.HostName, "client")));
        Assert.Equal(2, observed.Value(Names.EphemeralPortRange, (Attr.HostName, "client")));
        Assert.Equal(28232, observed.Value(Names.EphemeralPortRange, (Attr.HostName, "server")));
    }

    [Fact]
    public void Gauges_report_the_current_states_TIME_WAIT_entries_ports_and_simulated_time()
    {
        // Proves the gauges follow the stacks: a client close leaves one TIME_WAIT holding its port for 60 s.
        var scenario = new TwoHostScenario();
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);
        scenario.Listen();
        scenario.OpenConnections(3);
        scenario.System.RunFor(Duration.FromMilliseconds(100)); // the third ACKs reach the server 10 ms after Connected
        metrics.Refresh();
        var open = recorder.Observe();
        Assert.Equal(3, open.Value(Names.Connections, (Attr.HostName, "client"), (Attr.NetworkConnectionState, "established")));
        Assert.Equal(3, open.Value(Names.Connections, (Attr.HostName, "server"), (Attr.NetworkConnectionState, "established")));
        Assert.Equal(1, open.Value(Names.Connections, (Attr.HostName, "server"), (Attr.NetworkConnectionState, "listen")));
        Assert.Equal(0, open.Value(Names.Connections, (Attr.HostName, "client"), (Attr.NetworkConnectionState, "time_wait")));
        Assert.Equal(10, open.Count(m => m.Instrument == Names.Connections && m.Attributes[Attr.HostName] == "client"));
        Assert.Equal(3, open.Value(Names.PortsInUse, (Attr.HostName, "client")));
        Assert.Equal(1, open.Value(Names.PortsInUse, (Attr.HostName, "server")));

        scenario.System.RunFor(Duration.FromSeconds(10));
        var after = recorder.Observe();
        Assert.Equal(0, after.Value(Names.TimeWaitEntries, (Attr.HostName, "client")));
        Assert.Equal(scenario.System.Now.TotalSeconds, after.Value(Names.SimulatedTime));
        Assert.Equal(scenario.System.EventsProcessed, after.Value(Names.Events));
        Assert.True(after.Value(Names.SpeedRatio) > 0);
    }

    [Fact]
    public void TIME_WAIT_shows_in_the_gauges_while_it_lasts()
    {
        // Proves the TIME_WAIT gauge and the time_wait state count between the close and the end of the 60 s.
        var scenario = new TwoHostScenario();
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);
        var listener = scenario.Listen();
        scenario.Client.Send(Tcp.ManagerOf(scenario.ClientHost), new Connect(TwoHostScenario.ServerAddress));
        var connected = scenario.Client.ExpectMsg<Connected>();
        scenario.Server.Send(listener, Accept.Instance);
        var accepted = scenario.Server.ExpectMsg<Accepted>();
        scenario.Client.Send(connected.Socket, Close.Instance);
        scenario.Client.ExpectMsg<Closed>();
        scenario.System.RunFor(Duration.FromMilliseconds(100));
        scenario.Server.Send(accepted.Socket, Close.Instance);
        scenario.Server.ExpectMsg<Closed>();
        scenario.System.RunFor(Duration.FromSeconds(1));

        metrics.Refresh();
        var during = recorder.Observe();
        Assert.Equal(1, during.Value(Names.Connections, (Attr.HostName, "client"), (Attr.NetworkConnectionState, "time_wait")));
        Assert.Equal(1, during.Value(Names.TimeWaitEntries, (Attr.HostName, "client")));
        Assert.Equal(1, during.Value(Names.PortsInUse, (Attr.HostName, "client")));

        scenario.System.RunFor(Duration.FromSeconds(60));
        metrics.Refresh();
        var afterwards = recorder.Observe();
        Assert.Equal(0, afterwards.Value(Names.TimeWaitEntries, (Attr.HostName, "client")));
        Assert.Equal(0, afterwards.Value(Names.PortsInUse, (Attr.HostName, "client")));
    }

    [Fact]
    public void Every_instrument_is_named_in_the_catalogue_with_a_UCUM_unit()
    {
        // Proves the meter defines exactly the catalogue's instruments, dotted lowercase, with their units.
        var scenario = new TwoHostScenario();
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);

        Assert.Equal(InstrumentCatalogue.Declared.Select(i => i.Name).Order(), recorder.Instruments.Select(i => i.Name).Order());
        foreach (var instrument in recorder.Instruments)
        {
            Assert.Matches("^tcpactors(\\.[a-z_]+)+$", instrument.Name);
            Assert.Equal(InstrumentCatalogue.Declared.Single(i => i.Name == instrument.Name).Unit, instrument.Unit);
            Assert.Matches("^(\\{[a-z]+\\}|s|1|By)$", instrument.Unit);
            Assert.False(string.IsNullOrEmpty(instrument.Description));
        }
    }
}
