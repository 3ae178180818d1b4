using System.Diagnostics;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;
using Spans = TcpActors.Telemetry.TelemetryNames.Spans;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

public sealed class ConnectionTracerTests
{
    private static readonly DateTimeOffset s_epoch = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_closed_connection_is_one_span_per_end_with_every_state_change_at_its_simulated_time()
    {
        // Proves the span shape of a whole lifecycle: exactly two spans (the listener has none), their kinds,
        // semantic-convention attributes, the states visited, and timestamps equal to epoch + simulated time.
        var scenario = new TwoHostScenario();
        var changes = new List<TcpStateChanged>();
        scenario.System.EventStream.Subscribe<TcpStateChanged>(changes.Add);
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);

        scenario.RunLifecycle(scenario.Listen());

        Assert.Equal(2, spans.Stopped.Count);
        var client = spans.Connection("client");
        var server = spans.Connection("server");
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(["syn_sent", "established", "fin_wait_1", "fin_wait_2", "time_wait", "closed"], client.StatesVisited());
        Assert.Equal(["syn_received", "established", "close_wait", "last_ack", "closed"], server.StatesVisited());

        Assert.Equal("tcp", client.Tag(Attr.NetworkTransport));
        Assert.Equal("10.0.0.1", client.Tag(Attr.NetworkLocalAddress));
        Assert.Equal("40000", client.Tag(Attr.NetworkLocalPort));
        Assert.Equal("10.0.0.2", client.Tag(Attr.NetworkPeerAddress));
        Assert.Equal("8080", client.Tag(Attr.NetworkPeerPort));
        Assert.Equal("10.0.0.1", client.Tag(Attr.ClientAddress));
        Assert.Equal("40000", client.Tag(Attr.ClientPort));
        Assert.Equal("10.0.0.2", client.Tag(Attr.ServerAddress));
        Assert.Equal("8080", client.Tag(Attr.ServerPort));
        Assert.Equal("10.0.0.1", server.Tag(Attr.ClientAddress));
        Assert.Equal("8080", server.Tag(Attr.NetworkLocalPort));
        Assert.Equal("time_wait", client.Tag(Attr.TcpState));
        Assert.Equal("last_ack", server.Tag(Attr.TcpState));
        Assert.Equal("closed", client.Tag(Attr.NetworkConnectionState));
        Assert.Equal("TIME_WAIT ended (60 s)", client.Tag(Attr.Reason));
        Assert.Equal("7", client.Tag(Attr.RunSeed));
        Assert.Equal(ActivityStatusCode.Unset, client.Status);

        // Virtual time: the SYN leaves at 0, the SYN-ACK is back after two 10 ms link delays, TIME_WAIT lasts 60 s.
        Assert.Equal(s_epoch.UtcDateTime, client.StartTimeUtc);
        var established = client.Events.First(e => (string?)e.EventTag(Attr.TcpState) == "established");
        Assert.Equal(s_epoch.AddMilliseconds(20), established.Timestamp);
        var timeWait = client.Events.First(e => (string?)e.EventTag(Attr.TcpState) == "time_wait");
        Assert.Equal(TimeSpan.FromSeconds(60), client.StartTimeUtc + client.Duration - timeWait.Timestamp.UtcDateTime);
        Assert.Equal(s_epoch.AddMilliseconds(10).UtcDateTime, server.StartTimeUtc);
        foreach (var (span, host) in new[] { (client, "client"), (server, "server") })
        {
            var expected = changes.Where(c => c.HostName == host && c.From != TcpState.Listen && c.To != TcpState.Listen).Select(c => tracer.Timeline.At(c.Time));
            Assert.Equal(expected, span.Events.Where(e => e.Name == Spans.StateChangeEvent).Select(e => e.Timestamp));
        }

        Assert.Equal(0, tracer.OpenSpanCount);
        Assert.Equal(2, tracer.SpansStarted);
        Assert.Equal(1, tracer.ConnectionsStarted);
    }

    [Fact]
    public void A_refused_connect_is_an_error_span_with_the_reset_received_and_the_errno()
    {
        // Proves RST and errno recording: the server has no socket (so no span) and answers with a reset.
        var scenario = new TwoHostScenario();
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);

        var failure = scenario.ConnectToClosedPort();

        Assert.Equal(Errno.ECONNREFUSED, failure.Errno);
        var client = Assert.Single(spans.Stopped);
        Assert.Equal(default, client.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, client.Status);
        Assert.Equal("ECONNREFUSED", client.Tag(Attr.TcpErrno));
        Assert.Equal("connection_refused", client.Tag(Attr.ErrorType));
        Assert.Equal("syn_sent", client.Tag(Attr.TcpState));
        var reset = Assert.Single(client.Events, e => e.Name == Spans.ResetEvent);
        Assert.Equal("receive", reset.EventTag(Attr.NetworkIoDirection));
        Assert.Equal("R.", reset.EventTag(Attr.TcpFlags));
        Assert.Equal(s_epoch.AddMilliseconds(20), reset.Timestamp);
        Assert.Equal([Spans.StateChangeEvent, Spans.DropEvent, Spans.ResetEvent, Spans.ErrorEvent, Spans.StateChangeEvent], client.Events.Select(e => e.Name));
        var drop = Assert.Single(client.Events, e => e.Name == Spans.DropEvent);
        Assert.Equal("tcp_stack", drop.EventTag(Attr.DropReason));
        Assert.Equal("server", drop.EventTag(Attr.HostName));
        Assert.Equal("no socket: answered with a reset", drop.EventTag(Attr.Reason));
        Assert.Equal(TimeSpan.FromMilliseconds(20), client.Duration);
    }

    [Fact]
    public void A_SYN_dropped_by_a_chaos_rule_shows_as_a_verdict_and_a_SYN_retransmission()
    {
        // Proves chaos verdicts and retransmissions reach the span of the connection they touch.
        var scenario = new TwoHostScenario();
        scenario.ServerHost.Filter = new DropFirstSyns(1, scenario.System.EventStream);
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);

        scenario.RunLifecycle(scenario.Listen());

        var client = spans.Connection("client");
        var verdict = Assert.Single(client.Events, e => e.Name == Spans.ChaosVerdictEvent);
        Assert.Equal(DropFirstSyns.RuleName, verdict.EventTag(Attr.ChaosRule));
        Assert.Equal("drop", verdict.EventTag(Attr.ChaosAction));
        Assert.Equal("server", verdict.EventTag(Attr.HostName));
        Assert.Equal("S", verdict.EventTag(Attr.TcpFlags));
        Assert.Equal(s_epoch.AddMilliseconds(10), verdict.Timestamp);
        var retransmission = Assert.Single(client.Events, e => e.Name == Spans.RetransmissionEvent);
        Assert.Equal("syn", retransmission.EventTag(Attr.TcpRetransmissionKind));
        Assert.Equal(s_epoch.AddSeconds(1), retransmission.Timestamp);
        Assert.DoesNotContain(client.Events, e => e.Name == Spans.DropEvent);

        // The server's connection only starts with the retransmitted SYN, so the verdict is not on its span.
        var server = spans.Connection("server");
        Assert.Equal(s_epoch.AddSeconds(1).AddMilliseconds(10).UtcDateTime, server.StartTimeUtc);
        Assert.DoesNotContain(server.Events, e => e.Name == Spans.ChaosVerdictEvent);
    }

    [Fact]
    public void Segment_spans_are_children_of_the_sender_lasting_their_flight_and_a_dropped_one_is_an_error()
    {
        // Proves the optional per-segment spans: parent, flight time over the 10 ms link, and the drop status.
        var scenario = new TwoHostScenario();
        scenario.ServerHost.Filter = new DropFirstSyns(1, scenario.System.EventStream);
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch, SegmentSpans = true });
        using var spans = new SpanRecorder(tracer.Source);

        scenario.RunLifecycle(scenario.Listen());

        var client = spans.Connection("client");
        var segments = spans.Stopped.Where(a => a.OperationName == Spans.Segment && a.ParentSpanId == client.SpanId).ToList();
        Assert.All(segments, s => Assert.Equal(client.TraceId, s.TraceId));
        var syns = segments.Where(s => s.Tag(Attr.TcpFlags) == "S").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, syns.Count);
        Assert.Equal(ActivityStatusCode.Error, syns[0].Status);
        Assert.Equal("filter_rule", syns[0].Tag(Attr.DropReason));
        Assert.Equal(TimeSpan.FromMilliseconds(10), syns[0].Duration);
        Assert.Equal(ActivityStatusCode.Unset, syns[1].Status);
        Assert.Equal(TimeSpan.FromMilliseconds(10), syns[1].Duration);
        Assert.Contains(segments, s => s.Tag(Attr.TcpFlags) == "P." && s.Tag(Attr.TcpLength) == "100");
        Assert.DoesNotContain(spans.Stopped, s => s.OperationName == Spans.Segment && s.Tag(Attr.SpanTruncated) is not null);

        // The server's segments hang under the server's span, in the same trace.
        var server = spans.Connection("server");
        var serverSegments = spans.Stopped.Where(a => a.OperationName == Spans.Segment && a.ParentSpanId == server.SpanId).ToList();
        Assert.Contains(serverSegments, s => s.Tag(Attr.TcpFlags) == "S.");
        Assert.All(serverSegments, s => Assert.Equal(client.TraceId, s.TraceId));
        Assert.Equal(spans.Stopped.Count(a => a.OperationName == Spans.Segment), segments.Count + serverSegments.Count);
    }

    [Fact]
    public void Spans_still_open_are_ended_as_truncated_when_the_tracer_is_disposed()
    {
        // Proves a run that stops with live connections still exports them, marked, at the current simulated time.
        var scenario = new TwoHostScenario();
        var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);
        scenario.Listen();
        scenario.OpenConnections(3);
        scenario.System.RunFor(Duration.FromSeconds(5));
        Assert.Empty(spans.Stopped);
        Assert.Equal(6, tracer.OpenSpanCount);

        tracer.Dispose();

        Assert.Equal(6, spans.Stopped.Count);
        Assert.All(spans.Stopped, s =>
        {
            Assert.Equal("True", s.Tag(Attr.SpanTruncated));
            Assert.Equal("established", s.Tag(Attr.NetworkConnectionState));
            Assert.Equal(tracer.Timeline.UtcAt(scenario.System.Now), s.StartTimeUtc + s.Duration);
        });
    }
}
