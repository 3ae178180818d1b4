using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// Dialogues with a socket that connect()ed and met a crossing SYN (RFC 9293 3.5, figure 8): SYN-SENT, then
/// SYN-RECV as a full socket, then ESTABLISHED on the peer's SYN-ACK or ACK (tcp_rcv_synsent_state_process,
/// tcp_validate_incoming, tcp_rcv_state_process).
/// </summary>
public sealed class SimultaneousOpenDialogueTests
{
    private static readonly TcpOptions SynOptions = new() { Mss = 1460, SackPermitted = true };

    [Fact]
    public void The_peers_syn_ack_completes_the_open_and_is_acked_with_a_dsack_for_its_syn()
    {
        // Proves the crossing-SYN-ACK rule of tcp_validate_incoming: in SYN-RECV, a SYN-ACK that repeats the
        // peer's SYN (seq + 1 = rcv_nxt), carries nothing else and acknowledges our SYN-ACK is not challenged;
        // the socket becomes ESTABLISHED, connect() returns, and tcp_data_queue ACKs the repeated SYN at once
        // with a D-SACK block for it (experiment 29: `. ack 1 [sack 1 {0:1}]`).
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.Inject(1.05, TcpFlags.Syn, 0, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Syn | TcpFlags.Ack, 0, 1, options: SynOptions);
        dialogue.ExpectUntil(1.2,
            """
            1.000000 S seq ISN win 64240
            1.050000 S. seq ISN ack 1 win 64240
            1.100000 . ack 1 win 64240 sack {0:1}
            """);
        Assert.Equal("1.100 server connect(10.0.1.2:40000) -> 0", dialogue.Lab.Calls.Of("server").Split('\n')[^1]);
    }

    [Fact]
    public void A_bare_ack_of_our_syn_ack_completes_the_open_without_a_reply()
    {
        // Proves tcp_rcv_state_process's TCP_SYN_RECV case for a socket that connect()ed: an ACK acknowledging our
        // SYN-ACK makes it ESTABLISHED and connect() returns; nothing is sent (experiment 29, lost-synack: the
        // server completed on the client's challenge ACK).
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.Inject(1.05, TcpFlags.Syn, 0, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Ack, 1, 1);
        dialogue.ExpectUntil(1.2,
            """
            1.000000 S seq ISN win 64240
            1.050000 S. seq ISN ack 1 win 64240
            """);
        Assert.Equal("1.100 server connect(10.0.1.2:40000) -> 0", dialogue.Lab.Calls.Of("server").Split('\n')[^1]);
    }

    [Fact]
    public void A_syn_ack_that_does_not_acknowledge_our_syn_ack_is_challenged_and_the_socket_stays_in_syn_recv()
    {
        // Proves the limits of the crossing-SYN-ACK rule: a SYN-ACK whose ACK is not snd_nxt is a SYN in a
        // synchronized state, answered with a challenge ACK (RFC 5961 4.2); connect() is still waiting.
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.Inject(1.05, TcpFlags.Syn, 0, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Syn | TcpFlags.Ack, 0, 0, options: SynOptions);
        dialogue.ExpectUntil(1.2,
            """
            1.000000 S seq ISN win 64240
            1.050000 S. seq ISN ack 1 win 64240
            1.100000 . ack 1 win 64240
            """);
        Assert.Equal("0.000 server bind(10.0.2.2:8080) -> 0", dialogue.Lab.Calls.Of("server"));
        Assert.StartsWith("SYN-RECV 0 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,", Lab.SsText(dialogue.Lab.ServerStack.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ack_beyond_snd_nxt_in_syn_recv_is_answered_with_a_reset()
    {
        // Proves tcp_rcv_state_process's step 5 in SYN-RECV: tcp_ack with FLAG_NO_CHALLENGE_ACK refuses an ACK for
        // data never sent, and the segment gets one reset (R, seq = its ack) instead of a challenge ACK; the socket
        // stays in SYN-RECV, and the peer's proper ACK then completes the open.
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.Inject(1.05, TcpFlags.Syn, 0, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Ack, 1, 5);
        dialogue.Inject(1.2, TcpFlags.Ack, 1, 1);
        dialogue.ExpectUntil(1.3,
            """
            1.000000 S seq ISN win 64240
            1.050000 S. seq ISN ack 1 win 64240
            1.100000 R seq 5 win 0
            """);
        Assert.Equal("1.200 server connect(10.0.1.2:40000) -> 0", dialogue.Lab.Calls.Of("server").Split('\n')[^1]);
    }
}
