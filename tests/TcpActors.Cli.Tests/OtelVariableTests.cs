namespace TcpActors.Cli.Tests;

/// <summary>OTEL_* variables an export reads are checked before the run: a value it cannot use is bad input naming the variable.</summary>
public sealed class OtelVariableTests
{
    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_HEADERS", "garbage", "OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by ',' (e.g. api-key=secret,tenant=a), not 'garbage'")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=b,", "OTEL_EXPORTER_OTLP_TRACES_HEADERS must be key=value pairs separated by ',' (e.g. api-key=secret,tenant=a), not 'a=b,'")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "udp", "OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf (http/json is not supported), not 'udp'")]
    [InlineData("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", "OTEL_EXPORTER_OTLP_TIMEOUT must be a whole number of milliseconds, not '10s'")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "-5", "OTEL_METRIC_EXPORT_INTERVAL must be a positive whole number of milliseconds, not '-5'")]
    [InlineData("OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER must be otlp or none, not 'zipkin'")]
    [InlineData("OTEL_SDK_DISABLED", "maybe", "OTEL_SDK_DISABLED must be true or false, not 'maybe'")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "2", "OTEL_TRACES_SAMPLER_ARG must be a sampling ratio from 0 to 1, not '2'")]
    [InlineData("OTEL_RESOURCE_ATTRIBUTES", "=x", "OTEL_RESOURCE_ATTRIBUTES must be key=value pairs separated by ',' (e.g. service.name=lab,deployment.environment=test), not '=x'")]
    public void An_unusable_value_names_its_variable(string variable, string value, string message)
    {
        // Proves each checked variable is refused with its name and value (headers made the SDK throw mid-run: exit code 3).
        var error = Assert.Throws<UsageException>(() => OtelVariables.Check(name => name == variable ? value : null));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Usable_and_blank_values_pass()
    {
        // Proves the check refuses nothing the SDK takes: the documented forms, and blank variables (read as unset).
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=secret, tenant = a",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = " grpc ",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "10000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_TRACES_EXPORTER"] = "none",
            ["OTEL_SDK_DISABLED"] = "FALSE",
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.25",
            ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"] = "Delta",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=lab",
            ["OTEL_BSP_MAX_QUEUE_SIZE"] = "  ",
        };

        OtelVariables.Check(name => environment.GetValueOrDefault(name));
    }
}
