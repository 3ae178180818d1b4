using Xunit.Abstractions;

namespace TcpActors.Reports.Tests;

/// <summary>Opens the reports in headless Chromium, as a reader would, and keeps screenshots as test artifacts.</summary>
public sealed class BrowserTests(ITestOutputHelper output)
{
    /// <summary>Screenshots go here (under the test's bin folder, never committed); TCPACTORS_ARTIFACTS moves them.</summary>
    private static readonly string s_artifacts = Environment.GetEnvironmentVariable("TCPACTORS_ARTIFACTS")
        ?? Path.Combine(AppContext.BaseDirectory, "artifacts");

    [RequiresChromiumFact]
    public void The_scenario_report_opens_without_console_errors_and_shows_the_ladder()
    {
        // Proves the scenario report renders in a real browser: no console error, the diagram in the DOM, a screenshot taken.
        var (_, html) = LadderTests.Run(Simulation.BuiltInScenarios.Load("seed-000-fin-to-time-wait"));
        Check("seed-000-report", html, 4600, "client (127.0.0.1:39658)");
    }

    [RequiresChromiumFact]
    public void A_report_between_hosts_with_delay_and_drops_opens_without_console_errors()
    {
        // Proves the slanted and dropped arrows of a two-host run render too.
        var scenario = Simulation.ScenarioLoader.Load(LadderTests.DelayedAndDropped, "delayed.yaml", "delayed");
        Check("delayed-and-dropped-report", LadderTests.Run(scenario).Html, 3600, "dropped by iptables on server");
    }

    [RequiresChromiumFact]
    public void The_load_report_opens_without_console_errors_and_shows_its_charts()
    {
        // Proves the load report renders in a real browser with its charts.
        var (_, html) = LoadReportTests.Run(new Simulation.LoadSettings
        {
            Rate = 200,
            Duration = Runtime.Duration.FromSeconds(5),
            Drain = Runtime.Duration.FromSeconds(61),
            Sysctls = [("net.ipv4.ip_local_port_range", "40000 40499")],
        });
        Check("load-report", html, 2400, "Ephemeral ports in use");
    }

    private void Check(string name, string html, int height, string expectedText)
    {
        Directory.CreateDirectory(s_artifacts);
        string page = Path.Combine(s_artifacts, name + ".html");
        string screenshot = Path.Combine(s_artifacts, name + ".png");
        File.WriteAllText(page, html);
        File.Delete(screenshot);

        var (_, dom, log) = Chromium.Run(page, "--dump-dom");
        var (exitCode, _, screenshotLog) = Chromium.Run(page, "--screenshot=" + screenshot, $"--window-size=1400,{height}");
        output.WriteLine($"report: {page}\nscreenshot: {screenshot}");

        var consoleLines = (log + screenshotLog).Split('\n').Where(line => line.Contains("CONSOLE", StringComparison.Ordinal) || line.Contains("Uncaught", StringComparison.Ordinal)).ToList();
        Assert.True(consoleLines.Count == 0, "console output:\n" + string.Join('\n', consoleLines));
        Assert.Contains(expectedText, System.Net.WebUtility.HtmlDecode(dom), StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
        var png = File.ReadAllBytes(screenshot);
        Assert.True(png.Length > 20_000, $"a {png.Length}-byte screenshot is too small to show the report");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
