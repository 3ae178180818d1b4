using System.Diagnostics.Metrics;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>A MeterListener on one run's meter, keeping every measurement with its attributes.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Recorded> _measurements = [];

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                Instruments.Add(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public List<Instrument> Instruments { get; } = [];

    /// <summary>Asks every observable instrument for its values now and returns them (the last observation only).</summary>
    public IReadOnlyList<Recorded> Observe()
    {
        int start;
        lock (_measurements)
        {
            start = _measurements.Count;
        }

        _listener.RecordObservableInstruments();
        lock (_measurements)
        {
            return _measurements.Skip(start).ToList();
        }
    }

    /// <summary>The sum of the counter measurements of <paramref name="instrument"/> whose attributes include all of <paramref name="attributes"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] attributes)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument && m.Has(attributes)).Sum(m => m.Value);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var tag in tags)
        {
            attributes[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }

        lock (_measurements)
        {
            _measurements.Add(new Recorded(instrument.Name, value, attributes));
        }
    }

    internal sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, string> Attributes)
    {
        public bool Has((string Key, string Value)[] wanted) => wanted.All(w => Attributes.TryGetValue(w.Key, out var v) && v == w.Value);
    }
}

internal static class RecordedExtensions
{
    public static double Value(this IReadOnlyList<MetricRecorder.Recorded> observed, string instrument, params (string Key, string Value)[] attributes) =>
        Assert.Single(observed, m => m.Instrument == instrument && m.Has(attributes)).Value;
}
