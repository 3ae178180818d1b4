using System.Text.RegularExpressions;
using System.Xml.Linq;
using TcpActors.Network;
using TcpActors.Simulation;

namespace TcpActors.Reports.Tests;

public sealed partial class LadderTests
{
    /// <summary>Two hosts, a 10 ms link with 20 ms of netem delay each way, and a rule that drops every other segment to the server.</summary>
    internal const string DelayedAndDropped = """
        name: delayed-and-dropped
        description: Segments slanted by their delay; every other segment to the server dropped by a statistic rule.
        duration: 30s
        hosts:
          client: { addresses: [10.0.0.1/24] }
          server: { addresses: [10.0.0.2/24] }
        links:
          - { between: [client, server], delay: 10ms, netem: "delay 20ms" }
        apps:
          server:
            host: server
            script:
              - s = socket()
              - bind(s, 10.0.0.2:8080)
              - listen(s, 10)
              - c = accept(s)
              - recv(c, 100)
              - close(c)
          client:
            host: client
            script:
              - at 1s: sock = connect(10.0.0.2:8080)
              - send(sock, 100)
              - at 5s: close(sock)
        capture: { host: client }
        chaos:
          - at: 1.05s
            host: server
            iptables: -A INPUT -p tcp --dport 8080 -m statistic --mode nth --every 2 --packet 0 -j DROP
        """;

    [Fact]
    public void Seed_000_has_one_arrow_per_traced_segment_with_its_flags_in_order()
    {
        // Proves the ladder shows exactly the packets tcpdump printed, in the same order, with the same flags.
        var (report, html) = Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"));
        var arrows = ReportSvg.Groups(ReportSvg.Diagrams(html).Single(), "segment").ToList();

        Assert.Equal(report.Trace.Count, arrows.Count);
        Assert.Equal(report.Trace.Select(line => FlagsPattern().Match(line).Groups[1].Value), arrows.Select(a => ReportSvg.Data(a, "flags")));
    }

    [Fact]
    public void Seed_000_labels_carry_relative_numbers_and_mark_the_retransmitted_FINs()
    {
        // Proves the labels: relative seq/ack counted from each side's SYN, and the FIN re-sent seven times flagged.
        var (_, html) = Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"));
        var arrows = ReportSvg.Groups(ReportSvg.Diagrams(html).Single(), "segment").ToList();
        var labels = arrows.Select(a => ReportSvg.Data(a, "label")).ToList();

        Assert.Equal(["SYN  seq=0", "SYN-ACK  seq=0 ack=1", "ACK ack=1", "FIN-ACK  seq=1 ack=1", "ACK ack=2", "FIN-ACK  seq=1 ack=2", "ACK ack=2"], labels.Take(7));
        Assert.Equal(7, arrows.Count(a => ReportSvg.Data(a, "label") == "FIN-ACK  seq=1 ack=2" && ReportSvg.Data(a, "retransmission") == "true"));
        Assert.Contains("↻ retransmission: tail loss probe", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_000_notes_each_time_wait_re_ack_as_a_duplicate_ack()
    {
        // Proves the ladder shows the senders' duplicate-ACK marks: the seven re-ACKs TIME_WAIT sends for the
        // retransmitted FINs say "dup ACK", its first ACK of the FIN does not.
        var (_, html) = Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"));
        var arrows = ReportSvg.Groups(ReportSvg.Diagrams(html).Single(), "segment").ToList();
        var noted = arrows.Select((a, i) => (a, i)).Where(x => x.a.Value.Contains("dup ACK", StringComparison.Ordinal)).Select(x => x.i + 1).ToList();

        Assert.Equal([9, 11, 13, 15, 17, 19, 21], noted);
    }

    [Fact]
    public void Seed_000_draws_a_dropped_arrow_for_each_ACK_the_rule_dropped()
    {
        // Proves every dropped packet is drawn as a dropped arrow naming the iptables rule, and nothing else is.
        int dropped = 0;
        var (_, html) = Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"), system => system.EventStream.Subscribe<PacketDropped>(_ => dropped++));
        var arrows = ReportSvg.Groups(ReportSvg.Diagrams(html).Single(), "dropped").ToList();

        Assert.Equal(7, dropped);
        Assert.Equal(dropped, arrows.Count);
        Assert.All(arrows, a => Assert.Equal(".", ReportSvg.Data(a, "flags")));
        Assert.All(arrows, a => Assert.Contains("--sport 60000 -j DROP", ReportSvg.Data(a, "drop"), StringComparison.Ordinal));
        Assert.All(arrows, a =>
        {
            // A dropped arrow stops short of the other lane.
            var (x1, _, x2, _) = ReportSvg.Line(a);
            Assert.InRange(Math.Abs(x2 - x1), 100, 500);
        });
    }

    [Fact]
    public void Seed_000_writes_states_along_the_lines_and_the_chaos_commands_across()
    {
        // Proves the socket states appear on their lanes as they change, and both iptables commands are drawn.
        var (_, html) = Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"));
        var svg = ReportSvg.Diagrams(html).Single();
        var states = ReportSvg.Groups(svg, "state").Select(s => (ReportSvg.Data(s, "side"), ReportSvg.Data(s, "state"))).ToList();

        Assert.Equal(["SYN-SENT", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"], states.Where(s => s.Item1 == "left").Select(s => s.Item2));
        Assert.Equal(["LISTEN", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"], states.Where(s => s.Item1 == "right").Select(s => s.Item2));
        Assert.Contains("box: iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP", html, StringComparison.Ordinal);
        Assert.Contains("box: iptables -D INPUT", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge pass\">PASSED</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Between_hosts_every_traced_segment_has_an_arrow_and_delayed_ones_are_slanted()
    {
        // Proves the multi-hop case: packets matched across interfaces, drops at the receiver's INPUT drawn
        // short of its lane, and a packet that took 30 ms drawn sloping down by that time.
        int dropped = 0;
        var scenario = ScenarioLoader.Load(DelayedAndDropped, "delayed.yaml", "delayed");
        var (report, html) = Run(scenario, system => system.EventStream.Subscribe<PacketDropped>(_ => dropped++));
        var svg = ReportSvg.Diagrams(html).Single();
        var arrows = ReportSvg.Groups(svg, "segment").ToList();

        // The capture is on the client: it sees every packet the client sent and every one that reached it.
        Assert.Equal(report.Trace.Count, arrows.Count);
        Assert.True(dropped >= 2);
        Assert.Equal(dropped, arrows.Count(a => ((string?)a.Attribute("class"))!.Contains("dropped", StringComparison.Ordinal)));
        var syn = arrows.First();
        Assert.Equal("SYN  seq=0", ReportSvg.Data(syn, "label"));
        var (_, y1, _, y2) = ReportSvg.Line(syn);
        Assert.True(y2 > y1 + 20, $"the SYN took 30 ms and should slope down, not {y1} → {y2}");
        Assert.Contains(arrows, a => ReportSvg.Data(a, "label") == "PSH-ACK  seq=1:101 ack=1  len=100");
        Assert.Contains("+20 ms netem", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_svg_option_writes_a_standalone_well_formed_document()
    {
        // Proves --svg's output is an SVG file on its own (XML with the SVG namespace) holding the same arrows.
        var recorder = new ScenarioRecorder();
        var report = ScenarioRunner.Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"), new RunOptions { Attach = recorder.Attach });
        var document = XDocument.Parse(ScenarioReportHtml.WriteSvg(report, recorder));

        Assert.Equal("{http://www.w3.org/2000/svg}svg", document.Root!.Name.ToString());
        Assert.Equal(report.Trace.Count, ReportSvg.Groups(document.Root, "segment").Count());
    }

    [Fact]
    public void The_same_run_gives_the_same_report_byte_for_byte()
    {
        // Proves the report is deterministic, like every other output of a run, and depends on the seed
        // (another seed draws other ISNs and ports, so the same comparison would catch a constant report).
        var scenario = ScenarioLoader.Load(DelayedAndDropped, "delayed.yaml", "delayed");
        Assert.Equal(Run(scenario).Html, Run(scenario).Html);
        Assert.NotEqual(Run(scenario).Html, Run(scenario with { Seed = scenario.Seed + 1 }).Html);
    }

    internal static (RunReport Report, string Html) Run(Scenario scenario, Action<Runtime.ActorSystem>? alsoAttach = null)
    {
        var recorder = new ScenarioRecorder();
        var report = ScenarioRunner.Run(scenario, new RunOptions { Attach = recorder.Attach + alsoAttach });
        return (report, ScenarioReportHtml.Write(report, recorder));
    }

    [GeneratedRegex(@"Flags \[([^\]]*)\]")]
    private static partial Regex FlagsPattern();
}
