using System.Globalization;
using TcpActors.Simulation;

namespace TcpActors.Reports;

/// <summary>
/// One line per host for a chart over time, or, with more than <see cref="MaxHosts"/> hosts, a line for
/// each of the <see cref="MaxHosts"/> busiest by peak and one for all the others together (their sum, or
/// the largest of them, as the figure calls for). Lines are listed in natural host order, the others last.
/// </summary>
internal static class HostLines
{
    public const int MaxHosts = 8;

    private static readonly string[] s_colors = ["#1f5fa8", "#e65100", "#2e7d32", "#8e24aa", "#c62828", "#00897b", "#6d4c41", "#f9a825"];

    /// <summary>The lines, and a caption that says which hosts have a line of their own.</summary>
    /// <param name="samples">The time series.</param>
    /// <param name="values">The per-host figure of a sample (its hosts are the same in every sample).</param>
    /// <param name="noun">What a host is here, singular and plural: ("host", "hosts"), ("client", "clients").</param>
    /// <param name="sumOthers">Whether the others' line is their sum (true) or the largest of them at each sample.</param>
    public static (List<ChartSeries> Lines, string Caption) Build(IReadOnlyList<LoadSample> samples, Func<LoadSample, NamedCounts> values, (string One, string Many) noun, bool sumOthers)
    {
        if (samples.Count == 0)
        {
            return ([], "");
        }

        var names = values(samples[0]).Keys.ToList();
        var peaks = new long[names.Count];
        foreach (var sample in samples)
        {
            var counts = values(sample);
            for (int h = 0; h < names.Count; h++)
            {
                peaks[h] = Math.Max(peaks[h], counts.At(h));
            }
        }

        // The busiest by peak; among equal peaks, the first in natural order. Drawn in natural order.
        var drawn = names.Count <= MaxHosts
            ? Enumerable.Range(0, names.Count).ToList()
            : [.. Enumerable.Range(0, names.Count).OrderByDescending(h => peaks[h]).ThenBy(h => h).Take(MaxHosts).Order()];
        var lines = drawn.Select((h, i) => new ChartSeries(names[h], s_colors[i % s_colors.Length],
            samples.Select(s => (s.Time, (double)values(s).At(h))).ToList())).ToList();
        if (drawn.Count == names.Count)
        {
            return (lines, string.Create(CultureInfo.InvariantCulture, $"One line per {noun.One} ({names.Count} in all)."));
        }

        var isDrawn = new bool[names.Count];
        drawn.ForEach(h => isDrawn[h] = true);
        int others = names.Count - drawn.Count;
        var rest = samples.Select(s =>
        {
            var counts = values(s);
            long combined = 0;
            for (int h = 0; h < names.Count; h++)
            {
                if (!isDrawn[h])
                {
                    combined = sumOthers ? combined + counts.At(h) : Math.Max(combined, counts.At(h));
                }
            }

            return (s.Time, (double)combined);
        }).ToList();
        string name = string.Create(CultureInfo.InvariantCulture, $"other {others} {(others == 1 ? noun.One : noun.Many)}{(sumOthers ? "" : " (max)")}");
        lines.Add(new ChartSeries(name, "#9e9e9e", rest, Dashed: true));
        string how = sumOthers ? "their sum" : $"the largest of their figures at each second";
        return (lines, string.Create(CultureInfo.InvariantCulture,
            $"{names.Count} {noun.Many}: the {MaxHosts} with the highest peak have a line each; “{name}” is the other {others}, {how}."));
    }
}
