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
        var lab = Lab.Routed();
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
