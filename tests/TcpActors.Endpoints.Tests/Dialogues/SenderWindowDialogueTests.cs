using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// The sender's sk_buffs against a small window, with the test playing the peer (MSS 1460, no window scaling): the
/// server writes 5000 bytes at 2 s, which become sk_buffs of 1460, 1460, 1460 and 620 bytes.
/// </summary>
public sealed class SenderWindowDialogueTests
{
    [Fact]
    public void An_skb_that_does_not_fit_the_window_waits_and_the_probe_timer_sends_a_piece_with_psh()
    {
        // Proves tcp_snd_wnd_test, tcp_write_wakeup and forced_push: the 2920-byte window takes two segments, the
        // second marked PSH (2920 bytes written is more than half the largest window), and the loss probe sends it
        // again as the next sk_buff does not fit (tcp_send_loss_probe). With 540 bytes of window left
        // the third sk_buff (1460 bytes) waits rather than go out cut to the window, as long as data is in flight;
        // once nothing is (2.2 s), the probe timer (first expiry 216 ms later) sends the 540 bytes the window allows, with
        // PSH, and the rest of that
        // sk_buff keeps the mark. When the window opens that rest goes out, and Nagle then holds the short last
        // sk_buff (620 bytes, PSH from the end of the write) until the short segment before it is acknowledged.
        var dialogue = Dialogue.WithListener((_, socket) => SendAt(socket, 2.0, 5000));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 2920);
        dialogue.Inject(2.1, TcpFlags.Ack, 1, 1461, window: 2000);
        dialogue.Inject(2.2, TcpFlags.Ack, 1, 2921, window: 540);
        dialogue.Inject(2.42, TcpFlags.Ack, 1, 3461, window: 2920);
        dialogue.Inject(2.43, TcpFlags.Ack, 1, 4381, window: 2920);
        dialogue.Inject(2.44, TcpFlags.Ack, 1, 5001, window: 2920);
        dialogue.ExpectUntil(5.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . seq 1:1461 ack 1 win 64240 length 1460
            2.000000 P. seq 1461:2921 ack 1 win 64240 length 1460
            2.012000 P. seq 1461:2921 ack 1 win 64240 length 1460
            2.416000 P. seq 2921:3461 ack 1 win 64240 length 540
            2.420000 P. seq 3461:4381 ack 1 win 64240 length 920
            2.430000 P. seq 4381:5001 ack 1 win 64240 length 620
            """);
    }

    private static IEnumerable<Step> SendAt(Sock socket, double at, int bytes)
    {
        yield return Script.Until(at);
        yield return socket.Send(bytes);
    }
}
