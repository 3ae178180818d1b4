namespace TcpActors.Simulation.Tests;

/// <summary>The scenario-language features the library relies on: seq/ack markers, empty patterns, trace expectations, recv_all results.</summary>
public sealed class ScenarioLanguageTests
{
    private static readonly SourceSpan s_here = new("test.yaml", 1, 1);

    [Fact]
    public void Seq_and_ack_markers_match_relative_numbers()
    {
        // Proves (seq=N) and (ack=N) compare the recorded relative numbers, and that other markers still apply.
        var reset = new ObservedSegment(false, "R", 0, false, 102, null);
        var ack = new ObservedSegment(true, ".", 0, false, 2, 102);
        Assert.True(SegmentPattern.Parse(">.(seq=2)(ack=102) <R(seq=102)", s_here).Matches([ack, reset]));
        Assert.False(SegmentPattern.Parse(">.(seq=2)(ack=101) <R(seq=102)", s_here).Matches([ack, reset]));
        Assert.False(SegmentPattern.Parse(">. <R(ack=0)", s_here).Matches([ack, reset]));
    }

    [Fact]
    public void Dup_and_nodup_markers_match_the_senders_duplicate_ack_mark_and_a_token_without_them_matches_both()
    {
        // Proves (dup)/(nodup) compare the mark the sender put on the segment, that patterns written before
        // the marker existed still match, that a failure message shows it, and that a bad marker names them.
        var ack = new ObservedSegment(false, ".", 0, false, 1, 2);
        var duplicate = ack with { DuplicateAck = true };
        Assert.True(SegmentPattern.Parse("<.(nodup) <.(dup)", s_here).Matches([ack, duplicate]));
        Assert.False(SegmentPattern.Parse("<.(dup) <.(dup)", s_here).Matches([ack, duplicate]));
        Assert.False(SegmentPattern.Parse("<.(nodup){2}", s_here).Matches([ack, duplicate]));
        Assert.True(SegmentPattern.Parse("<.{2}", s_here).Matches([ack, duplicate]));
        Assert.True(SegmentPattern.Parse("<.(dup)(ack=2)(new)", s_here).Matches([duplicate]));
        Assert.Equal("<. <.(dup)", SegmentPattern.Render([ack, duplicate]));
        var error = Assert.Throws<ScenarioException>(() => SegmentPattern.Parse("<.(dupe)", s_here));
        Assert.Contains("(dup), (nodup)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_repetition_of_any_segment_matches_only_silence()
    {
        // Proves '*{0}' is the pattern for "no segment at all" in a window.
        var pattern = SegmentPattern.Parse("*{0}", s_here);
        Assert.True(pattern.Matches([]));
        Assert.False(pattern.Matches([new ObservedSegment(true, ".", 0, false)]));
    }

    [Fact]
    public void A_capture_records_only_between_its_from_and_to()
    {
        // Proves capture on/off: tcpdump started at 'from' and stopped at 'to' records only the packets in
        // [from, to): three refused connects at 1, 2 and 3 s, a capture from 1.5 s to 3 s shows only the second.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            capture: { filter: tcp port 9, from: 1.5s, to: 3s }
            apps:
              client:
                host: box
                script:
                  - at 1s: a = connect(127.0.0.1:9)
                  - at 2s: b = connect(127.0.0.1:9)
                  - at 3s: c = connect(127.0.0.1:9)
            expect:
              - { trace: "Flags [S]", count: 1 }
              - { trace: "Flags [R.]", count: 1, from: 2s, to: 2s }
              - { call: connect, app: client, result: ECONNREFUSED, at: 1s }
            """;
        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));
        Assert.All(report.Results, r => Assert.True(r.Passed, r.Detail));
        Assert.Equal(3, report.Calls.Count(c => c.ToString()!.Contains("connect(", StringComparison.Ordinal)));
        Assert.Equal(2, report.Trace.Count);
        Assert.All(report.Trace, line => Assert.StartsWith("00:00:02.000000 ", line, StringComparison.Ordinal));
        Assert.EndsWith(", tcp port 9, from 1.500000 s, until 3.000000 s", report.CaptureDescription, StringComparison.Ordinal);

        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(Text.Replace("to: 3s", "to: 1s", StringComparison.Ordinal), "t.yaml", "t"));
        Assert.StartsWith("t.yaml:3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("'to' must come after 'from'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_expectations_count_lines_in_a_window()
    {
        // Proves a trace expectation passes on a matching line, fails with the count when it should, and honours its window.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            capture: { filter: tcp port 9 }
            apps:
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:9)
            expect:
              - { trace: "Flags [R.], seq 0, ack ", count: 1 }
              - { trace: "Flags [R.]", count: 1, from: 0.5s, to: 1s }
              - { trace: "Flags [R.]", count: 0, from: 2s }
              - { trace: "Flags [F.]" }
              - { call: connect, app: client, result: ECONNREFUSED, at: 1s }
            """;
        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));
        Assert.Equal([true, true, true, false, true], report.Results.Select(r => r.Passed));
        Assert.Contains("0 line(s) matched", report.Results[3].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Recv_all_results_can_be_expected()
    {
        // Proves 'N bytes then eof' is a valid call result and is compared with what recv_all returned.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            apps:
              server:
                host: box
                script:
                  - s = socket()
                  - bind(s, 127.0.0.1:8080)
                  - listen(s, 4)
                  - c = accept(s)
                  - recv_all(c)
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:8080)
                  - send(s, 300)
                  - close(s)
            expect:
              - { call: recv_all, app: server, result: 300 bytes then eof, at: 1s }
            """;
        Assert.True(ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t")).Passed);
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(Text.Replace("300 bytes then eof", "300 bytes then EWHAT", StringComparison.Ordinal), "t.yaml", "t"));
        Assert.StartsWith("t.yaml:19:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sent_string_reads_its_escapes_and_may_hold_a_quote()
    {
        // Proves send()'s text turns \n, \r, \t, \\ and \" into their characters (a quote no longer ends the string).
        var step = StepParser.Parse("send(s, \"a\\tb\\\\c\\\"d\\r\\n\")", s_here);

        var payload = StepChecker.Payload(step.Arguments[1]);

        Assert.Equal("a\tb\\c\"d\r\n", System.Text.Encoding.UTF8.GetString(payload.Bytes.Span));
    }
}
