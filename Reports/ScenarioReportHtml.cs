using System.Globalization;
using TcpActors.Simulation;
using TcpActors.Telemetry;

namespace TcpActors.Reports;

/// <summary>
/// The report of a scenario run: the verdict, the expectations, the chaos timeline, a ladder diagram per
/// conversation, the calls, then the raw trace and snapshots for whoever wants the detail.
/// </summary>
public static class ScenarioReportHtml
{
    /// <summary>The whole report as one self-contained HTML document.</summary>
    public static string Write(RunReport report, ScenarioRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recorder);
        var scenario = report.Scenario;
        var conversations = Conversation.FromRun(report, recorder);
        var page = new HtmlPage();
        page.Raw($"<h1>{Svg.Escape(scenario.Name)} <span class=\"badge {(report.Passed ? "pass\">PASSED" : "fail\">FAILED")}</span></h1>\n");
        if (scenario.Description.Length > 0)
        {
            page.Element("p", scenario.Description, "lead");
        }

        int held = report.Results.Count(r => r.Passed);
        page.Element("p", string.Create(CultureInfo.InvariantCulture,
            $"{held} of {report.Results.Count} expectations hold · seed {report.Seed} · {report.Run.Message} · {report.Run.EventsProcessed:N0} events · scenario {scenario.Source}{(scenario.Seeds.Count > 0 ? " · seed post " + string.Join(", ", scenario.Seeds) : "")}"), "facts");
        page.Element("p", $"Replay: tcpactors run {scenario.Source} --seed {report.Seed}", "facts mono");

        page.Element("h2", "Expectations");
        page.Table(["", "expectation", "detail"], report.Results.Select(r => (IReadOnlyList<string>)
            [$"\u0001<span class=\"badge {(r.Passed ? "pass\">PASS" : "fail\">FAIL")}</span>", r.Expectation.Describe(), r.Detail]));
        if (report.Run.HitLimit)
        {
            page.Element("p", "The run hit a limit: " + report.Run.Message, "diagnosis");
        }

        page.Element("h2", "Chaos timeline");
        if (recorder.Chaos.Count == 0)
        {
            page.Element("p", "No chaos: the network behaved.", "facts");
        }
        else
        {
            page.Table(["time (s)", "host", "command", "outcome"], recorder.Chaos.Select(c => (IReadOnlyList<string>)
                [c.At.ToString(), c.HostName ?? "(network)", c.Command.Trim(), c.Rejected is null ? "applied" : "rejected: " + c.Rejected]));
        }

        page.Element("h2", conversations.Count == 1 ? "Ladder diagram" : $"Ladder diagrams ({conversations.Count} conversations)");
        page.Element("p", "Each socket is a vertical line and time runs down; each arrow is one packet. "
            + "Colour bands on a line show that socket's state, named where it changes (hover for why). "
            + "Quiet periods are squeezed: a ≈ mark gives the time skipped, and the axis gives the time of every row.", "howto");
        if (recorder.Truncated)
        {
            page.Element("p", $"The run sent more than {FlightTracker.FlightLimit:N0} packets; the diagrams show the first ones.", "diagnosis");
        }

        var tcpdump = new TcpdumpFormatter();
        foreach (var conversation in conversations.Take(Conversation.Limit))
        {
            page.Element("h3", $"{conversation.Left.Title} ({conversation.Left.Address}) ⇄ {conversation.Right.Title} ({conversation.Right.Address}) — {conversation.Flights.Count} packets");
            page.Raw("<div class=\"figure\">\n").Raw(LadderSvg.Render(conversation, tcpdump)).Raw("</div>\n");
        }

        if (conversations.Count > Conversation.Limit)
        {
            page.Element("p", $"{conversations.Count - Conversation.Limit} more conversations are not drawn.", "facts");
        }

        page.Element("h2", "Socket calls");
        page.Table(["called (s)", "returned (s)", "application", "call", "result"], report.Calls.Select(c => (IReadOnlyList<string>)
            [c.Started.ToString(), c.Returned.ToString(), c.Application, c.Text, c.Result]));
        page.Element("h2", "Raw output");
        page.Preformatted(string.Join('\n', report.Trace), $"tcpdump on {report.CaptureDescription} ({report.Trace.Count} lines)");
        foreach (var snapshot in report.Snapshots)
        {
            page.Preformatted(snapshot.Text, $"ss -tan -o on {snapshot.Host} at {snapshot.At} s");
        }

        return page.Render($"{scenario.Name} — tcpactors report");
    }

    /// <summary>The ladder diagrams alone, as one standalone SVG document (for <c>--svg</c>).</summary>
    public static string WriteSvg(RunReport report, ScenarioRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(report);
        var conversations = Conversation.FromRun(report, recorder).Take(Conversation.Limit).ToList();
        return LadderSvg.RenderDocument(conversations, $"{report.Scenario.Name} (seed {report.Seed})");
    }
}
