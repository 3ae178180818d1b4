using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// A byte count or a duration drawn per use from a seeded stream: <c>100</c> (fixed), <c>100-200</c>
/// (uniform), <c>exp:100</c> (exponential with that mean). Durations take units: <c>exp:50ms</c>.
/// </summary>
public sealed record Distribution(string Kind, double A, double B)
{
    public static Distribution Fixed(double value) => new("fixed", value, value);

    public double Mean => Kind switch
    {
        "uniform" => (A + B) / 2,
        _ => A,
    };

    public double Draw(RandomStream random) => Kind switch
    {
        "uniform" => A + (random.NextDouble() * (B - A)),
        "exp" => -A * Math.Log(1 - random.NextDouble()),
        _ => A,
    };

    /// <summary>Parses a byte count distribution; <paramref name="option"/> names the option in errors.</summary>
    public static Distribution ParseBytes(string text, string option) =>
        Parse(text, option, ParseCount, "a byte count like 100, 100-2000 or exp:500, from 1 to 2147483647 (a request or response has at least one byte)", mean: ParseMean);

    /// <summary>Parses a duration distribution (<c>0</c>, <c>50ms</c>, <c>10ms-30ms</c>, <c>exp:20ms</c>).</summary>
    public static Distribution ParseDuration(string text, string option) =>
        Parse(text, option, t => Durations.TryParse(t, out var d) ? d.Nanoseconds : t == "0" ? 0 : null, "a duration like 0, 50ms, 10ms-30ms or exp:20ms");

    public override string ToString() => Kind switch
    {
        "uniform" => string.Create(CultureInfo.InvariantCulture, $"{A}-{B}"),
        "exp" => string.Create(CultureInfo.InvariantCulture, $"exp:{A}"),
        _ => A.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A whole byte count from 1 (a send has no half bytes, and a request or response of 0 bytes was silently sent as 1).</summary>
    private static double? ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1 ? value : null;

    /// <summary>An exponential distribution's mean may have a fraction (each draw is rounded).</summary>
    private static double? ParseMean(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value is >= 1 and <= int.MaxValue ? value : null;

    private static Distribution Parse(string text, string option, Func<string, double?> value, string expected, Func<string, double?>? mean = null)
    {
        string trimmed = text.Trim();
        if (trimmed.StartsWith("exp:", StringComparison.Ordinal) && (mean ?? value)(trimmed[4..]) is { } average && average > 0)
        {
            return new Distribution("exp", average, average);
        }

        // A leading '-' is a sign, not a range ('-5' is refused below); an empty value has no dash at all.
        int dash = trimmed.Length > 1 ? trimmed.IndexOf('-', 1) : -1;
        if (dash > 0 && value(trimmed[..dash]) is { } low && value(trimmed[(dash + 1)..]) is { } high && high >= low)
        {
            return new Distribution("uniform", low, high);
        }

        if (value(trimmed) is { } single)
        {
            return Fixed(single);
        }

        throw new ScenarioException(new SourceSpan(option, 0, 0), $"{InputText.Quote(text)} is not {expected}");
    }
}
