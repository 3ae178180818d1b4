using System.CommandLine;
using TcpActors.Chaos;
using TcpActors.Network;
using TcpActors.Telemetry;

namespace TcpActors.Cli;

/// <summary>
/// --otlp ENDPOINT and --otlp-protocol: export traces and metrics to an OpenTelemetry collector
/// (deploy/README.md). The standard OTEL_* environment variables are honoured too; without either,
/// nothing is exported and nothing is even subscribed.
/// </summary>
internal sealed class OtlpOptions
{
    public Option<string?> Endpoint { get; } = new("--otlp") { Description = "Export OpenTelemetry traces and metrics to this OTLP endpoint (e.g. http://localhost:4317). OTEL_EXPORTER_OTLP_ENDPOINT works too." };

    public Option<string?> Protocol { get; } = new("--otlp-protocol") { Description = "grpc (default, port 4317) or http/protobuf (port 4318)." };

    public Option<bool> Segments { get; } = new("--trace-segments") { Description = "Add one span event per segment to the connection spans." };

    public void AddTo(Command command)
    {
        Protocol.AcceptOnlyFromAmong("grpc", "http/protobuf", "http");
        command.Options.Add(Endpoint);
        command.Options.Add(Protocol);
        command.Options.Add(Segments);
    }

    /// <summary>An OTLP endpoint: an absolute http or https URL (what the exporters accept), else bad input naming where it came from.</summary>
    private static Uri EndpointUri(string text, string source) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"{source} must be an absolute http or https URL like http://localhost:4317, not {InputText.Quote(text)}");

    /// <summary>The observer to attach to a run, or null when no export is asked for.</summary>
    public Func<Topology, IDisposable?>? Observer(ParseResult parsed)
    {
        string? endpoint = parsed.GetValue(Endpoint);
        var uri = endpoint is null ? null : EndpointUri(endpoint, "--otlp");
        foreach (string variable in (string[])["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"])
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                EndpointUri(value, variable);
            }
        }

        var options = new TelemetryExportOptions
        {
            Endpoint = uri,
            Protocol = parsed.GetValue(Protocol) switch
            {
                "grpc" => OtlpTransport.Grpc,
                "http/protobuf" or "http" => OtlpTransport.HttpProtobuf,
                _ => null,
            },
            SegmentSpans = parsed.GetValue(Segments),
        };
        if (!TelemetryExport.IsRequested(options))
        {
            return null;
        }

        OtelVariables.Check(Environment.GetEnvironmentVariable);

        return topology => TelemetryExport.Start(topology, options with { ChaosVerdicts = new ChaosEventVerdicts(topology.System.EventStream) });
    }
}
