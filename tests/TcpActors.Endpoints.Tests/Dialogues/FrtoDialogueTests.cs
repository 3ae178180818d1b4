using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// F-RTO (RFC 5682 as Linux's tcp_process_loss does it, net.ipv4.tcp_frto 2) after an RTO, with the test playing
/// the peer: the server sends 20 segments at 2 s to a peer that SACKs; the first ten and the loss probe's
/// eleventh go unanswered until the RTO (2.216 s) has retransmitted the first. Reno's window (BBR's, the lab's
/// default, keeps its own window and paces).
/// </summary>
public sealed class FrtoDialogueTests
{
    private const string BeforeTheRto =
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
        2.000000 . seq 13141:14601 ack 1 win 64240 length 1460
        2.012000 . seq 14601:16061 ack 1 win 64240 length 1460
        2.216000 . seq 1:1461 ack 1 win 64240 length 1460
        2.300000 . seq 16061:17521 ack 1 win 64240 length 1460
        2.300000 . seq 17521:18981 ack 1 win 64240 length 1460
        """;

    [Fact]
    public void A_spurious_rto_is_undone_when_the_originals_are_acknowledged_after_the_new_data()
    {
        // Proves F-RTO's steps 2b and 3b: the originals were only delayed. Their first ACK (2.3 s, ack 1461) advances
        // snd_una, so rather than retransmit the second segment the server sends two new ones (the window grew
        // from 1 to 2 in slow start). The next ACK covers the ten other originals, never retransmitted and sent
        // before the RTO: the RTO was spurious. It is undone (TCPLossUndo, TCPSpuriousRTOs): cwnd back to the 10
        // it was and grown in slow start by the 10 segments acknowledged, ssthresh back to infinite, the
        // connection Open again, and nothing more is retransmitted — the seven segments left go out as new data.
        var dialogue = Start();
        dialogue.Inject(2.3, TcpFlags.Ack, 1, 1461, window: 65535);
        dialogue.Inject(2.301, TcpFlags.Ack, 1, 16061, window: 65535);
        dialogue.ExpectUntil(2.31,
            BeforeTheRto + "\n" + """
            2.301000 . seq 18981:20441 ack 1 win 64240 length 1460
            2.301000 . seq 20441:21901 ack 1 win 64240 length 1460
            2.301000 . seq 21901:23361 ack 1 win 64240 length 1460
            2.301000 . seq 23361:24821 ack 1 win 64240 length 1460
            2.301000 . seq 24821:26281 ack 1 win 64240 length 1460
            2.301000 . seq 26281:27741 ack 1 win 64240 length 1460
            2.301000 P. seq 27741:29201 ack 1 win 64240 length 1460
            """);
        var counters = dialogue.Lab.ServerStack.Counters;
        Assert.Equal((1L, 1L, 1L), (counters.LossUndos, counters.SpuriousRtos, counters.RetransmittedSegments));
        var server = ServerSocket(dialogue);
        Assert.Equal((20, (int?)null), (server.CongestionWindow, server.SlowStartThreshold));
    }

    [Fact]
    public void A_real_loss_after_the_rto_falls_back_to_retransmitting_in_slow_start()
    {
        // Proves F-RTO's step 3a: the first ACK after the RTO (ack 1461) again draws two new segments, but the next
        // one is a duplicate ACK whose SACK block covers the first of them: segments 2 to 11 really were lost. F-RTO
        // gives up, nothing is undone (ssthresh stays 5), and the Loss state retransmits the lost segments in slow
        // start, one per delivered segment: the second segment now, the third on the next SACK.
        var dialogue = Start();
        dialogue.Inject(2.3, TcpFlags.Ack, 1, 1461, window: 65535);
        dialogue.Inject(2.301, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(16061, 17521)]);
        dialogue.Inject(2.302, TcpFlags.Ack, 1, 1461, window: 65535, sack: [(16061, 18981)]);
        dialogue.ExpectUntil(2.31,
            BeforeTheRto + "\n" + """
            2.301000 . seq 1461:2921 ack 1 win 64240 length 1460
            2.302000 . seq 2921:4381 ack 1 win 64240 length 1460
            """);
        var counters = dialogue.Lab.ServerStack.Counters;
        Assert.Equal((0L, 0L, 3L, 2L), (counters.LossUndos, counters.SpuriousRtos, counters.RetransmittedSegments, counters.SlowStartRetransmits));
        Assert.Equal((2, (int?)5), (ServerSocket(dialogue).CongestionWindow, ServerSocket(dialogue).SlowStartThreshold));
    }

    private static Dialogue Start()
    {
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 20 * 1460), "net.ipv4.tcp_congestion_control=reno");
        dialogue.TurnGsoOff(); // F-RTO's steps are told segment by segment (new segments for each ACK, one retransmission each)
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        return dialogue;
    }

    private static SocketSnapshot ServerSocket(Dialogue dialogue) =>
        dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established);

    private static IEnumerable<Step> SendAt(Sock socket, double at, int bytes)
    {
        yield return Script.Until(at);
        yield return socket.Send(bytes);
    }
}
