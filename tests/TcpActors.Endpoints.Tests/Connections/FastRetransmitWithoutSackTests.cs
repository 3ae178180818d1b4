using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>
/// Fast retransmit without SACK (RFC 5681 §3.2, Linux's NewReno path: tcp_add_reno_sack counts each
/// duplicate ACK as a SACKed segment, tcp_time_to_recover fires when they exceed tp->reordering = 3).
/// </summary>
public sealed class FastRetransmitWithoutSackTests
{
    [Fact]
    public void The_third_duplicate_ack_retransmits_the_lost_segment_at_once_without_waiting_for_the_rto()
    {
        // Proves tcp_fastretrans_alert's NewReno entry into recovery: the peer offers no SACK (so no RACK marking
        // and no tail loss probe either). The server writes ten 1460-byte segments at 2 s; the peer "loses" the
        // fifth (5841:7301): it acknowledges the first four, then sends one duplicate ACK of 5841 for each of the
        // sixth, seventh and eighth. Exactly the fifth segment is retransmitted at the third duplicate ACK
        // (2.007 s), 200 ms before any RTO could fire; the ACK of everything then ends recovery with nothing
        // more sent. The stack has no TCPFastRetrans counter: TcpRetransSegs is 1 and TCPTimeouts 0.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 14600));
        dialogue.TurnGsoOff(); // the peer's duplicate ACKs answer single segments, one per sk_buff
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.001, TcpFlags.Ack, 1, 1461, window: 65535);
        dialogue.Inject(2.002, TcpFlags.Ack, 1, 2921, window: 65535);
        dialogue.Inject(2.003, TcpFlags.Ack, 1, 4381, window: 65535);
        dialogue.Inject(2.004, TcpFlags.Ack, 1, 5841, window: 65535);
        dialogue.Inject(2.005, TcpFlags.Ack, 1, 5841, window: 65535);
        dialogue.Inject(2.006, TcpFlags.Ack, 1, 5841, window: 65535);
        dialogue.ExpectUntil(2.0065,
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
            """);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.RetransmittedSegments); // two duplicates are not enough

        dialogue.Inject(2.007, TcpFlags.Ack, 1, 5841, window: 65535);
        dialogue.Inject(2.008, TcpFlags.Ack, 1, 14601, window: 65535);
        dialogue.ExpectUntil(5.0,
            """
            2.007000 . seq 5841:7301 ack 1 win 64240 length 1460
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.RetransmittedSegments);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.Timeouts);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.LossProbes);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.FastRetransmits); // TcpExtTCPFastRetrans
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.SlowStartRetransmits);
    }

    private static IEnumerable<Step> SendAt(Sock socket, double at, int bytes)
    {
        yield return Script.Until(at);
        yield return socket.Send(bytes);
    }
}
