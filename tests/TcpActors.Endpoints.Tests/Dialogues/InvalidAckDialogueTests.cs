using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// Dialogues for ACK fields a socket cannot accept: in SYN-SENT (tcp_rcv_synsent_state_process) and in synchronized
/// states (tcp_ack's RFC 5961 5.2 bound, min(max_window, bytes_acked), and old ACKs in the closing states).
/// </summary>
public sealed class InvalidAckDialogueTests
{
    [Fact]
    public void An_unacceptable_ack_in_syn_sent_is_reset_and_the_syn_is_resent_after_timeout_min()
    {
        // tcp_rcv_synsent_state_process: an ACK that does not acknowledge our SYN gets R at its ack number and, no
        // retransmission having happened yet, the SYN's timer is brought forward to TCP_TIMEOUT_MIN (2 jiffies).
        // A second unacceptable ACK, after that retransmission, leaves the timer alone (1 s linear timeouts).
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.Inject(1.1, TcpFlags.Ack, 500, 7);
        dialogue.Inject(1.2, TcpFlags.Ack, 500, 7);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S seq ISN win 64240
            1.100000 R seq 7 win 0
            1.108000 S seq ISN win 64240
            1.200000 R seq 7 win 0
            2.108000 S seq ISN win 64240
            """);
    }

    [Fact]
    public void An_ack_below_snd_una_by_more_than_bytes_acked_is_challenged_and_its_data_dropped()
    {
        // tcp_ack: after 100 bytes were acknowledged, an ACK of the ISN lies below snd_una - min(max_window, 100)
        // and is challenged, its data not taken; the same data acking 51 (old, but within the bound) is taken.
        var dialogue = Dialogue.WithListener((p, socket) => SendThenRead(socket));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.001, TcpFlags.Ack, 1, 1, window: 64240);
        dialogue.Inject(1.6, TcpFlags.Ack, 1, 101, window: 64240);
        dialogue.Inject(2.0, TcpFlags.Psh | TcpFlags.Ack, 1, 0, 10, window: 64240);
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 1, 51, 10, window: 64240);
        dialogue.ExpectUntil(3.1,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.500000 P. seq 1:101 ack 1 win 64240 length 100
            2.000000 . ack 1 win 64240
            3.000000 . ack 11 win 64230
            """);
    }

    [Fact]
    public void An_old_ack_in_fin_wait2_is_accepted_with_its_data()
    {
        // "accept old ack during closing" (Linux 6.9): in FIN-WAIT-2 after shutdown(SHUT_WR), data acknowledging
        // less than snd_una (but within the bound) is taken and ACKed, not challenged.
        var dialogue = Dialogue.WithListener((p, socket) => ShutdownThenRead(socket));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.001, TcpFlags.Ack, 1, 1, window: 64240);
        dialogue.Inject(1.6, TcpFlags.Ack, 1, 101, window: 64240);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 102, window: 64240);
        dialogue.Inject(2.5, TcpFlags.Psh | TcpFlags.Ack, 1, 101, 10, window: 64240);
        dialogue.ExpectUntil(2.6,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.500000 P. seq 1:101 ack 1 win 64240 length 100
            2.000000 F. seq 101 ack 1 win 64240
            2.500000 . ack 11 win 64230
            """);
        Assert.Equal(TcpState.FinWait2, dialogue.Lab.ServerStack.Snapshot().Single(s => s.State != TcpState.Listen).State);
    }

    private static IEnumerable<Step> SendThenRead(Sock socket)
    {
        yield return Script.Until(1.5);
        yield return socket.Send(100);
        yield return Script.Until(10);
    }

    private static IEnumerable<Step> ShutdownThenRead(Sock socket)
    {
        yield return Script.Until(1.5);
        yield return socket.Send(100);
        yield return Script.Until(2.0);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return Script.Until(10);
    }
}
