using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Dialogues;

/// <summary>
/// ICMP destination-unreachable errors about segments the socket sent, rule by rule of tcp_v4_err (hard errors
/// while opening, soft errors after, the sequence check, RFC 6069's RTO revert, errors met inside a call).
/// </summary>
public sealed class IcmpErrorDialogueTests
{
    [Fact]
    public void An_unreachable_for_the_syn_fails_connect_at_once()
    {
        // Proves tcp_v4_err in SYN-SENT: a host unreachable quoting the SYN, arriving after connect() went to
        // sleep, is a hard error: connect() fails EHOSTUNREACH at once and the SYN is not sent again.
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.InjectIcmp(1.01, IcmpUnreachableCode.HostUnreachable, 0);
        dialogue.ExpectUntil(5.0, "1.000000 S seq ISN win 64240");
        Assert.Equal("1.010 server connect(10.0.1.2:40000) -> EHOSTUNREACH", dialogue.Lab.Calls.Of("server").Split('\n')[^1]);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.AttemptFails);
    }

    [Fact]
    public void An_error_met_inside_the_connect_call_is_kept_as_the_soft_error_and_the_retransmitted_syns_error_fails_it()
    {
        // Proves the sock_owned_by_user branch of tcp_v4_err (TcpExtLockDroppedIcmps): an error that comes back
        // while connect() still holds the socket (here: at the instant of the call, as on a veth path, experiment
        // 30) only sets the soft error; the SYN goes again after 1 s and its error fails connect() ECONNREFUSED.
        var dialogue = Dialogue.WithConnect(1.0);
        dialogue.AnswerWithIcmp = IcmpUnreachableCode.PortUnreachable;
        dialogue.ExpectUntil(5.0,
            """
            1.000000 S seq ISN win 64240
            2.000000 S seq ISN win 64240
            """);
        Assert.Equal("2.000 server connect(10.0.1.2:40000) -> ECONNREFUSED", dialogue.Lab.Calls.Of("server").Split('\n')[^1]);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.LockDroppedIcmps);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.OutOfWindowIcmps);
    }

    [Fact]
    public void A_host_unreachable_for_an_rto_retransmission_undoes_one_backoff()
    {
        // Proves tcp_ld_RTO_revert (RFC 6069): the data's RTO is 204 ms (no SACK, so no loss probe); after the
        // first RTO retransmission the timer is at 408 ms, but a host unreachable quoting snd_una takes one
        // doubling back: 204 ms less the time since that retransmission rounded up to a jiffy (0.3 ms: 4 ms),
        // from the error's arrival, so the next one comes 200.3 ms after it (the kernel arms it from the error's
        // jiffy and its wheel fires a jiffy late: 204 ms apart in experiment 30). Without another error the
        // backoff doubles again (408 ms). An error before any RTO, one quoting a sequence number outside
        // [snd_una, snd_nxt] (TcpExtOutOfWindowIcmps), or a port unreachable changes no timer.
        var dialogue = Dialogue.WithListener(SendAt(2.0));
        dialogue.Connect(1.0);
        dialogue.InjectIcmp(2.0001, IcmpUnreachableCode.HostUnreachable, 1, 100);
        dialogue.InjectIcmp(2.2041, IcmpUnreachableCode.HostUnreachable, 500);
        dialogue.InjectIcmp(2.2042, IcmpUnreachableCode.PortUnreachable, 1, 100);
        dialogue.InjectIcmp(2.2043, IcmpUnreachableCode.HostUnreachable, 1, 100);
        dialogue.ExpectUntil(3.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            2.204000 P. seq 1:101 ack 1 win 64240 length 100
            2.404300 P. seq 1:101 ack 1 win 64240 length 100
            2.812300 P. seq 1:101 ack 1 win 64240 length 100
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.OutOfWindowIcmps);
    }

    [Fact]
    public void A_revert_whose_time_has_passed_retransmits_at_once()
    {
        // Proves tcp_ld_RTO_revert's other branch: the error arrives 296 ms after the RTO retransmission, later than
        // the reverted 204 ms, so tcp_retransmit_timer runs at once (and backs off again: next 408 ms later).
        var dialogue = Dialogue.WithListener(SendAt(2.0));
        dialogue.Connect(1.0);
        dialogue.InjectIcmp(2.5, IcmpUnreachableCode.HostUnreachable, 1, 100);
        dialogue.ExpectUntil(3.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 P. seq 1:101 ack 1 win 64240 length 100
            2.204000 P. seq 1:101 ack 1 win 64240 length 100
            2.500000 P. seq 1:101 ack 1 win 64240 length 100
            2.908000 P. seq 1:101 ack 1 win 64240 length 100
            """);
    }

    [Fact]
    public void An_unreachable_for_a_syn_ack_drops_the_request_silently()
    {
        // Proves tcp_req_err: a host unreachable quoting the SYN-ACK's own sequence number removes the request
        // socket (TcpExtListenDrops), so the SYN-ACK is not sent again at 2 s; accept() never returns.
        var dialogue = Dialogue.WithListener();
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460 });
        dialogue.InjectIcmp(1.1, IcmpUnreachableCode.HostUnreachable, 0);
        dialogue.ExpectUntil(5.0, "1.000000 S. seq ISN ack 1 win 64240");
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.ListenDrops);
        Assert.Equal("", Lab.SsText(dialogue.Lab.ServerStack.Snapshot()));
    }

    private static Func<ScriptedProcess, Sock, IEnumerable<Step>> SendAt(double at) => (_, socket) => Send(socket, at);

    private static IEnumerable<Step> Send(Sock socket, double at)
    {
        yield return Script.Until(at);
        yield return socket.Send(100);
    }
}
