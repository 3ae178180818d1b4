using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>PAWS in a synchronized state (tcp_paws_discard, tcp_disordered_ack_check of Linux 6.14+).</summary>
public sealed class PawsDialogueTests
{
    [Fact]
    public void A_reordered_duplicate_ack_within_the_replay_window_is_taken_and_an_older_one_answered()
    {
        // ts_recent is 1601 (the peer's ACK at 1.6). A bare duplicate ACK at rcv_nxt changing no window with TS val
        // 1500 is a disordered ACK (101 ticks behind, within rto × 1200 / HZ = 244 for the 204 ms RTO): taken, no
        // answer. With TS val 1000 (601 behind) it fails PAWS: a duplicate ACK. With 1600 (one tick behind) it is
        // inside TCP_PAWS_WINDOW: taken, no answer (the duplicate ACK's limit would not have held it, 500 ms later).
        var dialogue = Dialogue.WithListener((p, socket) => Send(socket));
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, HasTimestamps = true, TsVal = 1001 });
        dialogue.Inject(1.001, TcpFlags.Ack, 1, 1, window: 64240);
        dialogue.Inject(1.6, TcpFlags.Ack, 1, 101, window: 64240);
        dialogue.Inject(2.0, TcpFlags.Ack, 1, 101, window: 64240, options: new TcpOptions { HasTimestamps = true, TsVal = 1500 });
        dialogue.Inject(2.5, TcpFlags.Ack, 1, 101, window: 64240, options: new TcpOptions { HasTimestamps = true, TsVal = 1000 });
        dialogue.Inject(3.1, TcpFlags.Ack, 1, 101, window: 64240, options: new TcpOptions { HasTimestamps = true, TsVal = 1600 });
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 65160
            1.500000 P. seq 1:101 ack 1 win 65160 length 100
            2.500000 . ack 1 win 65160
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.PawsRejected);
    }

    private static IEnumerable<Step> Send(Sock socket)
    {
        yield return Script.Until(1.5);
        yield return socket.Send(100);
    }
}
