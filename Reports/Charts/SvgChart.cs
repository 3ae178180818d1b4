using System.Globalization;

namespace TcpActors.Reports;

/// <summary>A line on a chart: its name for the legend, colour, points, and whether it steps (a counter sampled per second).</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>A horizontal line across a chart (a limit such as the ephemeral port range).</summary>
internal sealed record ChartLimit(string Name, double Value, string Color);

/// <summary>A stack of bars over time: one bar per time bucket, one colour per series.</summary>
internal sealed record BarSeries(string Name, string Color, IReadOnlyList<double> Values);

/// <summary>A legend swatch placed at <see cref="X"/> on row <see cref="Row"/> (0 is the first, under the plot).</summary>
internal sealed record LegendEntry(string Name, string Color, double X, int Row);

/// <summary>
/// Static SVG charts for the load report: time series as lines or stacked areas, per-second rates as
/// stacked bars, and a histogram on a logarithmic axis; a legend too long for one row wraps, and the chart
/// grows to hold it. See docs/adr/0002-report-charts.md for why these are drawn here rather than by a
/// charting package. Every number is formatted invariantly, so the same run gives the same bytes.
/// </summary>
internal static class SvgChart
{
    private const double Width = 660;
    private const double Height = 300;
    private const double PlotLeft = 64;
    private const double PlotRight = Width - 16;
    private const double PlotTop = 40;
    private const double PlotBottom = Height - 66;
    private const double LegendRowHeight = 16;

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
        var legend = LegendLayout(series.Select(s => (s.Name, s.Color)).Concat(limits.Select(l => (l.Name, l.Color))).ToList());
        var svg = Open(id, title, legend);
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

        Legend(svg, legend);
        return svg.Raw("</svg>\n").ToString();
    }

    /// <summary>
    /// Values over time stacked as areas, the first series at the bottom; every series has the same x
    /// values (one per sample). Each series' group carries its own last and largest value, not the stack's.
    /// </summary>
    public static string StackedAreas(string id, string title, string yLabel, IReadOnlyList<ChartSeries> series, double xMax, string empty)
    {
        int points = series.Count == 0 ? 0 : series[0].Points.Count;
        if (series.Any(s => s.Points.Count != points))
        {
            throw new ArgumentException("stacked series need the same x values", nameof(series));
        }

        var below = new double[points];
        var stackTop = new double[points];
        foreach (var area in series)
        {
            for (int i = 0; i < points; i++)
            {
                stackTop[i] += area.Points[i].Y;
            }
        }

        var yTicks = NiceTicks(0, Math.Max(1, stackTop.DefaultIfEmpty(0).Max()) * 1.05);
        double yMax = yTicks[^1];
        xMax = Math.Max(xMax, 1);
        var legend = LegendLayout(series.Select(s => (s.Name, s.Color)).ToList());
        var svg = Open(id, title, legend);
        Axes(svg, yTicks, yLabel, xMax, "simulated time (s)");
        foreach (var area in series.Where(s => s.Points.Count > 0))
        {
            var upper = new List<string>(points);
            var lower = new List<string>(points);
            for (int i = 0; i < points; i++)
            {
                double x = X(area.Points[i].X, xMax);
                lower.Add($"{Svg.Number(x)},{Svg.Number(Y(below[i], yMax))}");
                below[i] += area.Points[i].Y;
                upper.Add($"{Svg.Number(x)},{Svg.Number(Y(below[i], yMax))}");
            }

            lower.Reverse();
            double peak = area.Points.Max(p => p.Y);
            svg.Group("series", ("name", area.Name), ("total", area.Points[^1].Y.ToString(CultureInfo.InvariantCulture)), ("max", peak.ToString(CultureInfo.InvariantCulture)));
            svg.Title($"{area.Name}: peak {Compact(peak)}, last {Compact(area.Points[^1].Y)}");
            svg.Raw($"<polygon fill=\"{area.Color}\" fill-opacity=\"0.85\" stroke=\"{area.Color}\" stroke-width=\"0.5\" points=\"{string.Join(' ', upper.Concat(lower))}\"/>\n");
            svg.End();
        }

        if (series.Count == 0)
        {
            svg.Text((PlotLeft + PlotRight) / 2, (PlotTop + PlotBottom) / 2, empty, "l", "middle");
        }

        Legend(svg, legend);
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
        var legend = LegendLayout(series.Select(s => (s.Name, s.Color)).ToList());
        var svg = Open(id, title, legend);
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

        Legend(svg, legend);
        return svg.Raw("</svg>\n").ToString();
    }

    /// <summary>Counts per bucket on a logarithmic axis; <paramref name="markers"/> are vertical lines (percentiles).</summary>
    public static string Histogram(string id, string title, IReadOnlyList<(double Low, double High, long Count)> buckets, IReadOnlyList<(string Name, double Value)> markers, Func<double, string> label)
    {
        var svg = Open(id, title, []);
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

    /// <summary>Opens a chart, taller than <see cref="Height"/> by the legend's rows beyond the first.</summary>
    private static Svg Open(string id, string title, IReadOnlyList<LegendEntry> legend)
    {
        double height = Height + (Math.Max(0, legend.Select(e => e.Row).DefaultIfEmpty(0).Max()) * LegendRowHeight);
        var svg = new Svg();
        svg.Raw($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" viewBox=\"0 0 {Svg.Number(Width)} {Svg.Number(height)}\" width=\"{Svg.Number(Width)}\" height=\"{Svg.Number(height)}\" role=\"img\" aria-label=\"{Svg.Escape(title)}\">\n");
        svg.Raw(Style).Rect(0, 0, Width, height, "#fff", "#e0e0e0").Text(12, 22, title, "t");
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

    /// <summary>Places the legend's swatches in rows under the plot, starting a new row where one would overflow.</summary>
    private static List<LegendEntry> LegendLayout(List<(string Name, string Color)> entries)
    {
        var placed = new List<LegendEntry>(entries.Count);
        double x = PlotLeft;
        int row = 0;
        foreach (var (name, color) in entries)
        {
            double width = 30 + (name.Length * 6.4);
            if (x > PlotLeft && x + width - 14 > PlotRight)
            {
                x = PlotLeft;
                row++;
            }

            placed.Add(new LegendEntry(name, color, x, row));
            x += width;
        }

        return placed;
    }

    private static void Legend(Svg svg, IReadOnlyList<LegendEntry> entries)
    {
        foreach (var entry in entries)
        {
            double y = Height - 14 + (entry.Row * LegendRowHeight);
            svg.Rect(entry.X, y - 8, 12, 10, entry.Color).Text(entry.X + 16, y + 1, entry.Name, "l");
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
