using System.Collections;
using System.Globalization;

namespace TcpActors.Telemetry;

/// <summary>The OTLP transports (OTEL_EXPORTER_OTLP_PROTOCOL's <c>grpc</c> and <c>http/protobuf</c>).</summary>
public enum OtlpTransport
{
    /// <summary>OTLP over gRPC, usually port 4317.</summary>
    Grpc,

    /// <summary>OTLP over HTTP with protobuf bodies, usually port 4318 (paths /v1/traces and /v1/metrics).</summary>
    HttpProtobuf,
}

/// <summary>
/// How <see cref="TelemetryExport.Start"/> exports. Every property left null falls back to the standard
/// OTEL_* environment variable, then to the default; export is off unless an endpoint is given here or in
/// OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_/_METRICS_ forms).
/// </summary>
public sealed record TelemetryExportOptions
{
    /// <summary>
    /// The collector (what <c>tcpactors --otlp ENDPOINT</c> passes), e.g. <c>http://localhost:4317</c> for gRPC
    /// or <c>http://localhost:4318</c> for HTTP. With HTTP, a bare endpoint gets the signal paths appended, as
    /// OTEL_EXPORTER_OTLP_ENDPOINT does. Overrides OTEL_EXPORTER_OTLP_ENDPOINT.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Overrides OTEL_EXPORTER_OTLP_PROTOCOL (default gRPC).</summary>
    public OtlpTransport? Protocol { get; init; }

    /// <summary>Export traces; null: unless OTEL_TRACES_EXPORTER is <c>none</c>.</summary>
    public bool? Traces { get; init; }

    /// <summary>Export metrics; null: unless OTEL_METRICS_EXPORTER is <c>none</c>.</summary>
    public bool? Metrics { get; init; }

    /// <summary>Also a span per segment (see <see cref="ConnectionTracerOptions.SegmentSpans"/>).</summary>
    public bool SegmentSpans { get; init; }

    /// <summary>The real instant of simulated time 0 (see <see cref="ConnectionTracerOptions.Epoch"/>); null: when export starts.</summary>
    public DateTimeOffset? Epoch { get; init; }

    /// <summary><c>service.name</c>; null: OTEL_SERVICE_NAME, then <c>service.name</c> in OTEL_RESOURCE_ATTRIBUTES, then <c>tcpactors</c>.</summary>
    public string? ServiceName { get; init; }

    /// <summary>How often metrics are exported (wall clock); null: OTEL_METRIC_EXPORT_INTERVAL (ms), then 5 s.</summary>
    public TimeSpan? MetricExportInterval { get; init; }

    /// <summary>How long flushing at the end may take before unsent telemetry is given up.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where chaos verdicts come from; null: from Network's drop events.</summary>
    public IChaosVerdictSource? ChaosVerdicts { get; init; }

    /// <summary>
    /// The OTEL_* settings to read instead of the process environment (tests pass their own, so that
    /// parallel tests do not share process-wide variables). Null: the process environment.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    internal IReadOnlyDictionary<string, string?> EffectiveEnvironment() =>
        Environment ?? System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Where(e => ((string)e.Key).StartsWith("OTEL_", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
}

/// <summary>The OTEL_* settings TelemetryExport resolves itself (the SDK reads the others, such as the sampler).</summary>
internal sealed class OtelSettings(IReadOnlyDictionary<string, string?> environment)
{
    public IReadOnlyDictionary<string, string?> Environment { get; } = environment;

    public string? this[string name] => Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public bool SdkDisabled => string.Equals(this["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);

    public bool HasEndpoint(string signal) =>
        this["OTEL_EXPORTER_OTLP_ENDPOINT"] is not null || this[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"] is not null;

    public bool ExporterNone(string variable) => string.Equals(this[variable], "none", StringComparison.OrdinalIgnoreCase);

    public OtlpTransport Protocol(string signal) =>
        (this[$"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL"] ?? this["OTEL_EXPORTER_OTLP_PROTOCOL"]) switch
        {
            "http/protobuf" => OtlpTransport.HttpProtobuf,
            _ => OtlpTransport.Grpc,
        };

    public TimeSpan? MetricExportInterval =>
        int.TryParse(this["OTEL_METRIC_EXPORT_INTERVAL"], NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds) && milliseconds > 0
            ? TimeSpan.FromMilliseconds(milliseconds)
            : null;

    public string? ServiceName => this["OTEL_SERVICE_NAME"] ?? ResourceAttribute("service.name");

    private string? ResourceAttribute(string key)
    {
        foreach (var pair in (this["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals].Trim() == key)
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..].Trim());
            }
        }

        return null;
    }
}
