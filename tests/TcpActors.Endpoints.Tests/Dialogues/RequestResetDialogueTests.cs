using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// Dialogues with a request socket (SYN-RECV under a listener) that receives RSTs: RFC 5961 section 3.2 as Linux 6.18
/// applies it to requests (kernel-lab 67-request-rst), without timestamps (with them, 6.15+'s tsecr check takes
/// any segment echoing the TS val of such an ACK for out of the window: 67-request-rst-ts).
/// </summary>
public sealed class RequestResetDialogueTests
{
    private static readonly TcpOptions SynOptions = new() { Mss = 1460, SackPermitted = true };

    [Fact]
    public void An_rst_in_the_window_but_not_at_rcv_nxt_is_answered_with_an_ack_and_the_handshake_still_completes()
    {
        // An RST at 2 (rcv_nxt is 1) draws an ACK and leaves the request; the next within 500 ms nothing
        // (tcp_invalid_ratelimit, the request's last_oow_ack_time), one after it an ACK again; the ACK of the
        // SYN-ACK completes the handshake.
        var dialogue = Dialogue.WithListener();
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Rst | TcpFlags.Ack, 2, 1, window: 65535);
        dialogue.Inject(1.2, TcpFlags.Rst | TcpFlags.Ack, 2, 1, window: 65535);
        dialogue.Inject(1.7, TcpFlags.Rst | TcpFlags.Ack, 2, 1, window: 65535);
        dialogue.Inject(1.8, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.100000 . ack 1 win 64240
            1.700000 . ack 1 win 64240
            """);
        Assert.Contains("1.800 server accept() -> ", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.AttemptFails);
    }

    [Fact]
    public void An_rst_at_rcv_nxt_drops_the_request_even_when_it_acknowledges_something_else()
    {
        // The RST is taken before the ACK field is checked: the request is gone silently, and the ACK of the
        // SYN-ACK meets no socket (`R` at its ack).
        var dialogue = Dialogue.WithListener();
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(1.1, TcpFlags.Rst | TcpFlags.Ack, 1, 7, window: 65535);
        dialogue.Inject(1.2, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.ExpectUntil(2.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            1.200000 R seq 1 win 0
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.AttemptFails);
    }
}
