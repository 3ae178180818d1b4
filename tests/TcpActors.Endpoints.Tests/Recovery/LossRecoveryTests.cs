using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Recovery;

/// <summary>
/// Repairing a window with several holes (no kernel recording; the rules are tcp_fastretrans_alert's,
/// tcp_rack_mark_lost's, tcp_cwnd_reduction's, tcp_enter_loss's and tcp_xmit_retransmit_queue's): every
/// segment presumed lost is retransmitted as the congestion window allows, not one per timeout.
/// </summary>
public sealed class LossRecoveryTests
{
    [Fact]
    public void Fast_recovery_retransmits_every_hole_the_sacks_reveal()
    {
        // Proves RACK loss marking and PRR (RFC 6937): the server sends ten 1460-byte segments; the peer gets all
        // but the second and the fifth and says so with SACK blocks. At the third SACKed segment both holes are
        // marked lost (each was sent before a delivered segment), fast recovery starts with ssthresh 5, and PRR
        // lets one retransmission out per delivered segment: the second segment at once, the fifth on the next
        // ACK; the ACKs of both end recovery with nothing more to send. Before, only the first hole was
        // retransmitted and the second waited for an RTO. (The peer SACKs the last three segments with the
        // first retransmission's ACK: had it not, RACK would rightly presume them lost too, as they were sent
        // before that retransmission and are not SACKed within its 2 ms RTT.)
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 14600));
        dialogue.TurnGsoOff(); // the holes and their retransmissions are single segments, one per sk_buff
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.001, TcpFlags.Ack, 1, 1461, window: 65535);
        dialogue.Inject(2.002, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(2921, 4381)]);
        dialogue.Inject(2.003, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(2921, 5841)]);
        dialogue.Inject(2.004, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(2921, 5841), (7301, 8761)]);
        dialogue.Inject(2.005, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(2921, 5841), (7301, 10221)]);
        dialogue.Inject(2.006, TcpFlags.Ack, 1, 5841, window: 65535, sack: [(7301, 14601)]);
        dialogue.Inject(2.007, TcpFlags.Ack, 1, 14601, window: 65535);
        dialogue.ExpectUntil(3.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . seq 1:1461 ack 1 win 64240 length 1460
            2.000000 . seq 1461:2921 ack 1 win 64240 length 1460
            2.000000 . seq 2921:4381 ack 1 win 64240 length 1460
            2.000000 . seq 4381:5841 ack 1 win 64240 length 1460
            2.000000 . seq 5841:7301 ack 1 win 64240 length 1460
            2.000000 . seq 7301:8761 ack 1 win 64240 length 1460
            2.000000 . seq 8761:10221 ack 1 win 64240 length 1460
            2.000000 . seq 10221:11681 ack 1 win 64240 length 1460
            2.000000 . seq 11681:13141 ack 1 win 64240 length 1460
            2.000000 P. seq 13141:14601 ack 1 win 64240 length 1460
            2.004000 . seq 1461:2921 ack 1 win 64240 length 1460
            2.005000 . seq 5841:7301 ack 1 win 64240 length 1460
            """);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.RetransmittedSegments);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.FastRetransmits);
    }

    [Fact]
    public void After_an_rto_every_segment_lost_in_a_partition_is_retransmitted_in_slow_start()
    {
        // Proves tcp_enter_loss and tcp_xmit_retransmit_queue in the Loss state: the router drops everything from
        // 1.9 s to 2.6 s. The client's 65536-byte send at 2 s goes out as its initial window of ten segments, the
        // loss probe (12 ms later) sends an eleventh, and the RTO retransmission at 2.216 s is lost too; all are
        // lost. The next RTO retransmission (2.624 s) gets through; every ACK after it grows the window from one
        // segment in slow start, and the ten other lost segments are retransmitted on those ACKs, not one per
        // RTO: the server has all 65536 bytes and the end of the stream at 2.624 s. Before, each hole waited for
        // its own, ever longer, RTO.
        var lab = Lab.Routed();
        var partition = new DropRule(HookPoint.Forward, "FORWARD -j DROP");
        lab.At(1.9, () => lab.AddRule(lab.Router!, partition));
        lab.At(2.6, () => lab.DeleteRule(lab.Router!, partition));
        lab.Run("server", lab.Server, p => AcceptAndReadAll(p));
        lab.Run("client", lab.Client, p => ConnectAndSend(p, 65536));
        lab.RunUntil(10);

        Assert.EndsWith("2.624 server recv(65536) -> 0 bytes", lab.Calls.Of("server"), StringComparison.Ordinal);
        Assert.Equal(65536, lab.Calls.Of("server").Split('\n').Where(l => l.Contains(" recv(", StringComparison.Ordinal)).Sum(l => int.Parse(l.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(2 + 10, lab.ClientStack.Counters.RetransmittedSegments);
        Assert.Equal(2, lab.ClientStack.Counters.Timeouts);
        Assert.Equal(10, lab.ClientStack.Counters.SlowStartRetransmits); // TcpExtTCPSlowStartRetrans
        Assert.Equal(0, lab.ClientStack.Counters.FastRetransmits);
    }

    [Fact]
    public void A_loss_probe_sends_new_data_only_within_the_peer_window()
    {
        // Proves tcp_send_loss_probe's tcp_snd_wnd_test: the peer offers 2920 bytes (no window scaling); a
        // 5000-byte write fills it with two segments. When the loss probe fires, the next new segment would go
        // past the window, so the probe sends the last segment again instead. The second segment carries PSH:
        // 2920 bytes written is more than half the largest window offered (forced_push), and its retransmission
        // keeps it.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 5000));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 2920);
        dialogue.ExpectUntil(2.1,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . seq 1:1461 ack 1 win 64240 length 1460
            2.000000 P. seq 1461:2921 ack 1 win 64240 length 1460
            2.012000 P. seq 1461:2921 ack 1 win 64240 length 1460
            """);
    }

    [Fact]
    public void A_retransmission_is_cut_to_a_window_the_peer_has_shrunk()
    {
        // Proves __tcp_retransmit_skb's window rule: two 1460-byte segments are lost; the peer sends a byte, then
        // (with the newer sequence number the window update rule asks for) shrinks its window to 1000, which
        // RFC 9293 discourages but allows. The RTO retransmission of the first segment is cut to the 1000 bytes
        // the window holds, the rest staying queued.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 2920));
        dialogue.TurnGsoOff(); // two sk_buffs of one segment each (retransmitting a GSO packet is not modelled)
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 1, length: 1, window: 65535);
        dialogue.Inject(2.11, TcpFlags.Ack, 2, 1, window: 1000);
        dialogue.ExpectUntil(2.3,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . seq 1:1461 ack 1 win 64240 length 1460
            2.000000 P. seq 1461:2921 ack 1 win 64240 length 1460
            2.100000 . ack 2 win 64239
            2.204000 . seq 1:1001 ack 2 win 64239 length 1000
            """);
    }

    [Fact]
    public void An_rto_after_the_peer_reneged_on_its_sacks_presumes_every_segment_lost()
    {
        // Proves tcp_check_sack_reneging and tcp_timeout_mark_lost's reneging case: the peer SACKs the third of
        // five segments, then acknowledges the first two only, so snd_una stops at a SACKed segment (it has
        // dropped what it SACKed). The sender gives it max(RTT/2, 10 ms) in whole jiffies (12 ms) to acknowledge the rest, then the RTO
        // clears every SACK mark, presumes all three segments lost and retransmits them from the first as the
        // congestion window of the Loss state allows (one, then two more when it is acknowledged).
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 7300));
        dialogue.TurnGsoOff(); // the SACK marks and their clearing are per segment, one per sk_buff
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.002, TcpFlags.Ack, 1, 1, window: 65535, sack: [(2921, 4381)]);
        dialogue.Inject(2.003, TcpFlags.Ack, 1, 2921, window: 65535, sack: [(2921, 4381)]);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 4381, window: 65535);
        dialogue.Inject(2.2, TcpFlags.Ack, 1, 7301, window: 65535);
        dialogue.ExpectUntil(3.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . seq 1:1461 ack 1 win 64240 length 1460
            2.000000 . seq 1461:2921 ack 1 win 64240 length 1460
            2.000000 . seq 2921:4381 ack 1 win 64240 length 1460
            2.000000 . seq 4381:5841 ack 1 win 64240 length 1460
            2.000000 P. seq 5841:7301 ack 1 win 64240 length 1460
            2.015000 . seq 2921:4381 ack 1 win 64240 length 1460
            2.100000 . seq 4381:5841 ack 1 win 64240 length 1460
            2.100000 P. seq 5841:7301 ack 1 win 64240 length 1460
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.Timeouts);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.SlowStartRetransmits); // the two after the RTO's own
    }

    private static IEnumerable<Step> AcceptAndReadAll(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        do
        {
            yield return p.Accepted!.Recv(65536);
        }
        while (p.LastReceived > 0);
    }

    private static IEnumerable<Step> ConnectAndSend(ScriptedProcess p, int bytes)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(bytes);
        yield return socket.Shutdown(ShutdownHow.Write);
    }

    private static IEnumerable<Step> SendAt(Sock socket, double at, int bytes)
    {
        yield return Script.Until(at);
        yield return socket.Send(bytes);
    }
}
