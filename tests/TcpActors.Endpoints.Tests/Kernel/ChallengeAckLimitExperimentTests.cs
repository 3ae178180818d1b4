using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 62: what limits RFC 5961 challenge ACKs (tcp_send_challenge_ack): the per-socket tcp_invalid_ratelimit
/// for every trigger, data-carrying ones included; the per-namespace tcp_challenge_ack_limit; and an RST at the right
/// edge of the highest SACK block, which resets instead of being challenged.
/// </summary>
public sealed class ChallengeAckLimitExperimentTests
{
    private static readonly TcpOptions SynOptions = new() { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 2001 };

    [Fact]
    public void The_per_socket_limit_covers_challenges_for_data_and_an_rst_at_the_highest_sack_edge_resets()
    {
        // Proves against tests/reference/kernel/62-challenge-ack-limit-ratelimit.txt: 100 bytes acking 2001 (unsent)
        // draw a challenge ACK; the same 100 ms later none (the per-socket limit applies to a challenge whatever the
        // segment carries; before, the simulator exempted data as tcp_oow_rate_limited does for out-of-window
        // dupacks, and answered it); an in-window RST 200 ms after none. Out-of-order data is SACKed (ordinary ACKs);
        // an RST at 1101, the edge of the older block, is challenged; one at 1301, the highest SACK edge, resets
        // the connection (before: challenged too) and the server's recv() fails with ECONNRESET.
        var dialogue = Dialogue.WithListener(Server);
        dialogue.Timestamps = true;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(2.0003, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.6, TcpFlags.Ack, 1, 1001, window: 65535);
        dialogue.Inject(3.0, TcpFlags.Psh | TcpFlags.Ack, 1, 2001, 100, window: 65535);
        dialogue.Inject(3.1, TcpFlags.Psh | TcpFlags.Ack, 1, 2001, 100, window: 65535);
        dialogue.Inject(3.2, TcpFlags.Rst | TcpFlags.Ack, 101, 1001, window: 65535);
        dialogue.Inject(3.7, TcpFlags.Psh | TcpFlags.Ack, 1001, 1001, 100, window: 65535);
        dialogue.Inject(3.8, TcpFlags.Psh | TcpFlags.Ack, 1201, 1001, 100, window: 65535);
        dialogue.Inject(4.4, TcpFlags.Rst | TcpFlags.Ack, 1101, 1001, window: 65535);
        dialogue.Inject(4.5, TcpFlags.Rst | TcpFlags.Ack, 1301, 1001, window: 65535);
        dialogue.Lab.RunUntil(5.0);
        Expect.SameAsKernel(dialogue.Lab.Wire, "62-challenge-ack-limit-ratelimit.txt");
        Expect.Lines(
            """
            1.000000 40000>8080 P. seq 1:101 ack 2001 win 65535 [TS] length 100
            1.000000 8080>40000 . ack 1 win 65160 [TS]
            1.100000 40000>8080 P. seq 1:101 ack 2001 win 65535 [TS] length 100
            1.200000 40000>8080 R. seq 101 ack 1001 win 65535 [TS]
            """,
            string.Join('\n', dialogue.Lab.Wire.Text().Split('\n').Skip(5).Take(4)));
        Assert.Contains("4.500 server recv(65536) -> ECONNRESET", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 4.501
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.ChallengeAcks);
    }

    [Fact]
    public void Tcp_challenge_ack_limit_is_shared_by_the_namespace_s_sockets_each_second()
    {
        // Proves against tests/reference/kernel/62-challenge-ack-limit-limit1.txt (server: tcp_challenge_ack_limit=1,
        // tcp_invalid_ratelimit=0, so only the namespace limits): of three in-window RSTs within 40 ms on two
        // connections only the first draws a challenge ACK; 1.5 s later, in another second, B's SYN draws one and
        // A's, 20 ms after it, none (before: no namespace limit, five challenge ACKs).
        var dialogue = Dialogue.WithListener(null, "net.ipv4.tcp_challenge_ack_limit=1", "net.ipv4.tcp_invalid_ratelimit=0");
        dialogue.Timestamps = true;
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(2.0004, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.2, TcpFlags.Syn, 0, window: 64240, options: SynOptions with { TsVal = 2201 }, peerPort: 40001);
        dialogue.Inject(2.2005, TcpFlags.Ack, 1, 1, window: 65535, peerPort: 40001);
        dialogue.Inject(3.50, TcpFlags.Rst | TcpFlags.Ack, 101, 1, window: 65535);
        dialogue.Inject(3.52, TcpFlags.Rst | TcpFlags.Ack, 201, 1, window: 65535);
        dialogue.Inject(3.54, TcpFlags.Rst | TcpFlags.Ack, 101, 1, window: 65535, peerPort: 40001);
        var synTimestamp = new TcpOptions { HasTimestamps = true, TsVal = 5001 };
        dialogue.Inject(5.00, TcpFlags.Syn, 5001, window: 65535, options: synTimestamp, peerPort: 40001);
        dialogue.Inject(5.02, TcpFlags.Syn, 5001, window: 65535, options: synTimestamp with { TsVal = 5021 });
        dialogue.Lab.RunUntil(5.4);
        Expect.SameAsKernel(dialogue.Lab.Wire, "62-challenge-ack-limit-limit1.txt", untilSeconds: 3.3);
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.ChallengeAcks);
    }

    [Fact]
    public void A_request_socket_rate_limits_its_answers_and_resets_on_a_bad_ack_a_new_syn_or_an_rst()
    {
        // Proves against tests/reference/kernel/62-challenge-ack-limit-request.txt what a request socket (SYN-RECV,
        // tcp_check_req) does with the segments of a peer that never completes the handshake: out-of-window data is
        // ACKed (tcp_oow_rate_limited lets data through), an out-of-window bare ACK too, once (it stamps the request's
        // last_oow_ack_time), the next 50 ms later not; an ACK of something else than the SYN-ACK draws `R` at its
        // ack; the repeated SYN 250 ms after the stamp gets no SYN-ACK (the same limit), 650 ms after it one; an
        // in-window SYN other than the first resets the request (`R.` seq 0, ack past it) and its later ACK meets
        // no request (`R`); an RST at rcv_nxt drops the request silently, so the ACK after it gets `R` as well.
        var dialogue = Dialogue.WithListener();
        var syn = new TcpOptions { Mss = 1460, SackPermitted = true };
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: syn);
        dialogue.Inject(2.0003, TcpFlags.Syn, 0, window: 64240, options: syn, peerPort: 40001);
        dialogue.Inject(2.10, TcpFlags.Psh | TcpFlags.Ack, 100001, 1, 10, window: 65535);
        dialogue.Inject(2.15, TcpFlags.Ack, 100001, 1, window: 65535);
        dialogue.Inject(2.20, TcpFlags.Ack, 100001, 1, window: 65535);
        dialogue.Inject(2.30, TcpFlags.Ack, 1, 5, window: 65535);
        dialogue.Inject(2.40, TcpFlags.Syn, 0, window: 64240, options: syn);
        dialogue.Inject(2.50, TcpFlags.Syn, 10, window: 65535, peerPort: 40001);
        dialogue.Inject(2.70, TcpFlags.Ack, 1, 1, window: 65535, peerPort: 40001);
        dialogue.Inject(2.80, TcpFlags.Syn, 0, window: 64240, options: syn);
        dialogue.Inject(3.00, TcpFlags.Rst | TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(3.20, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Lab.RunUntil(3.5);
        // The reset of B's second SYN carries seq 0 (tcp_v4_send_reset for a segment without ACK), which the relative
        // rendering shows as minus the socket's ISN, a number of each run; it is checked as it is sent instead.
        static bool ResetOfTheSecondSyn(WireRecord r) => r.Flags == (TcpFlags.Rst | TcpFlags.Ack) && r.Destination.Port == 40001;
        Expect.SameAsKernel(dialogue.Lab.Wire, "62-challenge-ack-limit-request.txt", only: r => !ResetOfTheSecondSyn(r));
        var reset = dialogue.Lab.Wire.Segments.Single(s => ResetOfTheSecondSyn(s.Record)).Record;
        Assert.Equal((0u, Dialogue.PeerIsn + 11), (reset.Seq, reset.Ack)); // kernel: seq 0 (tcpdump prints 457981480, 2^32 − ISN), ack 11
        Assert.Equal(2, dialogue.Lab.ServerStack.Counters.AttemptFails); // TCP_MIB_ATTEMPTFAILS: the SYN and the RST
    }

    [Fact]
    public void A_segment_failing_paws_draws_a_rate_limited_duplicate_ack_unless_it_is_an_old_ack()
    {
        // Proves against tests/reference/kernel/62-challenge-ack-limit-paws.txt (Linux 6.14+'s PAWS checks): segments
        // whose TS val (1000) is older than ts_recent (2701) are dropped; a bare ACK below rcv_nxt is an old ACK
        // (tcp_disordered_ack_check's PAWS_ACK: PAWSOldAck, no duplicate ACK); a bare ACK at rcv_nxt draws a duplicate
        // ACK and stamps the per-socket limit, 10 bytes draw one too (data passes tcp_oow_rate_limited), the next bare
        // ACK none; an RST at rcv_nxt resets the connection despite PAWS (recv(): ECONNRESET).
        var dialogue = Dialogue.WithListener(PawsServer);
        dialogue.Timestamps = true;
        var old = new TcpOptions { HasTimestamps = true, TsVal = 1000 };
        dialogue.Inject(2.0, TcpFlags.Syn, 0, window: 64240, options: SynOptions);
        dialogue.Inject(2.0003, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(2.6, TcpFlags.Ack, 1, 1001, window: 65535);
        dialogue.Inject(2.7, TcpFlags.Psh | TcpFlags.Ack, 1, 1001, 100, window: 65535);
        dialogue.Inject(3.0, TcpFlags.Ack, 1, 1001, window: 65535, options: old);
        dialogue.Inject(3.1, TcpFlags.Ack, 101, 1001, window: 65535, options: old);
        dialogue.Inject(3.2, TcpFlags.Psh | TcpFlags.Ack, 101, 1001, 10, window: 65535, options: old);
        dialogue.Inject(3.3, TcpFlags.Ack, 101, 1001, window: 65535, options: old);
        dialogue.Inject(4.0, TcpFlags.Rst | TcpFlags.Ack, 101, 1001, window: 65535, options: old);
        dialogue.Lab.RunUntil(4.5);
        Expect.SameAsKernel(dialogue.Lab.Wire, "62-challenge-ack-limit-paws.txt");
        Assert.Contains("4.000 server recv(65536) -> ECONNRESET", dialogue.Lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 4.000
    }

    private static IEnumerable<Step> PawsServer(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(2.5);
        yield return socket.Send(1000);
        yield return socket.Recv();
        yield return socket.Recv();
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(2.5);
        yield return socket.Send(1000);
        yield return socket.Recv();
    }
}
