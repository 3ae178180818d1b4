using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 65: what a TIME_WAIT socket (tcp_timewait_state_process's real TIME-WAIT branch) answers to segments
/// other than a retransmitted FIN or an RST, and which restart its 60 s timer.
/// </summary>
public sealed class TimeWaitSegmentsExperimentTests
{
    [Fact]
    public void Time_wait_acks_data_and_old_acks_ignores_a_bare_ack_at_rcv_nxt_and_restarts_its_timer_for_both()
    {
        // Proves against tests/reference/kernel/65-time-wait-segments.txt: the server close()s first and the raw
        // peer's FIN puts it in TIME_WAIT (rcv_nxt 2). Ten bytes at rcv_nxt are ACKed (ack 2: nothing taken) and
        // restart the 60 s (ss: 59sec at 12.2, not 50); the same again 100 ms later is ACKed too (data consumes
        // sequence space, so no rate limit); a bare ACK below rcv_nxt is ACKed once, the next within 500 ms not
        // (tcp_timewait_check_oow_rate_limit); a FIN with data and data far out of the window are ACKed; a bare
        // ACK at rcv_nxt is taken silently but restarts the timer too (ss: 50sec at 21.8, 59sec at 22.2). The
        // TIME_WAIT's ACKs echo the TS val of the FIN (2601; the raw peer's ms clock + 1), the last segment taken in order; the bare ACK at
        // rcv_nxt, which updates ts_recent, comes after the last of them.
        var dialogue = Dialogue.WithListener(Server);
        dialogue.Timestamps = true;
        var lab = dialogue.Lab;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 2001 });
        dialogue.Inject(2.0003, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.6, TcpFlags.Fin | TcpFlags.Ack, 1, 2, window: 65535);
        dialogue.Inject(12.0, TcpFlags.Psh | TcpFlags.Ack, 2, 2, 10, window: 65535);
        dialogue.Inject(12.1, TcpFlags.Psh | TcpFlags.Ack, 2, 2, 10, window: 65535);
        dialogue.Inject(12.3, TcpFlags.Ack, 1, 2, window: 65535);
        dialogue.Inject(12.4, TcpFlags.Ack, 1, 2, window: 65535);
        dialogue.Inject(12.5, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 2, 2, 10, window: 65535);
        dialogue.Inject(12.6, TcpFlags.Psh | TcpFlags.Ack, 100002, 2, 10, window: 65535);
        dialogue.Inject(22.0, TcpFlags.Ack, 2, 2, window: 65535);
        foreach (double t in new[] { 2.8, 12.2, 21.8, 22.2 })
        {
            lab.At(t, () => lab.Ss(lab.Server, "server"));
        }

        lab.RunUntil(22.5);
        Expect.SameAsKernel(lab.Wire, "65-time-wait-segments.txt");
        Expect.Lines(
            """
            10.000000 8080>40000 . ack 2 win 65159 [TS]
            10.100000 8080>40000 . ack 2 win 65159 [TS]
            10.300000 8080>40000 . ack 2 win 65159 [TS]
            10.500000 8080>40000 . ack 2 win 65159 [TS]
            10.600000 8080>40000 . ack 2 win 65159 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Where(l => l.Contains("8080>40000", StringComparison.Ordinal)).Skip(3)));
        const string timeWait = "TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,";
        Assert.StartsWith(timeWait + "59sec,0)", SsAt(lab, 2.8), StringComparison.Ordinal);
        Assert.StartsWith(timeWait + "59sec,0)", SsAt(lab, 12.2), StringComparison.Ordinal); // restarted by the data at 12.0
        Assert.StartsWith(timeWait + "50sec,0)", SsAt(lab, 21.8), StringComparison.Ordinal);
        Assert.StartsWith(timeWait + "59sec,0)", SsAt(lab, 22.2), StringComparison.Ordinal); // restarted by the bare ACK at 22.0
        var ecrs = dialogue.Received.Skip(3).Select(s => s.Segment.Options.TsEcr).Distinct();
        Assert.Equal([2601u], ecrs);
    }

    private static string SsAt(Lab lab, double seconds) =>
        lab.SsLog.Single(s => s.StartsWith($"### {Runtime.SimTime.FromSeconds(seconds)} ", StringComparison.Ordinal)).Split('\n')[1];

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(2.5);
        yield return socket.Close();
    }
}
