using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 69: segments to an orphan in FIN-WAIT-2, a timewait socket in its FIN_WAIT2 substate
/// (tcp_timewait_state_process): bare ACKs, SYNs out of and in the window, data with FIN.
/// </summary>
public sealed class FinWait2SegmentsExperimentTests
{
    [Fact]
    public void A_syn_out_of_the_window_draws_a_rate_limited_ack_one_inside_it_a_reset_that_ends_the_orphan()
    {
        // Proves against tests/reference/kernel/69-fin-wait2-segments-syn.txt: a bare ACK at rcv_nxt is dropped; a SYN
        // 100000 past rcv_nxt (outside the 65160-byte window) draws an ACK echoing the TS val of the ACK of the FIN
        // (2601: the bare ACK did not update ts_recent), the same SYN 100 ms later nothing (tcp_invalid_ratelimit);
        // a SYN inside the window draws `R.` seq 0 acknowledging it and the orphan is gone, so the next ACK meets no
        // socket (`R` at its ack).
        var dialogue = Start();
        var later = (double t) => new TcpOptions { HasTimestamps = true, TsVal = (uint)(t * 1000) + 1 };
        dialogue.Inject(3.0, TcpFlags.Ack, 1, 2, window: 65535);
        dialogue.Inject(3.1, TcpFlags.Syn, 100001, window: 65535, options: later(3.1));
        dialogue.Inject(3.2, TcpFlags.Syn, 100001, window: 65535, options: later(3.2));
        dialogue.Inject(3.3, TcpFlags.Syn, 1001, window: 65535, options: later(3.3));
        dialogue.Inject(3.4, TcpFlags.Ack, 1, 2, window: 65535);
        var lab = dialogue.Lab;
        lab.At(3.25, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(3.6);
        // The reset of the SYN carries seq 0 (tcp_v4_send_reset for a segment without ACK), which the relative rendering
        // shows as minus the socket's ISN, a number of each run; it is checked as it is sent instead.
        static bool ResetOfTheSyn(WireRecord r) => r.Flags == (TcpFlags.Rst | TcpFlags.Ack);
        Expect.SameAsKernel(lab.Wire, "69-fin-wait2-segments-syn.txt", only: r => !ResetOfTheSyn(r));
        var reset = lab.Wire.Segments.Single(s => ResetOfTheSyn(s.Record)).Record;
        Assert.Equal((0u, Dialogue.PeerIsn + 1002), (reset.Seq, reset.Ack)); // kernel: ack 1002 (relative), seq 0
        Assert.Equal([2601u], dialogue.Received.Where(s => s.Segment.Flags == TcpFlags.Ack).Select(s => s.Segment.Options.TsEcr).Distinct());
        Assert.Equal("FIN-WAIT-2 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,59sec,0)", lab.SsLog[^1].Split('\n')[1]);
    }

    [Fact]
    public void Data_with_fin_after_the_half_duplex_close_resets_the_orphan()
    {
        // Proves against tests/reference/kernel/69-fin-wait2-segments-findata.txt: 10 bytes with FIN to the orphan
        // are new data after a half-duplex close: `R` at the segment's ack, the orphan gone (ss at 3.25 shows none),
        // and the next bare ACK gets `R` from no socket.
        var dialogue = Start();
        dialogue.Inject(3.0, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 1, 2, 10, window: 65535);
        dialogue.Inject(3.1, TcpFlags.Ack, 12, 2, window: 65535);
        var lab = dialogue.Lab;
        lab.At(3.25, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(3.6);
        Expect.SameAsKernel(lab.Wire, "69-fin-wait2-segments-findata.txt");
        Assert.DoesNotContain("10.0.1.2:40000", lab.SsLog[^1], StringComparison.Ordinal);
    }

    private static Dialogue Start()
    {
        var dialogue = Dialogue.WithListener(CloseAt25);
        dialogue.Timestamps = true;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 2001 });
        dialogue.Inject(2.0003, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.6, TcpFlags.Ack, 1, 2, window: 65535);
        return dialogue;
    }

    private static IEnumerable<Step> CloseAt25(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(2.5);
        yield return socket.Close();
    }
}
