using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// Which ACKs a socket marks as duplicate ACKs (Segment.DuplicateAck, shown as <c>(dup)</c>): those sent at
/// once for a segment that advanced nothing, when they repeat the acknowledgement number and window of the
/// socket's previous segment. The peer is played by the test; every segment the socket sends is listed.
/// </summary>
public sealed class DuplicateAckDialogueTests
{
    private static readonly TcpOptions s_sackOnly = new() { Mss = 1460, SackPermitted = true };

    [Fact]
    public void Acks_for_out_of_order_data_are_duplicates_until_the_hole_is_filled()
    {
        // Proves the out-of-order path: the first ACK (new data) is not a duplicate, each ACK for a segment
        // beyond the hole repeats ack 101 and the window and is one (SACK blocks growing), and the ACK that
        // the filled hole moves to 401 is not.
        var dialogue = WithSack(App(p => Recv(p)));
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(1.2, TcpFlags.Psh | TcpFlags.Ack, 201, 1, length: 100);
        dialogue.Inject(1.3, TcpFlags.Psh | TcpFlags.Ack, 301, 1, length: 100);
        dialogue.Inject(1.4, TcpFlags.Psh | TcpFlags.Ack, 101, 1, length: 100);
        dialogue.ExpectUntil(1.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            1.200000 . ack 101 win 64140 sack {201:301} (dup)
            1.300000 . ack 101 win 64140 sack {201:401} (dup)
            1.400000 . ack 401 win 63840
            """);
    }

    [Fact]
    public void The_ack_for_a_retransmission_of_received_data_is_a_duplicate_with_its_d_sack()
    {
        // Proves RFC 2883's case: data wholly below rcv_nxt draws an immediate ACK that repeats the last one
        // (a D-SACK names the duplicate), and a second copy draws another.
        var dialogue = WithSack(App(p => Recv(p)));
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(2.0, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            2.000000 . ack 101 win 64140 sack {1:101} (dup)
            3.000000 . ack 101 win 64140 sack {1:101} (dup)
            """);
    }

    [Fact]
    public void A_challenge_ack_repeating_the_syn_ack_is_a_duplicate_and_the_next_data_ack_is_not()
    {
        // Proves the challenge-ACK path (RFC 5961 section 4): the ACK for a SYN on an established connection
        // repeats ack 1 and window 64240 of the SYN-ACK, so it is a duplicate ACK; the ACK of new data is not.
        var dialogue = WithSack(App(p => Recv(p)));
        dialogue.Inject(2.0, TcpFlags.Syn, 5000, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 10);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240 (dup)
            3.000000 . ack 11 win 64230
            """);
    }

    [Fact]
    public void An_out_of_window_segment_draws_a_duplicate_ack_and_in_order_data_after_a_delay_does_not()
    {
        // Proves the tcp_sequence failure path (tcp_send_dupack): a segment entirely below the window is
        // answered with a duplicate of the last ACK; in-order data later is ACKed with a new number.
        var dialogue = WithSack(App(p => Recv(p)));
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(2.0, TcpFlags.Ack, 1, 1);
        dialogue.Inject(2.6, TcpFlags.Psh | TcpFlags.Ack, 101, 1, length: 50);
        dialogue.ExpectUntil(3.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            2.000000 . ack 101 win 64140 (dup)
            2.600000 . ack 151 win 64090
            """);
    }

    [Fact]
    public void An_immediate_ack_that_also_acknowledges_new_data_is_not_a_duplicate()
    {
        // Proves the "repeats the previous ACK" half of the rule: once the reply made the connection
        // interactive, in-order data waits for a delayed ACK; an out-of-order segment then sends the ACK at
        // once, but its number (201) is new, so it is an ordinary ACK; the next out-of-order one repeats it.
        // (The reply's data segment repeats ack 101 too, but only a bare ACK can be a duplicate ACK.)
        var dialogue = WithSack(App(RecvThenReply));
        dialogue.Inject(1.1, TcpFlags.Psh | TcpFlags.Ack, 1, 1, length: 100);
        dialogue.Inject(1.2, TcpFlags.Psh | TcpFlags.Ack, 101, 11, length: 100);
        dialogue.Inject(1.21, TcpFlags.Psh | TcpFlags.Ack, 301, 11, length: 100);
        dialogue.Inject(1.22, TcpFlags.Psh | TcpFlags.Ack, 401, 11, length: 100);
        dialogue.ExpectUntil(1.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 101 win 64140
            1.100000 P. seq 1:11 ack 101 win 64140 length 10
            1.210000 . ack 201 win 64040 sack {301:401}
            1.220000 . ack 201 win 64040 sack {301:501} (dup)
            """);
    }

    private static Dialogue WithSack(Func<ScriptedProcess, Sock, IEnumerable<Step>> application)
    {
        var dialogue = Dialogue.WithListener(application);
        dialogue.ShowDuplicateAcks = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: s_sackOnly);
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1);
        return dialogue;
    }

    private static Func<ScriptedProcess, Sock, IEnumerable<Step>> App(Func<Sock, IEnumerable<Step>> steps) => (_, socket) => steps(socket);

    private static IEnumerable<Step> Recv(Sock socket)
    {
        yield return socket.Recv();
    }

    private static IEnumerable<Step> RecvThenReply(Sock socket)
    {
        yield return socket.Recv();
        yield return socket.Send(10);
        yield return socket.Recv();
    }
}
