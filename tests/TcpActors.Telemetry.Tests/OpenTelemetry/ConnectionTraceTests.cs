using System.Diagnostics;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>One connection is one trace: the client end's span is the root, the server end's span its child.</summary>
public sealed class ConnectionTraceTests
{
    private static readonly DateTimeOffset s_epoch = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly FourTuple s_clientView = new(SocketAddress.Parse("10.0.0.1:40000"), TwoHostScenario.ServerAddress);

    [Fact]
    public void Both_ends_of_a_connection_share_one_trace_the_server_span_a_child_of_the_client_span()
    {
        // Proves the trace structure of one connection between two simulated hosts: one trace id, derived
        // from the seed and the client's 4-tuple; the client span is the root (kind Client), the server
        // span (kind Server) its child, with a remote parent as if the context had crossed the wire.
        var scenario = new TwoHostScenario();
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);

        scenario.RunLifecycle(scenario.Listen());

        var client = spans.Connection("client");
        var server = spans.Connection("server");
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(DeterministicTraceIds.For(7, s_clientView, instance: 0), client.TraceId);
        Assert.Equal(client.TraceId, server.TraceId);
        Assert.Equal(default, client.ParentSpanId);
        Assert.Null(client.Parent);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        Assert.True(server.HasRemoteParent);
        Assert.True(server.StartTimeUtc > client.StartTimeUtc);
        Assert.Equal(1, tracer.ConnectionsStarted);
        Assert.Equal(2, tracer.SpansStarted);
    }

    [Fact]
    public void Two_connections_reusing_a_4_tuple_are_two_traces_each_with_both_ends()
    {
        // Proves the instance number: the same 4-tuple connected again after TIME_WAIT is a new trace, and
        // each server end joins the client end of its own connection, not the earlier one.
        var scenario = new TwoHostScenario();
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);
        var listener = scenario.Listen();

        scenario.RunLifecycle(listener);
        scenario.RunLifecycle(listener);

        var traces = spans.Connections.GroupBy(s => s.TraceId).ToList();
        Assert.Equal(2, traces.Count);
        Assert.Equal([DeterministicTraceIds.For(7, s_clientView, 0), DeterministicTraceIds.For(7, s_clientView, 1)], traces.Select(t => t.Key));
        foreach (var trace in traces)
        {
            var client = Assert.Single(trace, s => s.Kind == ActivityKind.Client);
            var server = Assert.Single(trace, s => s.Kind == ActivityKind.Server);
            Assert.Equal("40000", client.Tag(Attr.NetworkLocalPort));
            Assert.Equal(client.SpanId, server.ParentSpanId);
            Assert.InRange(server.StartTimeUtc - client.StartTimeUtc, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(2, tracer.ConnectionsStarted);
        Assert.Equal(4, tracer.SpansStarted);
    }

    [Fact]
    public void A_server_end_whose_peer_is_no_simulated_socket_stands_alone_as_the_root_of_its_trace()
    {
        // Proves the one-ended case: a SYN from a raw socket makes a server span with no parent, whose trace
        // id is still the one derived from the 4-tuple as the client sees it.
        var scenario = new TwoHostScenario();
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);
        scenario.Listen();

        scenario.SendRawSyn(clientPort: 41000);

        var server = Assert.Single(spans.Connections);
        Assert.Equal("server", server.Tag(Attr.HostName));
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(default, server.ParentSpanId);
        Assert.False(server.HasRemoteParent);
        var clientView = new FourTuple(SocketAddress.Parse("10.0.0.1:41000"), TwoHostScenario.ServerAddress);
        Assert.Equal(DeterministicTraceIds.For(7, clientView, instance: 0), server.TraceId);
        Assert.Equal("syn_received", server.Tag(Attr.TcpState));
        Assert.Equal(1, tracer.ConnectionsStarted);
    }

    [Fact]
    public void The_same_loopback_4_tuple_on_two_hosts_is_two_traces_each_kept_on_its_host()
    {
        // Proves a server end only joins a loopback client of its own host, and that the shared instance
        // numbering gives the two connections different trace ids.
        var scenario = new TwoHostScenario();
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        using var spans = new SpanRecorder(tracer.Source);
        var server = SocketAddress.Parse("127.0.0.1:8080");
        var client = SocketAddress.Parse("127.0.0.1:40000");
        foreach (var host in new[] { scenario.ClientHost, scenario.ServerHost })
        {
            var app = new TestProbe(scenario.System, "loopback-app-" + host.Name);
            TwoHostScenario.Listen(host, server, app);
            app.Send(Tcp.ManagerOf(host), new Connect(server, Local: client));
            app.ExpectMsg<Connected>();
        }

        scenario.System.RunFor(Duration.FromMilliseconds(10));
        tracer.Dispose();

        var traces = spans.Connections.GroupBy(s => s.TraceId).ToList();
        Assert.Equal(2, traces.Count);
        var clientView = new FourTuple(client, server);
        string[] expected = [DeterministicTraceIds.For(7, clientView, 0).ToHexString(), DeterministicTraceIds.For(7, clientView, 1).ToHexString()];
        Assert.Equal(expected.Order(StringComparer.Ordinal), traces.Select(t => t.Key.ToHexString()).Order(StringComparer.Ordinal));
        foreach (var trace in traces)
        {
            Assert.Single(trace.Select(s => s.Tag(Attr.HostName)).Distinct());
            var root = Assert.Single(trace, s => s.Kind == ActivityKind.Client);
            Assert.Equal(root.SpanId, Assert.Single(trace, s => s.Kind == ActivityKind.Server).ParentSpanId);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace_ids_and_another_seed_other_ones()
    {
        // Proves trace ids are derived from the seed and the connection, not drawn at random: two
        // connections give two trace ids, each shared by the connection's two ends.
        static string[] TraceIds(ulong seed)
        {
            var scenario = new TwoHostScenario(seed);
            using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
            using var spans = new SpanRecorder(tracer.Source);
            var listener = scenario.Listen();
            scenario.RunLifecycle(listener);
            scenario.RunLifecycle(listener, clientPort: 40001);
            Assert.All(spans.Connections.GroupBy(s => s.TraceId), trace => Assert.Equal(2, trace.Count()));
            return spans.Connections.Select(s => s.TraceId.ToHexString()).ToArray();
        }

        var first = TraceIds(7);
        Assert.Equal(4, first.Length);
        Assert.Equal(2, first.Distinct().Count());
        Assert.Equal(first, TraceIds(7));
        Assert.Empty(first.Intersect(TraceIds(8)));
    }
}
