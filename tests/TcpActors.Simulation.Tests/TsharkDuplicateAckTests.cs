using System.Globalization;

namespace TcpActors.Simulation.Tests;

/// <summary>
/// tshark's duplicate-ACK analysis against the simulator's own account, frame by frame.
/// <para>
/// tshark (packet-tcp.c, tcp_analyze_sequence_number) judges headers: a frame is a duplicate ACK
/// (tcp.analysis.duplicate_ack) when it has no payload and no SYN, FIN or RST, its window is not zero and equals
/// the window of the previous frame in its direction, its seq is the next expected one and its ack equals the
/// previous frame's ack; the keep-alive-ACK and zero-window-probe-ACK tests come first and skip it; the
/// counter (tcp.analysis.duplicate_ack_num) restarts whenever the ack number changes. The simulator's sender
/// marks a bare ACK it sends at once because a segment advanced nothing (out of order, a duplicate, a
/// retransmitted FIN, out of window, a challenge; TIME_WAIT's re-ACKs) when it repeats the ack and window of
/// its own previous segment (Segment.DuplicateAck, a pattern's (dup)).
/// </para>
/// <para>
/// They must agree on every frame but those one of <see cref="Difference"/> explains, each with its reason; a
/// missing or wrong mark leaves a frame unexplained (or the count of duplicates wrong) and fails the test.
/// </para>
/// </summary>
public sealed class TsharkDuplicateAckTests
{
    /// <summary>Why tshark's header view legitimately differs from the sender's account on a frame.</summary>
    public enum Difference
    {
        /// <summary>
        /// The sender's previous segment, which this ACK repeats, was lost before this capture point: tshark
        /// compares the ACK with an older segment of that direction that carried another ack or window. In a
        /// capture on the sender tshark flags the same segment (checked).
        /// </summary>
        NotCaptured,

        /// <summary>
        /// tshark's duplicate-ACK test requires a non-zero window (it reports tcp.analysis.zero_window instead);
        /// for the sender an ACK repeating ack and a zero window for a probe below the window is tcp_send_dupack's.
        /// </summary>
        ZeroWindow,

        /// <summary>
        /// tshark tests for a keep-alive ACK first (the segment it answers started one byte below the next
        /// sequence number) and then skips the duplicate-ACK test; for the sender it is tcp_send_dupack's answer
        /// to a segment below the window.
        /// </summary>
        KeepAliveAck,
    }

    private static readonly string[] s_fields =
    [
        "frame.number", "ip.src", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.window_size_value",
        "tcp.options.timestamp.tsval", "tcp.analysis.duplicate_ack", "tcp.analysis.duplicate_ack_num", "tcp.analysis.keep_alive_ack",
    ];

    [RequiresTsharkTheory]
    // TIME_WAIT re-ACKs every retransmitted FIN (loopback: every segment captured).
    [InlineData("seed-000-fin-to-time-wait", null, 7, "")]
    [InlineData("b13-time-wait-fin-after-expiry", null, 10, "")]
    // The ACK of the client's FIN is lost: the server's re-ACKs carry a D-SACK for each repeated FIN.
    [InlineData("b10-lost-fin-ack", "server", 5, "")]
    [InlineData("b10-lost-fin-ack", "client", 1, "10:NotCaptured")]
    [InlineData("b17-linger-timeout-lost-ack", "server", 7, "")]
    [InlineData("b17-linger-timeout-lost-ack", "client", 1, "12:NotCaptured")]
    // A lost third ACK: the client answers each repeated SYN-ACK with a duplicate of its ACK.
    [InlineData("b04-lost-third-ack-late", "server", 5, "")]
    [InlineData("seed-002-keepalive-2h11m15s", "client", 5, "")]
    [InlineData("b22-accept-queue-overflow", "client", 5, "")]
    [InlineData("b22-accept-queue-overflow", "server", 4, "11:NotCaptured")]
    // An old duplicate reaches TIME_WAIT, whose ACK repeats its last one.
    [InlineData("b14-time-wait-assassination-rfc1337-0", "client", 1, "")]
    // The answers to keepalive probes.
    [InlineData("b06-keepalive-dead-peer", "server", 2, "7:KeepAliveAck 9:KeepAliveAck")]
    // Lost data with SACK holes, reordering, a zero window.
    [InlineData("sack-holes", "server", 3, "")]
    [InlineData("sack-holes", "client", 3, "")]
    [InlineData("reordering", "server", 18, "")]
    [InlineData("reordering", "client", 18, "")]
    [InlineData("zero-window", "server", 3, "13:ZeroWindow 16:ZeroWindow 18:ZeroWindow")]
    public void Tshark_agrees_with_the_senders_duplicate_ack_marks(string name, string? captureHost, int duplicates, string differences)
    {
        // Proves, for one capture point, that tshark flags exactly the frames the senders marked, except the
        // listed ones, each explained by its rule; that the run has the expected number of marked duplicates;
        // and, where no difference intervenes, that tshark's running count equals the count of marked ones.
        var original = DuplicateAckRuns.Load(name);
        var scenario = AtHost(original, captureHost);
        using var directory = new TemporaryDirectory();
        var (report, frames) = Capture(scenario, directory.File("run.pcap"));
        if (captureHost is null || captureHost == original.Capture.Host)
        {
            // Segment expectations describe the scenario's own capture point.
            Assert.True(report.Passed, string.Join("\n", report.Results.Where(r => !r.Passed)));
        }
        Assert.Equal(duplicates, report.Segments.Count(s => s.DuplicateAck));

        var found = new List<string>();
        for (int i = 0; i < frames.Count; i++)
        {
            bool ours = report.Segments[i].DuplicateAck;
            if (ours != frames[i].Duplicate)
            {
                var rule = Explain(scenario, frames, i, ours, directory);
                Assert.True(rule is not null, $"{name}: frame {frames[i].Number} is {(ours ? "" : "not ")}a duplicate ACK for its sender but tshark says {(ours ? "not" : "so")}, for no stated reason");
                found.Add($"{frames[i].Number}:{rule}");
            }
        }

        Assert.Equal(differences, string.Join(' ', found));
        AssertCountsAgree(report, frames);
    }

    /// <summary>The rule that explains why tshark and the sender differ on frame <paramref name="index"/>, or null.</summary>
    private static Difference? Explain(Scenario scenario, List<Frame> frames, int index, bool ours, TemporaryDirectory directory)
    {
        var frame = frames[index];
        if (!ours)
        {
            return null;
        }

        if (frame.Window == 0)
        {
            return Difference.ZeroWindow;
        }

        if (frame.KeepAliveAck)
        {
            return Difference.KeepAliveAck;
        }

        // The previous frame tshark compares it with must differ, and the sender's own capture must agree with us.
        var previous = frames.Take(index).LastOrDefault(f => f.Stream == frame.Stream && f.SourcePort == frame.SourcePort);
        if (previous is not null && previous.Ack == frame.Ack && previous.Window == frame.Window)
        {
            return null;
        }

        string sender = scenario.Hosts.Single(h => h.Addresses.Any(a => a.Split('/')[0] == frame.Source)).Name;
        var (atSender, senderFrames) = Capture(AtHost(scenario, sender), directory.File("at-" + sender + ".pcap"));
        int same = senderFrames.FindIndex(f => f.SameSegment(frame));
        Assert.True(same >= 0, $"frame {frame.Number} is not in the capture on its sender {sender}");
        Assert.True(atSender.Segments[same].DuplicateAck, $"frame {frame.Number} is not marked in the capture on {sender}");
        return senderFrames[same].Duplicate ? Difference.NotCaptured : null;
    }

    /// <summary>tshark's duplicate_ack_num counts the marked duplicates since the ack number of that direction last changed.</summary>
    private static void AssertCountsAgree(RunReport report, List<Frame> frames)
    {
        var last = new Dictionary<(string Stream, string Port), (string Ack, int Count, bool Diverged)>();
        for (int i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var key = (frame.Stream, frame.SourcePort);
            var state = last.TryGetValue(key, out var seen) && seen.Ack == frame.Ack ? seen : (Ack: frame.Ack, Count: 0, Diverged: false);
            bool ours = report.Segments[i].DuplicateAck;
            state = (state.Ack, state.Count + (ours ? 1 : 0), state.Diverged || ours != frame.Duplicate);
            if (ours && frame.Duplicate && !state.Diverged)
            {
                Assert.True(frame.DuplicateNumber == state.Count, $"frame {frame.Number}: tshark counts duplicate #{frame.DuplicateNumber}, the senders' marks #{state.Count}");
            }

            last[key] = state;
        }
    }

    private static Scenario AtHost(Scenario scenario, string? host) =>
        host is null ? scenario : scenario with { Capture = scenario.Capture with { Host = host } };

    private static (RunReport Report, List<Frame> Frames) Capture(Scenario scenario, string pcap)
    {
        var report = ScenarioRunner.Run(scenario, new RunOptions { PcapPath = pcap });
        var frames = Tshark.Fields(pcap, s_fields).Select(Frame.Parse).ToList();
        // The pattern recorder sees the same TCP segments as the pcap, in the same order.
        Assert.Equal(report.Segments.Count, frames.Count);
        return (report, frames);
    }

    /// <summary>One frame as tshark decodes it (raw sequence numbers, the window field as sent).</summary>
    private sealed record Frame(int Number, string Source, string Stream, string SourcePort, string DestinationPort, string Seq, string Ack, int Window, string TsVal, bool Duplicate, int DuplicateNumber, bool KeepAliveAck)
    {
        public static Frame Parse(string[] row) => new(
            int.Parse(row[0], CultureInfo.InvariantCulture), row[1], row[2], row[3], row[4], row[5], row[6],
            int.Parse(row[7], CultureInfo.InvariantCulture), row[8], row[9].Length > 0,
            row[10].Length > 0 ? int.Parse(row[10].Split(',')[0], CultureInfo.InvariantCulture) : 0, row[11].Length > 0);

        /// <summary>The same segment seen at another capture point: same ports, numbers, window and timestamp.</summary>
        public bool SameSegment(Frame other) =>
            SourcePort == other.SourcePort && DestinationPort == other.DestinationPort && Seq == other.Seq && Ack == other.Ack
            && Window == other.Window && TsVal == other.TsVal;
    }
}
