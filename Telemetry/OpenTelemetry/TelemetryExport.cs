using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// The entry point of OpenTelemetry export for a run (what <c>tcpactors --otlp ENDPOINT</c> calls):
/// attaches a <see cref="ConnectionTracer"/> and <see cref="SimulationMetrics"/> to the topology's event
/// stream and sends their spans and metrics through the OTLP exporter.
/// <code>
///   using var export = TelemetryExport.Start(topology, new TelemetryExportOptions { Endpoint = new Uri("http://localhost:4317") });
///   system.RunUntilIdle();
///   // disposing ends open spans and flushes both signals
/// </code>
/// Off unless an endpoint is configured (the option or OTEL_EXPORTER_OTLP_ENDPOINT), and then nothing is
/// subscribed, so producers build no events. The standard variables are honoured: OTEL_SDK_DISABLED,
/// OTEL_TRACES_EXPORTER/OTEL_METRICS_EXPORTER=none, OTEL_EXPORTER_OTLP_* (endpoint, protocol, headers,
/// timeout, compression…), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and
/// OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_*, OTEL_METRIC_EXPORT_INTERVAL and
/// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE.
/// </summary>
public static class TelemetryExport
{
    private static readonly TimeSpan s_defaultMetricInterval = TimeSpan.FromSeconds(5);

    /// <summary>Whether these options (and the environment) ask for export at all.</summary>
    public static bool IsRequested(TelemetryExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new OtelSettings(options.EffectiveEnvironment());
        return !settings.SdkDisabled && (options.Endpoint is not null || settings.HasEndpoint("TRACES") || settings.HasEndpoint("METRICS"));
    }

    /// <summary>
    /// Starts exporting the run of <paramref name="topology"/>. Call it before running the simulation, and
    /// dispose the result after the run has returned (from the thread that ran it): disposing ends the spans
    /// still open at the current simulated time, takes a last sample of the gauges, and flushes.
    /// </summary>
    public static TelemetryExportSession Start(Topology topology, TelemetryExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        var settings = new OtelSettings(options.EffectiveEnvironment());
        if (!IsRequested(options))
        {
            return TelemetryExportSession.Disabled;
        }

        bool traces = (options.Traces ?? !settings.ExporterNone("OTEL_TRACES_EXPORTER")) && (options.Endpoint is not null || settings.HasEndpoint("TRACES"));
        bool metrics = (options.Metrics ?? !settings.ExporterNone("OTEL_METRICS_EXPORTER")) && (options.Endpoint is not null || settings.HasEndpoint("METRICS"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Environment).Build();
        TracerProvider? tracerProvider = null;
        MeterProvider? meterProvider = null;
        ConnectionTracer? tracer = null;
        SimulationMetrics? simulationMetrics = null;
        try
        {
            if (traces)
            {
                tracerProvider = BuildTracerProvider(topology, options, settings, configuration);
                tracer = new ConnectionTracer(topology, new ConnectionTracerOptions
                {
                    Epoch = options.Epoch,
                    SegmentSpans = options.SegmentSpans,
                    ChaosVerdicts = options.ChaosVerdicts,
                });
            }

            if (metrics)
            {
                meterProvider = BuildMeterProvider(topology, options, settings, configuration);
                simulationMetrics = new SimulationMetrics(topology, new SimulationMetricsOptions { ChaosVerdicts = options.ChaosVerdicts });
            }
        }
        catch
        {
            tracer?.Dispose();
            simulationMetrics?.Dispose();
            tracerProvider?.Dispose();
            meterProvider?.Dispose();
            throw;
        }

        return new TelemetryExportSession(tracer, simulationMetrics, tracerProvider, meterProvider, options.ShutdownTimeout);
    }

    private static TracerProvider BuildTracerProvider(Topology topology, TelemetryExportOptions options, OtelSettings settings, IConfiguration configuration)
    {
        return Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(resource => DescribeRun(resource, topology, options, settings))
            .AddSource(TelemetryNames.ActivitySourceName)
            .AddOtlpExporter(exporter => Configure(exporter, options, settings, "TRACES", "v1/traces"))
            .Build();
    }

    private static MeterProvider BuildMeterProvider(Topology topology, TelemetryExportOptions options, OtelSettings settings, IConfiguration configuration)
    {
        var interval = options.MetricExportInterval ?? settings.MetricExportInterval ?? s_defaultMetricInterval;
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(resource => DescribeRun(resource, topology, options, settings))
            .AddMeter(TelemetryNames.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, options, settings, "METRICS", "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Max(1, interval.TotalMilliseconds);
            })
            .Build();
    }

    /// <summary>The explicit endpoint and protocol; everything else the exporter reads from the configuration.</summary>
    private static void Configure(OtlpExporterOptions exporter, TelemetryExportOptions options, OtelSettings settings, string signal, string signalPath)
    {
        var protocol = options.Protocol ?? settings.Protocol(signal);
        exporter.Protocol = protocol == OtlpTransport.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        if (options.Endpoint is { } endpoint)
        {
            // Like OTEL_EXPORTER_OTLP_ENDPOINT: over HTTP, a base URL gets the signal's path.
            bool bare = endpoint.AbsolutePath is "" or "/";
            exporter.Endpoint = protocol == OtlpTransport.HttpProtobuf && bare ? new Uri(endpoint, signalPath) : endpoint;
        }
    }

    private static void DescribeRun(ResourceBuilder resource, Topology topology, TelemetryExportOptions options, OtelSettings settings)
    {
        var system = topology.System;
        string seed = system.Seed.ToString(CultureInfo.InvariantCulture);
        resource.AddService(
            options.ServiceName ?? settings.ServiceName ?? TelemetryNames.DefaultServiceName,
            autoGenerateServiceInstanceId: false,
            serviceInstanceId: $"{system.Name}/{seed}");
        resource.AddAttributes(
        [
            new KeyValuePair<string, object>(TelemetryNames.Attributes.RunName, system.Name),
            new KeyValuePair<string, object>(TelemetryNames.Attributes.RunSeed, seed),
        ]);
    }
}
