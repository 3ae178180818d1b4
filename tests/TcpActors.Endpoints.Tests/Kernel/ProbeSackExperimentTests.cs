using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 38: probes carry the SACK blocks of the prober's out-of-order queue. Linux builds a window probe
/// and a keepalive probe in tcp_xmit_probe_skb and the reset of a keepalive that gives up in
/// tcp_send_active_reset; both go out through tcp_transmit_skb, whose tcp_established_options adds the blocks
/// the socket holds, as on any ACK.
/// </summary>
public sealed class ProbeSackExperimentTests
{
    [Fact]
    public void Zero_window_probes_carry_the_sack_blocks_and_each_segment_of_the_peer_rearms_the_probe_timer()
    {
        // Proves against tests/reference/kernel/38-probe-sack-zero-window.txt: the peer offers window 0, so the
        // server's 1000 bytes wait and window probes go out (seq snd_una - 1, no data). Once the peer's data beyond a
        // hole is held, every probe carries its SACK block, most recent first ({301:401}{101:201}). Each segment of
        // the peer's is an ACK that leaves the window shut: tcp_ack_probe re-arms the probe timer from that moment at
        // the current backoff (0.4 s after 101:201, 0.8 s after 301:401), so the probes come at 0.204, 1.408, 2.816 and 4.448 s after the send (RTO 204 ms: 51 jiffies).
        var dialogue = Dialogue.WithListener(ZeroWindowServer);
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1001 });
        dialogue.Inject(1.0002, TcpFlags.Ack, 1, 1, window: 0);
        dialogue.Inject(2.0, TcpFlags.Psh | TcpFlags.Ack, 101, 1, 100, window: 0);
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 301, 1, 100, window: 0);
        dialogue.ExpectUntil(7.0,
            """
            1.000000 S. seq ISN ack 1 win 65160
            1.704000 . ack 1 win 65160                        # kernel +0.704559
            2.000000 . ack 1 win 65160 sack {101:201}
            2.408000 . ack 1 win 65160 sack {101:201}         # kernel +1.424550
            3.000000 . ack 1 win 65160 sack {301:401} {101:201}
            3.816000 . ack 1 win 65160 sack {301:401} {101:201} # kernel +2.828566
            5.448000 . ack 1 win 65160 sack {301:401} {101:201} # kernel +4.492574
            """);
        Expect.SameAsKernel(dialogue.Lab.Wire, "38-probe-sack-zero-window.txt");
    }

    [Fact]
    public void Keepalive_probes_and_the_reset_that_ends_them_carry_the_sack_blocks()
    {
        // Proves against tests/reference/kernel/38-probe-sack-keepalive.txt (TCP_KEEPIDLE 2, TCP_KEEPINTVL 1,
        // TCP_KEEPCNT 2): the server holds 101:201 beyond a hole; its keepalive probes, 2 s after that segment and
        // then every second, and the R. that ends the connection at idle + count × interval carry {101:201}.
        var dialogue = Dialogue.WithListener(KeepaliveServer);
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1001 });
        dialogue.Inject(1.0003, TcpFlags.Ack, 1, 1);
        dialogue.Inject(1.5, TcpFlags.Psh | TcpFlags.Ack, 101, 1, 100);
        dialogue.ExpectUntil(7.0,
            """
            1.000000 S. seq ISN ack 1 win 65160
            1.500000 . ack 1 win 65160 sack {101:201}
            3.500000 . ack 1 win 65160 sack {101:201}         # kernel +2.509621
            4.500000 . ack 1 win 65160 sack {101:201}         # kernel +3.533636
            5.500000 R. seq 1 ack 1 win 65160 sack {101:201}  # kernel +4.553645
            """);
        Expect.SameAsKernel(dialogue.Lab.Wire, "38-probe-sack-keepalive.txt");
        Assert.Contains("5.500 server recv(65536) -> ETIMEDOUT", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 5.554
    }

    private static IEnumerable<Step> ZeroWindowServer(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(1.5);
        yield return socket.Send(1000);
        yield return Script.Until(7.5);
    }

    private static IEnumerable<Step> KeepaliveServer(ScriptedProcess p, Sock socket)
    {
        yield return socket.SetOptions("SO_KEEPALIVE 1, TCP_KEEPIDLE 2, TCP_KEEPINTVL 1, TCP_KEEPCNT 2", o => o with { KeepAlive = true, KeepIdleSeconds = 2, KeepIntervalSeconds = 1, KeepCount = 2 });
        yield return socket.Recv();
    }
}
