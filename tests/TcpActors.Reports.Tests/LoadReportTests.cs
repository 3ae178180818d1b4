using System.Globalization;
using System.Text.Json;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reports.Tests;

public sealed class LoadReportTests
{
    private static readonly LoadSettings s_exhaustion = new()
    {
        Rate = 100,
        Duration = Duration.FromSeconds(3),
        Drain = Duration.FromSeconds(2),
        Sysctls = [("net.ipv4.ip_local_port_range", "40000 40099")],
    };

    [Fact]
    public void Bar_series_add_up_to_the_totals_of_the_json_summary()
    {
        // Proves the per-second bars lose nothing: completed, failed, retransmissions, resets and the errors
        // by errno each add up to the figure --json reports for the same run.
        var (report, html) = Run(s_exhaustion with { Rules = ["servers: -A INPUT -p tcp --syn -m statistic --mode random --probability 0.2 -j DROP"] });
        var summary = JsonDocument.Parse(report.ToJson()).RootElement.GetProperty("summary");
        var totals = SeriesTotals(html);

        Assert.True(summary.GetProperty("failed").GetInt64() > 0 && summary.GetProperty("retransmissions").GetInt64() > 0, "the run should fail and retransmit");
        Assert.Equal(summary.GetProperty("completed").GetInt64(), totals[("rate", "completed")]);
        Assert.Equal(summary.GetProperty("failed").GetInt64(), totals[("rate", "failed")]);
        Assert.Equal(summary.GetProperty("retransmissions").GetInt64(), totals[("retransmissions", "retransmitted segments")]);
        Assert.Equal(summary.GetProperty("resetsSent").GetInt64(), totals[("retransmissions", "resets sent")]);
        Assert.Equal(summary.GetProperty("chaosVerdicts").GetInt64(), totals.Where(t => t.Key.Chart == "chaos").Sum(t => t.Value));
        foreach (var failure in summary.GetProperty("failuresByError").EnumerateObject())
        {
            Assert.Equal(failure.Value.GetInt64(), totals[("errors", failure.Name)]);
        }
    }

    [Fact]
    public void Port_exhaustion_shows_the_ports_reaching_the_range_and_the_diagnosis_on_top()
    {
        // Proves the ports chart draws the range as a limit the busiest client reaches, and the diagnosis leads the page.
        var (report, html) = Run(s_exhaustion);
        var ports = ReportSvg.Diagrams(html).Single(svg => (string?)svg.Attribute("id") == "ports");
        var line = ReportSvg.Groups(ports, "series").Single();

        Assert.Equal("100", ReportSvg.Data(line, "max"));
        Assert.Contains("ip_local_port_range 40000-40099: 100 ports", ports.ToString(), StringComparison.Ordinal);
        Assert.True(html.IndexOf("ran out of ephemeral ports", StringComparison.Ordinal) < html.IndexOf("<h2>Summary</h2>", StringComparison.Ordinal));
        Assert.Equal(report.Completed, SeriesTotals(html)[("latency", "connect latency")]);
    }

    [Fact]
    public void Every_chart_of_a_quiet_run_is_drawn()
    {
        // Proves a run without failures, chaos or retransmissions still draws every chart, saying what is absent.
        var (_, html) = Run(s_exhaustion with { Rate = 10 });
        var ids = ReportSvg.Diagrams(html).Select(svg => (string?)svg.Attribute("id")).ToList();

        Assert.Equal(["connections", "time-wait", "ports", "rate", "errors", "retransmissions", "chaos", "latency"], ids);
        Assert.Contains("no chaos rule or netem matched", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge pass\">no failures</span>", html, StringComparison.Ordinal);
    }

    internal static (LoadReport Report, string Html) Run(LoadSettings settings)
    {
        var recorder = new LoadRecorder();
        var report = LoadRunner.Run(settings, attach: recorder.Attach);
        return (report, LoadReportHtml.Write(report, recorder));
    }

    /// <summary>Each chart's series by (chart id, series name) with the total it carries.</summary>
    private static Dictionary<(string Chart, string Series), long> SeriesTotals(string html) =>
        ReportSvg.Diagrams(html).SelectMany(svg => ReportSvg.Groups(svg, "series").Select(g =>
            (Key: ((string?)svg.Attribute("id") ?? "", ReportSvg.Data(g, "name")), Total: (long)double.Parse(ReportSvg.Data(g, "total"), CultureInfo.InvariantCulture))))
        .ToDictionary(p => p.Key, p => p.Total);
}
