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

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(2.5);
        yield return socket.Send(1000);
        yield return socket.Recv();
    }
}
