using System.Globalization;
using System.Text;
using TcpActors.Network;
using TcpActors.Simulation;

namespace TcpActors.Reports;

/// <summary>
/// The report of a load run: what was asked, the diagnosis in words, the summary table, then charts over
/// simulated time — sockets by TCP state, TIME_WAIT per host, ephemeral ports per client against the range,
/// the connection rate and errors by errno, retransmissions and resets, chaos verdicts — and the
/// distribution of connect latencies. Per-second bars are the differences of the run's cumulative counters, so each bar
/// series adds up to the total in the summary (and in <c>--json</c>).
/// </summary>
public static class LoadReportHtml
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    /// <summary>Charts keep at most this many bars; longer runs use buckets of several seconds.</summary>
    private const int MaxBars = 240;

    public static string Write(LoadReport report, LoadRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recorder);
        var settings = report.Settings;
        var page = new HtmlPage();
        string load = settings.Rate is { } rate ? string.Create(s_culture, $"{rate:#,0.##} new connections/s") : string.Create(s_culture, $"{settings.Concurrency:N0} connections in flight");
        string title = string.Create(s_culture, $"Load: {settings.Clients} client{(settings.Clients == 1 ? "" : "s")} → {settings.Servers} server{(settings.Servers == 1 ? "" : "s")}, {load} for {settings.Duration.TotalSeconds:0.###} s");
        page.Raw($"<h1>{Svg.Escape(title)} <span class=\"badge {(report.Failed == 0 && !report.Run.HitLimit ? "pass\">no failures" : "fail\">" + report.Failed.ToString("N0", s_culture) + " failed")}</span></h1>\n");
        page.Element("p", Settings(settings), "facts mono");
        page.Element("p", string.Create(s_culture, $"{report.Run.Message} · {report.Run.EventsProcessed:N0} events · seed {settings.Seed}"), "facts");
        page.Raw("<div class=\"diagnosis\">\n");
        foreach (string line in report.Diagnosis)
        {
            page.Element("p", line);
        }

        page.Raw("</div>\n");
        page.Element("h2", "Summary");
        page.Table(null, SummaryRows(report));
        page.Element("h2", "Over simulated time");
        page.Element("p", "Hover a line, an area or a bar series for its figures. Bars are per " + BucketWords(Bucket(report)) + "; lines and areas are sampled once a simulated second.", "howto");
        page.Raw("<div class=\"charts\">\n");
        foreach (var (chart, caption) in Charts(report, recorder))
        {
            page.Raw("<div class=\"figure\">\n").Raw(chart);
            if (caption is not null)
            {
                page.Element("p", caption, "caption");
            }

            page.Raw("</div>\n");
        }

        page.Raw("</div>\n");
        page.Preformatted(TimeSeriesText(report), $"the time series ({report.TimeSeries.Count} samples)");
        return page.Render(title + " — tcpactors report");
    }

    private static IEnumerable<(string Svg, string? Caption)> Charts(LoadReport report, LoadRecorder recorder)
    {
        var series = report.TimeSeries;
        double end = series.Count == 0 ? 1 : series[^1].Time;
        int bucket = Bucket(report);
        string per = bucket == 1 ? "per second" : $"per {bucket} s";

        // Sockets by state, stacked in lifecycle order; a state no sample saw is left out of the legend.
        var states = series.Count == 0 ? [] : series[0].ConnectionsByState.Keys.ToList();
        var byState = states.Select((state, i) => new ChartSeries(state, StateColor(state), series.Select(s => (s.Time, (double)s.ConnectionsByState.At(i))).ToList()))
            .Where(area => area.Points.Any(p => p.Y > 0)).ToList();
        yield return (SvgChart.StackedAreas("connections", "Sockets by TCP state (all hosts, stacked)", "sockets", byState, end, "no socket was open at any sample"),
            "Every host's sockets in each state, summed and stacked, sampled once a simulated second (a connection has a socket at each end); states that never occurred are left out.");

        var (timeWait, timeWaitCaption) = HostLines.Build(series, s => s.TimeWaitByHost, ("host", "hosts"), sumOthers: true);
        yield return (SvgChart.Lines("time-wait", "TIME_WAIT sockets per host", "sockets", timeWait, end), timeWaitCaption);

        var (low, high) = PortRange(report.Settings);
        var (ports, portsCaption) = HostLines.Build(series, s => s.PortsInUseByHost, ("client", "clients"), sumOthers: false);
        yield return (SvgChart.Lines("ports", "Ephemeral ports in use per client", "ports", ports, end,
            [new ChartLimit($"ip_local_port_range {low}-{high}: {high - low + 1:N0} ports", high - low + 1, "#c62828")]),
            portsCaption + " A server uses only its listening port.");
        yield return (SvgChart.Bars("rate", $"Connections finished {per}", "connections",
            [new("completed", "#43a047", Deltas(series, s => s.Completed, bucket)), new("failed", "#e53935", Deltas(series, s => s.Failed, bucket))], bucket, end), null);
        yield return (SvgChart.Bars("errors", $"Errors by errno {per} (as the clients' TCP reported them)", "errors",
            recorder.ErrorsPerSecond.Select((e, i) => new BarSeries(e.Key, ErrorColor(e.Key, i), Rebucket(e.Value, bucket))).ToList(), bucket, end, "no errors"), null);
        yield return (SvgChart.Bars("retransmissions", $"Retransmissions and resets {per}", "segments",
            [new("retransmitted segments", "#fb8c00", Deltas(series, s => s.Retransmissions, bucket)), new("resets sent", "#8e24aa", Deltas(series, s => s.ResetsSent, bucket))], bucket, end, "no retransmission, no reset"), null);
        yield return (SvgChart.Bars("chaos", $"Chaos verdicts {per}", "packets",
            recorder.VerdictsPerSecond.Select((v, i) => new BarSeries(v.Key, VerdictColor(i), Rebucket(v.Value, bucket))).ToList(), bucket, end, "no chaos rule or netem matched"), null);
        var buckets = recorder.Latency.Select((count, i) => (LoadRecorder.BucketBounds(i).Low, LoadRecorder.BucketBounds(i).High, count)).ToList();
        yield return (SvgChart.Histogram("latency", "Connect latency (SYN sent → ESTABLISHED)", buckets,
            new[] { "p50", "p90", "p99", "max" }.Where(report.ConnectLatency.ContainsKey).Select(p => (p, report.ConnectLatency[p])).Where(p => p.Item2 > 0).ToList(), Latency), null);
    }

    private static IEnumerable<IReadOnlyList<string>> SummaryRows(LoadReport report)
    {
        string N(long value) => value.ToString("N0", s_culture);
        yield return ["connections attempted", N(report.Attempted)];
        yield return ["completed", N(report.Completed)];
        yield return ["failed", N(report.Failed)];
        foreach (var (error, count) in report.FailuresByError)
        {
            yield return ["  failed with " + error, N(count)];
        }

        yield return ["still open at the end", N(report.Open)];
        yield return ["requests answered", N(report.RequestsCompleted)];
        foreach (var (error, count) in report.ServerErrors)
        {
            yield return ["server saw " + error, N(count)];
        }

        foreach (var (host, peak) in report.PeakTimeWaitByHost.Where(p => p.Value > 0 || p.Key.StartsWith("client-", StringComparison.Ordinal)).Take(16))
        {
            yield return [$"TIME_WAIT on {host} (peak / end)", $"{N(peak)} / {N(report.FinalTimeWaitByHost.GetValueOrDefault(host))}"];
        }

        var (low, high) = PortRange(report.Settings);
        yield return ["peak ports in use (busiest client)", $"{N(report.PeakPortsInUseByHost.Values.DefaultIfEmpty(0).Max())} of {N(high - low + 1)}"];
        yield return ["retransmissions", N(report.Retransmissions)];
        yield return ["resets sent", N(report.ResetsSent)];
        yield return ["TIME_WAIT overflow (tcp_max_tw_buckets)", N(report.TimeWaitOverflow)];
        yield return ["TIME_WAIT recycled (tcp_tw_reuse)", N(report.TimeWaitRecycled)];
        yield return ["chaos verdicts", N(report.ChaosVerdicts)];
        yield return ["connect latency p50 / p90 / p99 / max", string.Join(" / ", new[] { "p50", "p90", "p99", "max" }.Select(p => Latency(report.ConnectLatency.GetValueOrDefault(p))))];
    }

    private static string Settings(LoadSettings settings)
    {
        var parts = new List<string> { $"--close {settings.Close.ToString().ToLowerInvariant()}" };
        if (settings.Linger is { } linger)
        {
            parts.Add($"--linger {linger}");
        }

        if (settings.RequestsPerConnection != 1)
        {
            parts.Add($"--requests-per-connection {settings.RequestsPerConnection}");
        }

        parts.AddRange(settings.Sysctls.Select(s => $"--sysctl {s.Name}=\"{s.Value}\""));
        parts.AddRange(settings.ClientSysctls.Select(s => $"--client-sysctl {s.Name}=\"{s.Value}\""));
        parts.AddRange(settings.ServerSysctls.Select(s => $"--server-sysctl {s.Name}=\"{s.Value}\""));
        parts.AddRange(settings.Rules.Select(r => $"--rule \"{r}\""));
        parts.AddRange(settings.Netem.Select(n => $"--netem \"{n}\""));
        return string.Join(' ', parts);
    }

    /// <summary>The clients' ip_local_port_range, as the run configured it.</summary>
    internal static (int Low, int High) PortRange(LoadSettings settings)
    {
        var sysctls = new Sysctls();
        foreach (var (name, value) in settings.Sysctls.Concat(settings.ClientSysctls))
        {
            SysctlRegistry.Set(sysctls, name, value);
        }

        return sysctls.IpLocalPortRange;
    }

    /// <summary>Seconds per bar: 1, or more for long runs, so a chart has at most <see cref="MaxBars"/> bars.</summary>
    private static int Bucket(LoadReport report)
    {
        double end = report.TimeSeries.Count == 0 ? 1 : report.TimeSeries[^1].Time;
        return Math.Max(1, (int)Math.Ceiling(end / MaxBars));
    }

    /// <summary>
    /// Per-bucket increases of a cumulative counter; the first sample's value goes to the first bucket, so
    /// the bars add up to the final value exactly.
    /// </summary>
    internal static List<double> Deltas(IReadOnlyList<LoadSample> series, Func<LoadSample, long> value, int bucket)
    {
        var bars = new List<double>();
        for (int i = 0; i < series.Count; i++)
        {
            long increase = i == 0 ? value(series[0]) : value(series[i]) - value(series[i - 1]);
            int index = i == 0 ? 0 : (int)(series[i - 1].Time / bucket);
            while (bars.Count <= index)
            {
                bars.Add(0);
            }

            bars[index] += increase;
        }

        return bars;
    }

    private static List<double> Rebucket(List<long> perSecond, int bucket)
    {
        var bars = new List<double>();
        for (int second = 0; second < perSecond.Count; second++)
        {
            int index = second / bucket;
            while (bars.Count <= index)
            {
                bars.Add(0);
            }

            bars[index] += perSecond[second];
        }

        return bars;
    }

    /// <summary>The time series as text: the counters, the states that occurred, TIME_WAIT per side and the busiest client's ports.</summary>
    private static string TimeSeriesText(LoadReport report)
    {
        var series = report.TimeSeries;
        var states = series.Count == 0 ? [] : series[0].ConnectionsByState.Keys.Select((name, i) => (Name: name, Index: i))
            .Where(state => series.Any(s => s.ConnectionsByState.At(state.Index) > 0)).ToList();
        var header = new StringBuilder("time  attempted  completed  failed  open");
        foreach (var (name, _) in states)
        {
            header.Append("  ").Append(name);
        }

        var lines = new List<string> { header.Append("  tw_clients  tw_servers  ports  retrans  resets  chaos").ToString() };
        foreach (var s in series)
        {
            var line = new StringBuilder(string.Create(s_culture, $"{s.Time,4:0.###}  {s.Attempted,9}  {s.Completed,9}  {s.Failed,6}  {s.Open,4}"));
            foreach (var (name, index) in states)
            {
                line.Append("  ").Append(s.ConnectionsByState.At(index).ToString(s_culture).PadLeft(name.Length));
            }

            lines.Add(line.Append(string.Create(s_culture, $"  {s.TimeWaitClients,10}  {s.TimeWaitServers,10}  {s.PortsInUseMax,5}  {s.Retransmissions,7}  {s.ResetsSent,6}  {s.ChaosVerdicts,5}")).ToString());
        }

        return string.Join('\n', lines);
    }

    private static string BucketWords(int bucket) => bucket == 1 ? "simulated second" : $"{bucket} simulated seconds";

    private static string Latency(double seconds) => seconds switch
    {
        <= 0 => "0",
        < 0.001 => string.Create(s_culture, $"{seconds * 1e6:0.#} µs"),
        < 1 => string.Create(s_culture, $"{seconds * 1e3:0.#} ms"),
        _ => string.Create(s_culture, $"{seconds:0.###} s"),
    };

    private static string ErrorColor(string errno, int index) => errno switch
    {
        "EADDRNOTAVAIL" => "#e53935",
        "ECONNREFUSED" => "#8e24aa",
        "ETIMEDOUT" => "#fb8c00",
        "ECONNRESET" => "#3949ab",
        _ => VerdictColor(index + 3),
    };

    /// <summary>Opening states blue, ESTABLISHED green, the closer's states warm, the other side's purple, TIME_WAIT orange.</summary>
    private static string StateColor(string state) => state switch
    {
        "SYN_SENT" => "#90caf9",
        "SYN_RECV" => "#1e88e5",
        "ESTABLISHED" => "#2e7d32",
        "FIN_WAIT1" => "#fdd835",
        "FIN_WAIT2" => "#f9a825",
        "CLOSE_WAIT" => "#ce93d8",
        "LAST_ACK" => "#8e24aa",
        "CLOSING" => "#6d4c41",
        "TIME_WAIT" => "#e65100",
        _ => "#9e9e9e",
    };

    private static string VerdictColor(int index) => new[] { "#e53935", "#fb8c00", "#8e24aa", "#3949ab", "#00897b", "#6d4c41", "#546e7a", "#c0ca33" }[index % 8];
}
