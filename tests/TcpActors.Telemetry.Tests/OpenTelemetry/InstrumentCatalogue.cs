using System.Diagnostics.Metrics;
using System.Reflection;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// The instruments TcpActors defines, read from a live <see cref="SimulationMetrics"/>, with the names they
/// get in Prometheus after the OpenTelemetry Collector's OTLP→Prometheus translation
/// (opentelemetry-collector-contrib pkg/translator/prometheus, used by its prometheus exporter with
/// add_metric_suffixes on): the name is split on every character that is not a letter or digit and
/// re-joined with '_'; the unit's Prometheus word (s → seconds, By → bytes, …) is appended unless the name
/// already holds it, and annotations in braces add nothing; "_per_X" follows for a "/X" unit; monotonic
/// sums (counters) end in "_total"; gauges with unit "1" end in "_ratio".
/// </summary>
internal static class InstrumentCatalogue
{
    private static readonly Dictionary<string, string> s_unitWords = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds",
        ["us"] = "microseconds", ["ns"] = "nanoseconds", ["By"] = "bytes", ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes", ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes", ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes", ["GBy"] = "gigabytes", ["TBy"] = "terabytes", ["m"] = "meters", ["V"] = "volts",
        ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts", ["g"] = "grams", ["Cel"] = "celsius",
        ["Hz"] = "hertz", ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> s_perUnitWords = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    public enum Kind
    {
        Counter,
        UpDownCounter,
        Gauge,
        Histogram,
    }

    public sealed record Entry(string Name, string Unit, Kind Kind)
    {
        public string PrometheusName => Translate(Name, Unit, Kind);

        /// <summary>The series names Prometheus holds for it (a histogram has three).</summary>
        public IEnumerable<string> PrometheusSeries => Kind == Kind.Histogram
            ? [PrometheusName + "_bucket", PrometheusName + "_sum", PrometheusName + "_count"]
            : [PrometheusName];
    }

    public static IReadOnlyList<Entry> All { get; } = Load();

    /// <summary>The instruments declared in <see cref="TelemetryNames.Instruments"/>: each name constant with its Unit constant.</summary>
    public static IReadOnlyList<(string Name, string Unit)> Declared { get; } = typeof(TelemetryNames.Instruments)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && !f.Name.EndsWith("Unit", StringComparison.Ordinal))
        .Select(f => ((string)f.GetRawConstantValue()!, (string)typeof(TelemetryNames.Instruments).GetField(f.Name + "Unit")!.GetRawConstantValue()!))
        .ToList();

    /// <summary>Prometheus label name of an attribute key: every character outside [a-zA-Z0-9_] becomes '_'.</summary>
    public static string LabelName(string attributeKey) =>
        new(attributeKey.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());

    public static string Translate(string name, string unit, Kind kind)
    {
        var tokens = name.Split(c => !char.IsLetterOrDigit(c)).ToList();
        var units = unit.Split('/', 2);
        string main = units[0].Trim();
        if (main.Length > 0 && !main.Contains('{', StringComparison.Ordinal) && !main.Contains('}', StringComparison.Ordinal))
        {
            string word = s_unitWords.GetValueOrDefault(main, main == "1" ? "" : main);
            if (word.Length > 0 && !tokens.Contains(word))
            {
                tokens.Add(word);
            }
        }

        if (units.Length == 2)
        {
            string per = units[1].Trim();
            if (per.Length > 0 && !per.Contains('{', StringComparison.Ordinal))
            {
                string word = s_perUnitWords.GetValueOrDefault(per, per);
                if (!tokens.Contains(word))
                {
                    tokens.AddRange(["per", word]);
                }
            }
        }

        if (kind == Kind.Counter)
        {
            tokens.Remove("total");
            tokens.Add("total");
        }

        if (unit == "1" && kind == Kind.Gauge)
        {
            tokens.Remove("ratio");
            tokens.Add("ratio");
        }

        return string.Join('_', tokens);
    }

    private static List<Entry> Load()
    {
        var scenario = new TwoHostScenario(name: "catalogue");
        using var metrics = new SimulationMetrics(scenario.Topology);
        using var recorder = new MetricRecorder(metrics.Meter);
        return recorder.Instruments.Select(i => new Entry(i.Name, i.Unit ?? "", KindOf(i))).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    private static Kind KindOf(Instrument instrument)
    {
        var definition = instrument.GetType().GetGenericTypeDefinition();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return Kind.Counter;
        }

        if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return Kind.UpDownCounter;
        }

        if (definition == typeof(Histogram<>))
        {
            return Kind.Histogram;
        }

        return Kind.Gauge;
    }
}

internal static class StringSplitExtensions
{
    public static string[] Split(this string text, Func<char, bool> isSeparator)
    {
        var parts = new List<string>();
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool separator = i == text.Length || isSeparator(text[i]);
            if (!separator && start < 0)
            {
                start = i;
            }
            else if (separator && start >= 0)
            {
                parts.Add(text[start..i]);
                start = -1;
            }
        }

        return [.. parts];
    }
}
