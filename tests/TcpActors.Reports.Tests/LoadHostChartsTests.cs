using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reports.Tests;

public sealed class LoadHostChartsTests
{
    [Fact]
    public void The_state_chart_stacks_the_states_that_occurred_with_the_figures_of_the_json_time_series()
    {
        // Proves the sockets-by-state chart draws every state some sample saw, in lifecycle order, and no
        // other, each with the peak and last value the --json time series has for it (the samples
        // themselves are checked against a walk of every socket in the Simulation tests).
        var (report, html) = LoadReportTests.Run(new LoadSettings
        {
            Rate = 40, Arrival = "poisson", Clients = 3, Close = Closer.Server, Duration = Duration.FromSeconds(4), Drain = Duration.FromSeconds(2),
            ServiceTime = Distribution.ParseDuration("exp:300ms", "--service-time"), Netem = ["delay 150ms 100ms"],
        });
        var rows = TimeSeries(report);
        var chart = Chart(html, "connections");
        string[] lifecycle = ["SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "TIME_WAIT"];
        var occurred = lifecycle.Where(state => rows.Any(r => r.GetProperty("ConnectionsByState").GetProperty(state).GetInt64() > 0)).ToList();

        Assert.True(occurred.Count >= 5, "states: " + string.Join(", ", occurred));
        Assert.Equal(occurred, Series(chart).Select(g => ReportSvg.Data(g, "name")));
        foreach (var area in Series(chart))
        {
            string state = ReportSvg.Data(area, "name");
            var values = rows.Select(r => r.GetProperty("ConnectionsByState").GetProperty(state).GetInt64()).ToList();
            Assert.Equal(values.Max(), Number(area, "max"));
            Assert.Equal(values[^1], Number(area, "total"));
        }

        Assert.Equal(rows.Sum(r => r.GetProperty("ConnectionsByState").GetProperty("TIME_WAIT").GetInt64()), rows.Sum(r => r.GetProperty("TimeWaitClients").GetInt64() + r.GetProperty("TimeWaitServers").GetInt64()));
    }

    [Fact]
    public void Each_host_of_a_three_client_run_has_a_time_wait_line_with_the_json_peak_and_final_count()
    {
        // Proves the TIME_WAIT chart draws one line per host (clients and the server, in natural order)
        // whose largest and last values are the JSON summary's peakTimeWaitByHost and finalTimeWaitByHost,
        // and the ports chart one line per client reaching peakPortsInUseByHost; no "other" line.
        var (report, html) = LoadReportTests.Run(new LoadSettings { Rate = 60, Arrival = "poisson", Clients = 3, Duration = Duration.FromSeconds(3), Drain = Duration.FromSeconds(2) });
        var summary = JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("summary");
        var timeWait = Series(Chart(html, "time-wait")).ToList();
        var ports = Series(Chart(html, "ports")).ToList();

        Assert.Equal(["client-1", "client-2", "client-3", "server-1"], timeWait.Select(g => ReportSvg.Data(g, "name")));
        foreach (var line in timeWait)
        {
            string host = ReportSvg.Data(line, "name");
            Assert.Equal(summary.GetProperty("peakTimeWaitByHost").GetProperty(host).GetInt64(), Number(line, "max"));
            Assert.Equal(summary.GetProperty("finalTimeWaitByHost").GetProperty(host).GetInt64(), Number(line, "total"));
        }

        Assert.True(timeWait.Take(3).All(line => Number(line, "max") > 0));
        Assert.Equal(["client-1", "client-2", "client-3"], ports.Select(g => ReportSvg.Data(g, "name")));
        Assert.All(ports, line => Assert.Equal(summary.GetProperty("peakPortsInUseByHost").GetProperty(ReportSvg.Data(line, "name")).GetInt64(), Number(line, "max")));
        Assert.Contains("One line per host (4 in all).", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(12, true)]
    public void Only_more_than_eight_hosts_share_an_other_hosts_line(int clients, bool shared)
    {
        // Proves the per-host charts draw every host up to eight (7 clients + 1 server), and past eight the
        // eight with the highest peak plus one "other N hosts" line that is the others' sum (TIME_WAIT) or
        // their largest figure at each second (ports), as the caption says.
        var (report, html) = LoadReportTests.Run(new LoadSettings { Rate = 20 * clients, Arrival = "poisson", Clients = clients, Duration = Duration.FromSeconds(3), Drain = Duration.FromSeconds(2) });
        var rows = TimeSeries(report);
        var timeWait = Series(Chart(html, "time-wait")).ToList();
        var ports = Series(Chart(html, "ports")).ToList();
        int hosts = clients + 1;

        if (!shared)
        {
            Assert.Equal(hosts, timeWait.Count);
            Assert.Equal(clients, ports.Count);
            Assert.DoesNotContain(timeWait.Concat(ports), line => ReportSvg.Data(line, "name").StartsWith("other", StringComparison.Ordinal));
            return;
        }

        Assert.Equal(9, timeWait.Count);
        Assert.Equal(9, ports.Count);
        CheckShared(rows, "TimeWaitByHost", timeWait, $"other {hosts - 8} hosts", sum: true);
        CheckShared(rows, "PortsInUseByHost", ports, $"other {clients - 8} clients (max)", sum: false);
        Assert.Contains($"{hosts} hosts: the 8 with the highest peak have a line each; “other {hosts - 8} hosts” is the other {hosts - 8}, their sum.", html, StringComparison.Ordinal);
    }

    /// <summary>The drawn hosts are the eight with the highest peaks; the last line is the others' sum or maximum at each sample.</summary>
    private static void CheckShared(List<JsonElement> rows, string key, List<XElement> lines, string otherName, bool sum)
    {
        var names = rows[0].GetProperty(key).EnumerateObject().Select(p => p.Name).ToList();
        long Value(JsonElement row, string host) => row.GetProperty(key).GetProperty(host).GetInt64();
        var busiest = names.Select((host, order) => (Host: host, Order: order, Peak: rows.Max(r => Value(r, host))))
            .OrderByDescending(h => h.Peak).ThenBy(h => h.Order).Take(8).OrderBy(h => h.Order).Select(h => h.Host).ToList();
        Assert.Equal([.. busiest, otherName], lines.Select(g => ReportSvg.Data(g, "name")));

        var others = names.Except(busiest).ToList();
        var combined = rows.Select(r => sum ? others.Sum(h => Value(r, h)) : others.Max(h => Value(r, h))).ToList();
        Assert.Equal(combined.Max(), Number(lines[^1], "max"));
        Assert.Equal(combined[^1], Number(lines[^1], "total"));
        Assert.True(combined.Max() > 0);
    }

    private static List<JsonElement> TimeSeries(LoadReport report) =>
        JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("timeSeries").EnumerateArray().ToList();

    private static XElement Chart(string html, string id) => ReportSvg.Diagrams(html).Single(svg => (string?)svg.Attribute("id") == id);

    private static IEnumerable<XElement> Series(XElement chart) => ReportSvg.Groups(chart, "series");

    private static long Number(XElement group, string name) => (long)double.Parse(ReportSvg.Data(group, name), CultureInfo.InvariantCulture);
}
