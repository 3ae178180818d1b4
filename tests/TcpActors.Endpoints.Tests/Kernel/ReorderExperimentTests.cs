using System.Text.RegularExpressions;
using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 27 (recorded for this suite): the router holds two of the client's segments, so that those sent
/// after them overtake them (tools/kernel-lab/nfq_hold.py; the kernel has no netem): the 13th (relative sequence
/// 17377), with the flight still going, and the 68th of 70 (97017), with only two segments and the FIN after it.
/// The client sends 100000 bytes at t=2 and shuts down (reno, GSO off on the kernel).
/// </summary>
/// <remarks>
/// The comparison is partial, and says where: the kernel's round trip through the holder took 50-300 µs where the
/// simulator's links take 160 µs, and its receiver coalesces ACKs (GRO) where the simulator's ACKs every
/// out-of-order segment, so the interleaving of ACKs and data and the windows differ. What is compared exactly
/// is what loss detection decides: which segments are retransmitted, in which order, on which ACK (its
/// cumulative ACK and SACK blocks), the D-SACK and the counters (nstat's). The holds are the ones measured by the
/// kernel run (its user-space holder ran late under load). The FIN that overtakes the held 68th segment is held
/// with the out-of-order data and SACKed with it ({98465:100002}), as tcp_data_queue_ofo keeps it.
/// </remarks>
public sealed class ReorderExperimentTests
{
    [Fact]
    public void A_segment_overtaken_by_three_is_retransmitted_and_the_dsack_undoes_the_recovery()
    {
        // Proves against tests/reference/kernel/27-reorder-dsack.txt: with no reordering seen yet, the third SACK
        // beyond the held 13th segment makes RACK's reordering window zero (three SACKed segments, the duplicate-ACK
        // threshold) and it is fast-retransmitted at once. Its original arrives 2 ms later and the server D-SACKs
        // it: every retransmission of that recovery was needless, so the reduction is undone (TCPDSACKUndo). By
        // then the 68th segment is held too and its two successors are SACKed: fewer than three, so RACK would
        // wait a quarter of min_rtt (rounded up to its timer's jiffies), but the D-SACK's ACK finds that time
        // already past and it is retransmitted on it (a second fast recovery, no RTO, no loss probe).
        var lab = Run(17377, 2.078, 6.772);

        Assert.Equal(Retransmissions("27-reorder-dsack.txt"), Retransmissions(lab));
        // The D-SACK's ACK SACKs the FIN that overtook the 68th segment with the two segments before it.
        Assert.Equal(
            ["8080>40000 . ack 17377 [TS,sack 1 {18825:23169}]", "8080>40000 . ack 97017 [TS,sack 2 {17377:18825} {98465:100002}]"],
            Retransmissions(lab).Select(r => r.Trigger));
        var counters = lab.ClientStack.Counters;
        Assert.Equal((2L, 2L, 2L), (counters.RetransmittedSegments, counters.SackRecoveries, counters.FastRetransmits)); // TcpRetransSegs, TCPSackRecovery, TCPFastRetrans
        Assert.Equal((1L, 1L, 0L), (counters.DsacksReceived, counters.DsackUndos, counters.SackReorders)); // TCPDSACKRecv, TCPDSACKUndo, TCPSACKReorder
        Assert.Equal((0L, 0L), (counters.Timeouts, counters.LossProbes));
        Assert.Equal(100000, ServerReceived(lab));
    }

    [Fact]
    public void A_segment_overtaken_by_two_waits_out_the_reordering_window_and_is_not_retransmitted()
    {
        // Proves against tests/reference/kernel/27-reorder-tail.txt: the 13th segment is fast-retransmitted as above,
        // but its original (held 13 ms) comes after the connection has closed, so there is no D-SACK and nothing is
        // undone. The 68th, held 3.1 ms, is overtaken by two: with two SACKed segments RACK keeps a reordering
        // window and arms its timer (4 ms), the original arrives first, the cumulative ACK covers it — no
        // retransmission — and the hole filled by an original is reordering seen (TCPSACKReorder).
        var lab = Run(17377, 13.064, 3.102);

        Assert.Equal(Retransmissions("27-reorder-tail.txt"), Retransmissions(lab));
        Assert.Equal(["8080>40000 . ack 17377 [TS,sack 1 {18825:23169}]"], Retransmissions(lab).Select(r => r.Trigger));
        var counters = lab.ClientStack.Counters;
        Assert.Equal((1L, 1L, 1L), (counters.RetransmittedSegments, counters.SackRecoveries, counters.FastRetransmits));
        Assert.Equal((0L, 0L, 1L), (counters.DsacksReceived, counters.DsackUndos, counters.SackReorders));
        Assert.Equal((0L, 0L), (counters.Timeouts, counters.LossProbes));
        Assert.Equal(100000, ServerReceived(lab));
    }

    private static Lab Run(uint first, double firstMilliseconds, double tailMilliseconds)
    {
        // The kernel's round trip through nfq_hold.py took 190-260 µs (its first ACK came 262 µs after the first
        // segment); links of 40 µs give 160 µs, longer than a write takes to reach its first backlog flush (122 µs),
        // so as on the kernel that flush finds nothing and the write runs out of send buffer before any ACK.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_congestion_control=reno"], links: new LinkSettings(Duration.FromMicroseconds(40)));
        lab.SetGsoMaxSegs(lab.Client, 1); // c0: gso_max_segs 1, as the script sets it
        var holds = new Dictionary<uint, Duration>
        {
            [first] = Duration.FromSeconds(firstMilliseconds / 1000),
            [97017] = Duration.FromSeconds(tailMilliseconds / 1000),
        };
        var toServer = lab.Router!.Routes.Lookup(IPv4Address.Parse("10.0.2.2"))!.Interface;
        toServer.QueueDiscipline = new HeldSegments(holds);
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, TransferScripts.SendingClient(100000));
        lab.RunUntil(10);
        return lab;
    }

    /// <summary>Each segment the client sends again, with the server's segment just before it (its window left out).</summary>
    private static List<(string Segment, string Trigger)> Retransmissions(string referenceFile) =>
        Retransmissions(KernelReference.Load(referenceFile).WireText(withTime: false).Split('\n'));

    private static List<(string Segment, string Trigger)> Retransmissions(Lab lab) =>
        Retransmissions(lab.Wire.Text(withTime: false).Split('\n'));

    private static List<(string Segment, string Trigger)> Retransmissions(string[] lines)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, string)>();
        string trigger = "";
        foreach (var line in lines)
        {
            if (line.StartsWith("8080>40000 ", StringComparison.Ordinal))
            {
                trigger = Regex.Replace(line, " win [0-9]+", "");
            }
            else if (Regex.Match(line, "^40000>8080 [A-Z]*\\. seq ([0-9]+:[0-9]+)") is { Success: true } data && !seen.Add(data.Groups[1].Value))
            {
                result.Add((data.Groups[1].Value, trigger));
            }
        }

        return result;
    }

    /// <summary>The bytes the server's recv() calls returned.</summary>
    private static int ServerReceived(Lab lab) =>
        lab.Calls.Of("server").Split('\n').Where(l => l.Contains(" recv(", StringComparison.Ordinal) && l.EndsWith(" bytes", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture));
}
