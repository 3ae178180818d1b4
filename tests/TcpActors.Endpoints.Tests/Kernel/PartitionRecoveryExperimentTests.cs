using TcpActors.Endpoints.Tests.Harness;
using System.Text.RegularExpressions;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 26 (recorded for this suite): loss recovery after a short partition. The router drops everything
/// from t=1.9 to t=2.6; the client sends 65536 bytes at t=2 and shuts down (reno, GSO off on the kernel).
/// </summary>
public sealed class PartitionRecoveryExperimentTests
{
    [Fact]
    public void Every_segment_lost_in_a_partition_is_repaired_on_the_acks_after_the_rto()
    {
        // Proves against tests/reference/kernel/26-partition-recovery.txt: the initial window of ten segments, the
        // tail loss probe with the eleventh (new data, no PSH), the RTO retransmissions at +0.216 and +0.644 s, the
        // second one through. Then F-RTO (net.ipv4.tcp_frto 2): the first ACK after the RTO advances, so instead of
        // retransmitting the client sends two new segments (slow start took the window from 1 to 2); the peer's
        // SACK for the first of them shows the loss was real (RFC 5682 step 3a: no undo), and in the Loss state
        // the ten segments lost in the partition are retransmitted on the ACKs as slow start opens the window,
        // then new data follows. Exact, times included, through F-RTO's two segments; exact but for the server's
        // windows through the ACK that repairs the last hole (the kernel's server process read nothing until the
        // burst was over, the simulator's reads each segment as it arrives, so its window stays open); and the
        // client's data segments are the kernel's to the end, in the same order, but for PSH (the kernel's reno client
        // ran out of send buffer after 21 segments, 2 × 10 × 2304 bytes for 21 × (1448 + 832), and
        // sk_stream_wait_memory marked the tail; the simulator has no send-buffer limit of that kind and marks
        // the segment where half the peer's window was written, forced_push: see docs/fidelity.md) and the FIN the
        // simulator puts on the last one (see below). The counters are
        // the kernel's nstat: 12 retransmissions (2 RTO + 10 in slow start), the first RTO retransmission lost
        // again, one loss probe, no undo and no spurious RTO. After the repair the server's ACKs differ (its
        // receiver ACKs every segment while the kernel's coalesced), and the kernel's FIN left on its own
        // because its send() was still blocked on the send buffer when the last segment went.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_congestion_control=reno"]);
        lab.SetGsoMaxSegs(lab.Client, 1); // c0: gso_max_segs 1, as the script sets it
        var partition = new DropRule(HookPoint.Forward, "FORWARD -j DROP");
        lab.At(1.9, () => lab.AddRule(lab.Router!, partition));
        lab.At(2.6, () => lab.DeleteRule(lab.Router!, partition));
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, TransferScripts.SendingClient(65536));
        lab.RunUntil(10);

        Expect.SameAsKernel(lab.Wire, "26-partition-recovery.txt", untilSeconds: 0.6462);
        var kernel = KernelReference.Load("26-partition-recovery.txt").WireText(withTime: false).Split('\n');
        var simulated = lab.Wire.Text(withTime: false).Split('\n');
        int repaired = Array.FindIndex(kernel, l => l.StartsWith("8080>40000 . ack 18825 ", StringComparison.Ordinal)) + 1;
        Assert.Equal(46, repaired);
        Assert.Equal(kernel[..repaired].Select(WithoutServerWindow), simulated[..repaired].Select(WithoutServerWindow));
        Assert.Equal(ClientData(kernel), ClientData(simulated));
        // The client's segments with their flags: the write ran out of send buffer (reno: 2 × 10 × 2304 = 46080 bytes,
        // reached by 21 sk_buffs of 1448 + 832) and tcp_push marked 28961:30409 before the writer slept, as on the
        // kernel. After the heal the kernel's writer ran out once more, at 63713 (the arithmetic gives an sk_sndbuf
        // of 50688, grown at a cwnd of 11, with nothing acknowledged past 30409 while it copied), and its send()
        // returned only after the last segment had left, so the FIN went alone. The simulator's writer, resumed a
        // wake-up latency after the ACKs freed a third of its buffer, does not run out again (its buffer and the ACKs
        // it has taken in by then differ from the kernel's: timing this model does not pin down), so the FIN rides
        // on the last segment, still unsent when shutdown() comes.
        var clientSegments = (string[] lines) => lines.Where(l => l.StartsWith("40000>8080 ", StringComparison.Ordinal) && l.Contains(" length ", StringComparison.Ordinal)).ToList();
        var expected = clientSegments(kernel).Select(l => l.Contains(" seq 62265:63713 ", StringComparison.Ordinal) ? l.Replace(" P. ", " . ", StringComparison.Ordinal) : l).ToList();
        expected[^1] = expected[^1].Replace(" P. ", " FP. ", StringComparison.Ordinal);
        Assert.Contains("40000>8080 P. seq 28961:30409 ack 1 win 63 [TS] length 1448", expected);
        Assert.Equal(expected, clientSegments(simulated));
        var counters = lab.ClientStack.Counters;
        Assert.Equal((12L, 2L, 1L, 10L, 1L), (counters.RetransmittedSegments, counters.Timeouts, counters.LossProbes, counters.SlowStartRetransmits, counters.LostRetransmits));
        Assert.Equal((0L, 0L), (counters.LossUndos, counters.SpuriousRtos));
        Assert.EndsWith("2.624 server recv(65536) -> 0 bytes", lab.Calls.Of("server").Split('\n')[^2], StringComparison.Ordinal);
    }

    /// <summary>A capture line with the server's advertised window left out.</summary>
    private static string WithoutServerWindow(string line) =>
        line.StartsWith("8080>40000 ", StringComparison.Ordinal) ? Regex.Replace(line, " win [0-9]+", "") : line;

    /// <summary>The client's data segments, PSH and FIN left out of their flags.</summary>
    private static List<string> ClientData(string[] lines) =>
        [.. lines.Where(l => l.StartsWith("40000>8080 ", StringComparison.Ordinal) && l.Contains(" length ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l, "^40000>8080 [A-Z]*\\.", "40000>8080 ."))];
}
