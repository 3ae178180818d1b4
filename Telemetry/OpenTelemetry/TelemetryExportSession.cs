using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TcpActors.Telemetry;

/// <summary>
/// A running export (from <see cref="TelemetryExport.Start"/>). Dispose it after the run: it ends the spans
/// still open, samples the gauges one last time, flushes both signals (bounded by the shutdown timeout)
/// and detaches from the event stream.
/// </summary>
public sealed class TelemetryExportSession : IDisposable
{
    private readonly TracerProvider? _tracerProvider;
    private readonly MeterProvider? _meterProvider;
    private readonly int _timeoutMilliseconds;
    private bool _disposed;

    internal TelemetryExportSession(ConnectionTracer? tracer, SimulationMetrics? metrics, TracerProvider? tracerProvider, MeterProvider? meterProvider, TimeSpan timeout)
    {
        Tracer = tracer;
        Metrics = metrics;
        _tracerProvider = tracerProvider;
        _meterProvider = meterProvider;
        _timeoutMilliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
    }

    /// <summary>The session of a run that exports nothing (no endpoint configured, or OTEL_SDK_DISABLED).</summary>
    public static TelemetryExportSession Disabled => new(null, null, null, null, TimeSpan.Zero);

    /// <summary>Whether anything is exported.</summary>
    public bool IsEnabled => Tracer is not null || Metrics is not null;

    /// <summary>The tracer, when traces are exported.</summary>
    public ConnectionTracer? Tracer { get; }

    /// <summary>The metrics, when metrics are exported.</summary>
    public SimulationMetrics? Metrics { get; }

    /// <summary>
    /// Sends what has been recorded so far (ended spans, current metric values). Call it between runs or from
    /// the simulation's thread; returns false if the exporters did not finish in the shutdown timeout.
    /// </summary>
    public bool Flush()
    {
        Metrics?.Refresh();
        bool traces = _tracerProvider?.ForceFlush(_timeoutMilliseconds) ?? true;
        bool metrics = _meterProvider?.ForceFlush(_timeoutMilliseconds) ?? true;
        return traces && metrics;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Tracer?.Dispose();
        Metrics?.Refresh();
        _meterProvider?.Shutdown(_timeoutMilliseconds);
        _tracerProvider?.Shutdown(_timeoutMilliseconds);
        _meterProvider?.Dispose();
        _tracerProvider?.Dispose();
        Metrics?.Dispose();
    }
}
