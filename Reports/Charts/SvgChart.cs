using System.Globalization;

namespace TcpActors.Reports;

/// <summary>A line on a chart: its name for the legend, colour, points, and whether it steps (a counter sampled per second).</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>A horizontal line across a chart (a limit such as the ephemeral port range).</summary>
internal sealed record ChartLimit(string Name, double Value, string Color);

/// <summary>A stack of bars over time: one bar per time bucket, one colour per series.</summary>
internal sealed record BarSeries(string Name, string Color, IReadOnlyList<double> Values);

/// <summary>
/// Static SVG charts for the load report: time series as lines, per-second rates as stacked bars, and a
/// histogram on a logarithmic axis. See docs/adr/0002-report-charts.md for why these are drawn here rather
/// than by a charting package. Every number is formatted invariantly, so the same run gives the same bytes.
/// </summary>
internal static class SvgChart
{
    private const double Width = 660;
    private const double Height = 300;
    private const double PlotLeft = 64;
    private const double PlotRight = Width - 16;
    private const double PlotTop = 40;
    private const double PlotBottom = Height - 66;

    private const string Style =
        "<style>text{font-family:system-ui,'DejaVu Sans',sans-serif;font-size:11px;fill:#444}.t{font-size:14px;font-weight:bold;fill:#222}"
        + ".l{font-size:11.5px;fill:#333}</style>\n";

    public static string Lines(string id, string title, string yLabel, IReadOnlyList<ChartSeries> series, double xMax, IReadOnlyList<ChartLimit>? limits = null, string xLabel = "simulated time (s)")
    {
        limits ??= [];
        double yMax = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(0).Max());
        yMax = Math.Max(yMax, limits.Select(l => l.Value).DefaultIfEmpty(0).Max());
        var yTicks = NiceTicks(0, yMax * 1.05);
        yMax = yTicks[^1];
        xMax = Math.Max(xMax, 1);
        var svg = Open(id, title);
        Axes(svg, yTicks, yLabel, xMax, xLabel);
        foreach (var limit in limits)
        {
            double y = Y(limit.Value, yMax);
            svg.Line(PlotLeft, y, PlotRight, y, limit.Color, 1.4, "7 4");
            svg.Text(PlotRight - 4, y - 5, limit.Name, "l", "end", limit.Color);
        }

        foreach (var line in series.Where(s => s.Points.Count > 0))
        {
            var points = line.Points.Select(p => $"{Svg.Number(X(p.X, xMax))},{Svg.Number(Y(p.Y, yMax))}");
            svg.Group("series", ("name", line.Name), ("total", line.Points[^1].Y.ToString(CultureInfo.InvariantCulture)), ("max", line.Points.Max(p => p.Y).ToString(CultureInfo.InvariantCulture)));
            svg.Title($"{line.Name}: peak {Compact(line.Points.Max(p => p.Y))}, last {Compact(line.Points[^1].Y)}");
            svg.Raw($"<polyline fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{(line.Dashed ? " stroke-dasharray=\"5 3\"" : "")} points=\"{string.Join(' ', points)}\"/>\n");
            svg.End();
        }

        Legend(svg, series.Select(s => (s.Name, s.Color)).Concat(limits.Select(l => (l.Name, l.Color))).ToList());
        return svg.Raw("</svg>\n").ToString();
    }

    /// <summary>Stacked bars, one per bucket of <paramref name="bucketSeconds"/> starting at 0.</summary>
    public static string Bars(string id, string title, string yLabel, IReadOnlyList<BarSeries> series, double bucketSeconds, double xEnd, string? empty = null)
    {
        int buckets = Math.Max(series.Select(s => s.Values.Count).DefaultIfEmpty(0).Max(), (int)Math.Ceiling(xEnd / bucketSeconds));
        double xMax = Math.Max(1, buckets * bucketSeconds);
        var totals = Enumerable.Range(0, buckets).Select(i => series.Sum(s => i < s.Values.Count ? s.Values[i] : 0)).ToList();
        var yTicks = NiceTicks(0, Math.Max(1, totals.DefaultIfEmpty(0).Max()) * 1.05);
        double yMax = yTicks[^1];
        var svg = Open(id, title);
        Axes(svg, yTicks, yLabel, xMax, "simulated time (s)");
        double barWidth = Math.Max(0.6, ((PlotRight - PlotLeft) / Math.Max(1, buckets)) - 1);
        foreach (var bar in series)
        {
            svg.Group("series", ("name", bar.Name), ("total", bar.Values.Sum().ToString(CultureInfo.InvariantCulture)));
            svg.Title($"{bar.Name}: {Compact(bar.Values.Sum())} in all");
            for (int i = 0; i < bar.Values.Count; i++)
            {
                if (bar.Values[i] <= 0)
                {
                    continue;
                }

                double below = series.TakeWhile(s => !ReferenceEquals(s, bar)).Sum(s => i < s.Values.Count ? s.Values[i] : 0);
                double top = Y(below + bar.Values[i], yMax);
                svg.Rect(X(i * bucketSeconds, xMax), top, barWidth, Y(below, yMax) - top, bar.Color);
            }

            svg.End();
        }

        if (totals.All(t => t == 0) && empty is not null)
        {
            svg.Text((PlotLeft + PlotRight) / 2, (PlotTop + PlotBottom) / 2, empty, "l", "middle");
        }

        Legend(svg, series.Select(s => (s.Name, s.Color)).ToList());
        return svg.Raw("</svg>\n").ToString();
    }

    /// <summary>Counts per bucket on a logarithmic axis; <paramref name="markers"/> are vertical lines (percentiles).</summary>
    public static string Histogram(string id, string title, IReadOnlyList<(double Low, double High, long Count)> buckets, IReadOnlyList<(string Name, double Value)> markers, Func<double, string> label)
    {
        var svg = Open(id, title);
        var used = buckets.Where(b => b.Count > 0).ToList();
        if (used.Count == 0)
        {
            svg.Text((PlotLeft + PlotRight) / 2, (PlotTop + PlotBottom) / 2, "no connection completed a handshake", "l", "middle");
            return svg.Raw("</svg>\n").ToString();
        }

        // At least two decades wide, so a run whose handshakes all took the same time still shows a scale.
        double low = Math.Log10(used[0].Low);
        double high = Math.Log10(used[^1].High);
        double widen = Math.Max(0, (2 - (high - low)) / 2);
        low -= widen;
        high += widen;
        double LogX(double value) => PlotLeft + ((Math.Log10(Math.Max(value, 1e-12)) - low) / (high - low) * (PlotRight - PlotLeft));
        var yTicks = NiceTicks(0, used.Max(b => b.Count) * 1.05);
        double yMax = yTicks[^1];
        Axes(svg, yTicks, "connections", null, "connect latency (simulated, log scale)");
        svg.Group("series", ("name", "connect latency"), ("total", used.Sum(b => b.Count).ToString(CultureInfo.InvariantCulture)));
        foreach (var (bucketLow, bucketHigh, count) in used)
        {
            double x1 = LogX(bucketLow);
            double x2 = LogX(bucketHigh);
            double top = Y(count, yMax);
            svg.Raw("<g>").Title($"{label(bucketLow)} – {label(bucketHigh)}: {count:N0}");
            svg.Rect(x1 + 0.5, top, Math.Max(1, x2 - x1 - 1), PlotBottom - top, "#5c6bc0").Raw("</g>\n");
        }

        svg.End();
        for (int decade = (int)Math.Floor(low); decade <= (int)Math.Ceiling(high); decade++)
        {
            double value = Math.Pow(10, decade);
            if (Math.Log10(value) >= low - 1e-9 && Math.Log10(value) <= high + 1e-9)
            {
                double x = LogX(value);
                svg.Line(x, PlotBottom, x, PlotBottom + 4, "#666").Text(x, PlotBottom + 16, label(value), "", "middle");
            }
        }

        // Percentiles with the same value share one line: "p50 = p90 = p99 100 µs".
        var colors = new[] { "#2e7d32", "#f9a825", "#e65100", "#b71c1c" };
        var groups = markers.GroupBy(m => m.Value).OrderBy(g => g.Key).ToList();
        for (int i = 0; i < groups.Count; i++)
        {
            double x = LogX(groups[i].Key);
            string color = colors[i % colors.Length];
            bool right = x < (PlotLeft + PlotRight) * 0.7;
            svg.Line(x, PlotTop, x, PlotBottom, color, 1.5, "4 3");
            svg.Text(x + (right ? 4 : -4), PlotTop + 10 + (i * 13), $"{string.Join(" = ", groups[i].Select(m => m.Name))} {label(groups[i].Key)}", "l", right ? "start" : "end", color);
        }

        return svg.Raw("</svg>\n").ToString();
    }

    private static Svg Open(string id, string title)
    {
        var svg = new Svg();
        svg.Raw($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" viewBox=\"0 0 {Svg.Number(Width)} {Svg.Number(Height)}\" width=\"{Svg.Number(Width)}\" height=\"{Svg.Number(Height)}\" role=\"img\" aria-label=\"{Svg.Escape(title)}\">\n");
        svg.Raw(Style).Rect(0, 0, Width, Height, "#fff", "#e0e0e0").Text(12, 22, title, "t");
        return svg;
    }

    private static void Axes(Svg svg, IReadOnlyList<double> yTicks, string yLabel, double? xMax, string xLabel)
    {
        double yMax = yTicks[^1];
        foreach (double tick in yTicks)
        {
            double y = Y(tick, yMax);
            svg.Line(PlotLeft, y, PlotRight, y, tick == 0 ? "#888" : "#eee");
            svg.Text(PlotLeft - 6, y + 4, Compact(tick), "", "end");
        }

        svg.Raw($"<text x=\"14\" y=\"{Svg.Number((PlotTop + PlotBottom) / 2)}\" transform=\"rotate(-90 14 {Svg.Number((PlotTop + PlotBottom) / 2)})\" text-anchor=\"middle\">{Svg.Escape(yLabel)}</text>\n");
        if (xMax is { } max)
        {
            foreach (double tick in NiceTicks(0, max))
            {
                if (tick <= max)
                {
                    double x = X(tick, max);
                    svg.Line(x, PlotBottom, x, PlotBottom + 4, "#666").Text(x, PlotBottom + 16, Compact(tick), "", "middle");
                }
            }
        }

        svg.Text((PlotLeft + PlotRight) / 2, PlotBottom + 30, xLabel, "", "middle");
    }

    private static void Legend(Svg svg, IReadOnlyList<(string Name, string Color)> entries)
    {
        double x = PlotLeft;
        double y = Height - 14;
        foreach (var (name, color) in entries)
        {
            svg.Rect(x, y - 8, 12, 10, color).Text(x + 16, y + 1, name, "l");
            x += 30 + (name.Length * 6.4);
        }
    }

    private static double X(double value, double max) => PlotLeft + (value / max * (PlotRight - PlotLeft));

    private static double Y(double value, double max) => PlotBottom - (value / max * (PlotBottom - PlotTop));

    /// <summary>Round tick values from <paramref name="min"/> to at least <paramref name="max"/>: steps of 1, 2 or 5 times a power of ten.</summary>
    public static List<double> NiceTicks(double min, double max, int wanted = 5)
    {
        double span = Math.Max(max - min, 1e-9);
        double rough = span / wanted;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(f => f * power).First(s => s >= rough);
        step = Math.Max(step, max >= 1 && min == 0 && step < 1 ? 1 : step);
        var ticks = new List<double>();
        for (double tick = Math.Floor(min / step) * step; ticks.Count < 50; tick += step)
        {
            ticks.Add(Math.Round(tick, 9));
            if (tick >= max - 1e-9)
            {
                break;
            }
        }

        return ticks;
    }

    /// <summary>1,234 → 1.2k; 5,000,000 → 5M; 0.25 → 0.25.</summary>
    public static string Compact(double value)
    {
        var culture = CultureInfo.InvariantCulture;
        double magnitude = Math.Abs(value);
        return magnitude switch
        {
            >= 1e9 => (value / 1e9).ToString("0.#", culture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.#", culture) + "M",
            >= 1e4 => (value / 1e3).ToString("0.#", culture) + "k",
            >= 1 => value.ToString("#,0.##", culture),
            _ => value.ToString("0.###", culture),
        };
    }
}
