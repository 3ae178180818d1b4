using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Connections;

/// <summary>
/// A request (SYN_RECV) whose SYN-ACK is never acknowledged, with a non-default tcp_synack_retries: the SYN-ACK
/// timer of reqsk_timer_handler / inet_rtx_syn_ack, starting at TCP_TIMEOUT_INIT and doubling.
/// </summary>
public sealed class SynAckRetriesTests
{
    [Fact]
    public void With_synack_retries_2_an_unanswered_syn_ack_is_resent_twice_and_the_request_then_dropped()
    {
        // Proves reqsk_timer_handler with tcp_synack_retries=2: the SYN-ACK answering a SYN at 1 s is resent 1 s
        // and 3 s later (timeouts of 1 s and 2 s) and no more; the next firing, 4 s after that (8 s), finds
        // num_timeout = max_retries and drops the request silently (no RST). An ACK arriving at 10 s then finds
        // only the listener, which answers it with a RST (tcp_rcv_state_process in LISTEN; no SYN cookie was sent).
        var dialogue = Dialogue.WithListener(serverSysctls: "net.ipv4.tcp_synack_retries=2");
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460 });
        dialogue.ExpectUntil(7.99,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 S. seq ISN ack 1 win 64240
            4.000000 S. seq ISN ack 1 win 64240
            """);
        Assert.Contains(dialogue.Lab.ServerStack.Snapshot(), s => s.State == TcpState.SynReceived);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.RetransmittedSegments);

        dialogue.ExpectUntil(8.01, "");
        Assert.DoesNotContain(dialogue.Lab.ServerStack.Snapshot(), s => s.State == TcpState.SynReceived);

        dialogue.Inject(10.0, TcpFlags.Ack, 1, 1);
        dialogue.ExpectUntil(40.0,
            """
            10.000000 R seq 1 win 0
            """);
    }
}
