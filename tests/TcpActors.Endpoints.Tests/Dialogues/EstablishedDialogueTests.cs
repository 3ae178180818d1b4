using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>State-by-state dialogues with one server socket: the test plays the peer, segment by segment (packetdrill style).</summary>
public sealed class EstablishedDialogueTests
{
    [Fact]
    public void Handshake_without_options_gives_a_syn_ack_with_mss_only_and_an_unscaled_window()
    {
        // Proves the passive open against a peer without timestamps, SACK or window scaling (tcp_openreq_init_rwin):
        // the SYN-ACK offers 64240 (the 1460-byte MSS rounds 65536 down), later windows are not scaled, and
        // the window's right edge stays put as data arrives (tcp_select_window never shrinks it: 64240 − 100).
        var dialogue = Dialogue.WithListener(App(p => Recv(p)));
        dialogue.Connect(1.0);
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.ExpectUntil(1.2,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            """);
    }

    [Fact]
    public void Out_of_order_data_is_acked_at_once_with_a_sack_block_and_the_hole_filled_acks_everything()
    {
        // Proves tcp_data_queue's out-of-order path with SACK (RFC 2018): a segment beyond a hole is ACKed at
        // once with a SACK block for it, and the segment filling the hole is ACKed up to the end of both.
        var dialogue = Dialogue.WithListener(App(p => Recv(p)));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1);
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 101, 1, length: 100);
        dialogue.Inject(1.2, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.ExpectUntil(1.3,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 1 win 64240 sack {101:201}
            1.200000 . ack 201 win 64040
            """);
    }

    [Fact]
    public void Rst_in_the_window_but_not_at_rcv_nxt_draws_a_challenge_ack_and_one_at_rcv_nxt_resets()
    {
        // Proves RFC 5961 section 3 as tcp_validate_incoming applies it: an RST inside the window but not exactly
        // at rcv_nxt is answered with an ACK (rate-limited, one per 500 ms) and the connection stays; an RST at
        // rcv_nxt resets it, and the application's recv() fails ECONNRESET.
        var dialogue = Dialogue.WithListener(App(p => RecvAt(p, 3.0)));
        dialogue.Connect(1.0);
        dialogue.Inject(2.0, TcpFlags.Rst, 50);
        dialogue.Inject(2.1, TcpFlags.Rst, 60);
        dialogue.Inject(2.6, TcpFlags.Rst, 1);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240
            """);
        Assert.Contains("3.000 server recv(65536) -> ECONNRESET", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal);
    }

    [Fact]
    public void Syn_on_an_established_connection_draws_a_challenge_ack()
    {
        // Proves RFC 5961 section 4 (tcp_validate_incoming step 4): a SYN in a synchronized state is not a reset
        // but gets an ACK, and the connection goes on.
        var dialogue = Dialogue.WithListener(App(p => Recv(p)));
        dialogue.Connect(1.0);
        dialogue.Inject(2.0, TcpFlags.Syn, 5000, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 10);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240
            3.000000 . ack 11 win 64230
            """);
    }

    [Fact]
    public void Retransmitted_data_is_acked_at_once_with_a_duplicate_sack()
    {
        // Proves RFC 2883 as tcp_data_queue applies it: a segment wholly below rcv_nxt is ACKed at once with a
        // D-SACK block naming it (the first block of the option, below the cumulative ACK).
        var dialogue = Dialogue.WithListener(App(p => Recv(p)));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1);
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(2.0, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            2.000000 . ack 101 win 64140 sack {1:101}
            """);
    }

    [Fact]
    public void A_bare_fin_sent_right_after_data_arrived_does_not_make_the_connection_interactive()
    {
        // Proves tcp_event_data_sent runs only for a packet with data: the server answers a request with shutdown(SHUT_WR)
        // at once, a reply within ato of the data, but a bare FIN is no reply in Linux's sense, so no ping-pong mark,
        // and the peer's next data (the connection half-closed) is still ACKed at once in quick-ACK mode rather than
        // 40 ms later as an interactive connection's would be.
        var dialogue = Dialogue.WithListener(App(RecvThenShutdownWrite));
        dialogue.Connect(1.0);
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(1.15, TcpFlags.Ack, 101, 2);
        dialogue.Inject(1.2, TcpFlags.Psh | TcpFlags.Ack, 101, 2, length: 100);
        dialogue.ExpectUntil(1.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            1.100000 F. seq 1 ack 101 win 64140
            1.200000 . ack 201 win 64040
            """);
    }

    private static Func<ScriptedProcess, Sock, IEnumerable<Step>> App(Func<Sock, IEnumerable<Step>> steps) => (_, socket) => steps(socket);

    private static IEnumerable<Step> Recv(Sock socket)
    {
        yield return socket.Recv();
    }

    private static IEnumerable<Step> RecvThenShutdownWrite(Sock socket)
    {
        yield return socket.Recv();
        yield return socket.Shutdown(ShutdownHow.Write);
    }

    private static IEnumerable<Step> RecvAt(Sock socket, double at)
    {
        yield return Script.Until(at);
        yield return socket.Recv();
    }
}
