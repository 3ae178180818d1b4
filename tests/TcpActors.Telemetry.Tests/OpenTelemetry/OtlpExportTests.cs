using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// Tests in which an OpenTelemetry SDK provider or the absence of any listener matters: the SDK listens to
/// every source and meter named TcpActors in the process, so these run alone, not beside other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListeners
{
    public const string Name = "Process-wide OpenTelemetry listeners";
}

[Collection(ProcessWideListeners.Name)]
public sealed class OtlpExportTests
{
    private static readonly DateTimeOffset s_epoch = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_OTLP_exporter_sends_our_spans_and_metrics_over_http_protobuf()
    {
        // Proves real export: requests reach a loopback OTLP/HTTP endpoint and decode to our service, spans
        // (a connection's two ends in one trace, the server's span a child of the client's) and metrics.
        using var receiver = new OtlpReceiver();
        var scenario = new TwoHostScenario(seed: 9001, name: "otlp");
        var session = TelemetryExport.Start(scenario.Topology, Options(receiver) with { ServiceName = "tcpactors-otlp-test" });
        Assert.True(session.IsEnabled);
        scenario.ConnectToClosedPort();
        scenario.RunLifecycle(scenario.Listen());
        session.Dispose();

        var traces = receiver.Requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = receiver.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(receiver.Requests, r => Assert.Equal("POST", r.Method));
        Assert.All(receiver.Requests, r => Assert.Equal("application/x-protobuf", r.Headers["Content-Type"]));

        var spans = OtlpDecoding.Spans(traces).Where(s => s.Attributes.GetValueOrDefault(TelemetryNames.Attributes.RunSeed) == "9001").ToList();
        Assert.Equal(3, spans.Count);
        Assert.All(spans, s => Assert.Equal("tcpactors-otlp-test", s.Resource["service.name"]));
        Assert.All(spans, s => Assert.Equal("otlp/9001", s.Resource["service.instance.id"]));
        Assert.All(spans, s => Assert.Equal(TelemetryNames.ActivitySourceName, s.Scope));
        Assert.All(spans, s => Assert.Equal(TelemetryNames.Spans.Connection, s.Name));
        var refused = Assert.Single(spans, s => s.Attributes.GetValueOrDefault(TelemetryNames.Attributes.TcpErrno) == "ECONNREFUSED");
        Assert.Equal(ToUnixNanoseconds(s_epoch), refused.StartUnixNanoseconds);
        Assert.Equal(ToUnixNanoseconds(s_epoch) + 20_000_000, refused.EndUnixNanoseconds);
        Assert.Equal("9", refused.Attributes[TelemetryNames.Attributes.ServerPort]);
        Assert.Contains(spans, s => s.Attributes[TelemetryNames.Attributes.TcpState] == "time_wait" && s.EventNames.Contains(TelemetryNames.Spans.StateChangeEvent));
        Assert.Equal("", refused.ParentSpanId);
        var client = Assert.Single(spans, s => s.Kind == OtlpDecoding.ClientKind && s != refused);
        var server = Assert.Single(spans, s => s.Kind == OtlpDecoding.ServerKind);
        Assert.Equal("", client.ParentSpanId);
        Assert.Equal(client.TraceId, server.TraceId);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        Assert.NotEqual(refused.TraceId, client.TraceId);

        var metricNames = OtlpDecoding.MetricNames(metrics);
        Assert.Superset(
            new HashSet<string>(
            [
                TelemetryNames.Instruments.Connections, TelemetryNames.Instruments.TimeWaitEntries, TelemetryNames.Instruments.PortsInUse,
                TelemetryNames.Instruments.SimulatedTime, TelemetryNames.Instruments.SpeedRatio, TelemetryNames.Instruments.Segments,
                TelemetryNames.Instruments.Resets, TelemetryNames.Instruments.ConnectErrors, TelemetryNames.Instruments.Drops,
            ]),
            metricNames);
    }

    [Fact]
    public void Head_sampling_from_OTEL_TRACES_SAMPLER_keeps_the_same_traces_in_a_replay()
    {
        // Proves the standard sampler settings apply to our spans and, trace ids being derived from the seed, decide the same way twice.
        static HashSet<string> SampledTraceIds()
        {
            using var receiver = new OtlpReceiver();
            var scenario = new TwoHostScenario(seed: 9002, name: "sampling");
            var environment = new Dictionary<string, string?> { ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio", ["OTEL_TRACES_SAMPLER_ARG"] = "0.5" };
            using (var session = TelemetryExport.Start(scenario.Topology, Options(receiver) with { Environment = environment, Metrics = false }))
            {
                scenario.Listen();
                scenario.OpenConnections(40);
            }

            Assert.DoesNotContain(receiver.Requests, r => r.Path == "/v1/metrics");
            var spans = OtlpDecoding.Spans(receiver.Requests.Where(r => r.Path == "/v1/traces"))
                .Where(s => s.Attributes.GetValueOrDefault(TelemetryNames.Attributes.RunSeed) == "9002").ToList();
            Assert.All(spans, s => Assert.Equal("true", s.Attributes[TelemetryNames.Attributes.SpanTruncated]));

            // A server end follows its client's sampling decision: each sampled trace has its client span, and
            // every server span exported is the child of one (a server whose listener's queues overflowed has none).
            Assert.All(spans.GroupBy(s => s.TraceId), trace =>
            {
                var client = Assert.Single(trace, s => s.Kind == OtlpDecoding.ClientKind);
                Assert.All(trace.Where(s => s != client), s => Assert.Equal(client.SpanId, s.ParentSpanId));
            });
            Assert.Contains(spans, s => s.Kind == OtlpDecoding.ServerKind);
            return spans.Select(s => s.TraceId).ToHashSet();
        }

        var first = SampledTraceIds();
        Assert.InRange(first.Count, 10, 30);
        Assert.Equal(first.Order(), SampledTraceIds().Order());
    }

    [Fact]
    public void Export_is_off_without_an_endpoint_and_then_nothing_listens()
    {
        // Proves the default costs nothing: no endpoint, no subscription, so producers build no events.
        var scenario = new TwoHostScenario(name: "off");
        using var session = TelemetryExport.Start(scenario.Topology, new TelemetryExportOptions { Environment = new Dictionary<string, string?>() });
        Assert.False(session.IsEnabled);
        Assert.False(scenario.System.EventStream.Channel<PacketCaptured>().HasSubscribers);
        Assert.False(scenario.System.EventStream.Channel<Endpoints.TcpStateChanged>().HasSubscribers);

        var disabled = new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1", ["OTEL_SDK_DISABLED"] = "true" };
        Assert.False(TelemetryExport.IsRequested(new TelemetryExportOptions { Environment = disabled }));
        Assert.True(TelemetryExport.IsRequested(new TelemetryExportOptions { Environment = new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1" } }));
    }

    [Fact]
    public void Without_a_listener_the_tracer_starts_nothing_and_an_unsampled_connection_records_nothing()
    {
        // Proves the tracer builds no activity when nobody listens, and records nothing for a dropped sample.
        var scenario = new TwoHostScenario(name: "unheard");
        using var tracer = new ConnectionTracer(scenario.Topology, new ConnectionTracerOptions { Epoch = s_epoch });
        var listener = scenario.Listen();
        scenario.RunLifecycle(listener);
        Assert.Equal(0, tracer.ConnectionsStarted);

        using var dropping = new SpanRecorder(tracer.Source, System.Diagnostics.ActivitySamplingResult.PropagationData);
        scenario.RunLifecycle(listener, clientPort: 40001);
        Assert.Equal(2, tracer.SpansStarted);
        Assert.Equal(1, tracer.ConnectionsStarted);
        Assert.All(dropping.Stopped, a => Assert.False(a.Recorded));
        Assert.All(dropping.Stopped, a => Assert.Empty(a.Events));
    }

    private static TelemetryExportOptions Options(OtlpReceiver receiver) => new()
    {
        Endpoint = receiver.Endpoint,
        Protocol = OtlpTransport.HttpProtobuf,
        Epoch = s_epoch,
        MetricExportInterval = TimeSpan.FromHours(1),
        Environment = new Dictionary<string, string?>(),
    };

    private static ulong ToUnixNanoseconds(DateTimeOffset instant) => (ulong)(instant - DateTimeOffset.UnixEpoch).Ticks * 100;
}

/// <summary>Walks OTLP export requests (opentelemetry-proto collector/trace/v1 and collector/metrics/v1) by field number.</summary>
internal static class OtlpDecoding
{
    /// <summary>Span.SpanKind: 2 = server, 3 = client.</summary>
    public const int ServerKind = 2;

    public const int ClientKind = 3;

    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, int Kind, string Name, string Scope, ulong StartUnixNanoseconds, ulong EndUnixNanoseconds, Dictionary<string, string> Attributes, string[] EventNames, Dictionary<string, string> Resource);

    public static IEnumerable<Span> Spans(IEnumerable<OtlpReceiver.Request> requests)
    {
        foreach (var request in requests)
        {
            foreach (var resourceSpans in ProtobufField.Parse(request.Body).All(1).Select(f => f.Message))
            {
                var resource = resourceSpans.One(1).Message.Attributes(1);
                foreach (var scopeSpans in resourceSpans.All(2).Select(f => f.Message))
                {
                    string scope = scopeSpans.One(1).Message.One(1).Text;
                    foreach (var span in scopeSpans.All(2).Select(f => f.Message))
                    {
                        yield return new Span(
                            Convert.ToHexStringLower(span.One(1).Bytes.Span),
                            Convert.ToHexStringLower(span.One(2).Bytes.Span),
                            span.All(4).Select(f => Convert.ToHexStringLower(f.Bytes.Span)).FirstOrDefault() ?? "",
                            (int)span.All(6).Select(f => f.Value).FirstOrDefault(),
                            span.One(5).Text,
                            scope,
                            span.One(7).Value,
                            span.One(8).Value,
                            span.Attributes(9),
                            span.All(11).Select(e => e.Message.One(2).Text).ToArray(),
                            resource);
                    }
                }
            }
        }
    }

    public static HashSet<string> MetricNames(IEnumerable<OtlpReceiver.Request> requests) =>
        requests.SelectMany(r => ProtobufField.Parse(r.Body).All(1))
            .SelectMany(resourceMetrics => resourceMetrics.Message.All(2))
            .SelectMany(scopeMetrics => scopeMetrics.Message.All(2))
            .Select(metric => metric.Message.One(1).Text)
            .ToHashSet();
}
