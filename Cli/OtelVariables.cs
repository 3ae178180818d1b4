using System.Globalization;
using TcpActors.Chaos;

namespace TcpActors.Cli;

/// <summary>
/// The OTEL_* variables an export reads, checked before the run when an export is asked for: a value the
/// SDK or TcpActors cannot use is bad input naming the variable (it was ignored without a word, or, for
/// malformed headers, the SDK threw during the run: exit code 3). A blank variable counts as unset, as
/// the SDK reads it.
/// </summary>
public static class OtelVariables
{
    private static readonly string[] s_signals = ["", "TRACES_", "METRICS_"];

    private static readonly string[] s_samplers =
        ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];

    /// <summary>Throws a <see cref="UsageException"/> for the first variable (in a fixed order) whose value is unusable.</summary>
    public static void Check(Func<string, string?> read)
    {
        string? Value(string name) => read(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        void Require(string name, Func<string, bool> valid, string expected)
        {
            if (Value(name) is { } value && !valid(value))
            {
                throw new UsageException($"{name} must be {expected}, not {InputText.Quote(value)}");
            }
        }

        foreach (string signal in s_signals)
        {
            Require($"OTEL_EXPORTER_OTLP_{signal}PROTOCOL", v => v is "grpc" or "http/protobuf", "grpc or http/protobuf (http/json is not supported)");
            Require($"OTEL_EXPORTER_OTLP_{signal}HEADERS", IsPairList, "key=value pairs separated by ',' (e.g. api-key=secret,tenant=a)");
            Require($"OTEL_EXPORTER_OTLP_{signal}TIMEOUT", v => IsWhole(v, 0), "a whole number of milliseconds");
            Require($"OTEL_EXPORTER_OTLP_{signal}COMPRESSION", v => v is "gzip" or "none", "gzip or none");
        }

        Require("OTEL_SDK_DISABLED", v => v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase), "true or false");
        Require("OTEL_TRACES_EXPORTER", v => v is "otlp" or "none", "otlp or none");
        Require("OTEL_METRICS_EXPORTER", v => v is "otlp" or "none", "otlp or none");
        Require("OTEL_METRIC_EXPORT_INTERVAL", v => IsWhole(v, 1), "a positive whole number of milliseconds");
        Require("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", v => v.ToLowerInvariant() is "cumulative" or "delta" or "lowmemory", "cumulative, delta or lowmemory");
        Require("OTEL_RESOURCE_ATTRIBUTES", IsPairList, "key=value pairs separated by ',' (e.g. service.name=lab,deployment.environment=test)");
        Require("OTEL_TRACES_SAMPLER", s_samplers.Contains, "one of " + string.Join(", ", s_samplers));
        Require("OTEL_TRACES_SAMPLER_ARG", v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) && ratio is >= 0 and <= 1, "a sampling ratio from 0 to 1");
        Require("OTEL_BSP_SCHEDULE_DELAY", v => IsWhole(v, 0), "a whole number of milliseconds");
        Require("OTEL_BSP_EXPORT_TIMEOUT", v => IsWhole(v, 0), "a whole number of milliseconds");
        Require("OTEL_BSP_MAX_QUEUE_SIZE", v => IsWhole(v, 1), "a positive whole number");
        Require("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", v => IsWhole(v, 1), "a positive whole number");
    }

    private static bool IsWhole(string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum;

    /// <summary>What the SDK's header and resource parsers take: items separated by ',', each a non-empty key, '=' and a value.</summary>
    private static bool IsPairList(string text) =>
        text.Split(',').All(item => item.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals && item[..equals].Trim().Length > 0);
}
