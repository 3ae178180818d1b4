using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 56: RFC 5961 challenge ACKs of an established socket and their per-socket rate limit
/// (tcp_invalid_ratelimit), the ACK field's checks in tcp_ack (an ACK of unsent data and one below
/// snd_una − min(max_window, bytes_acked) are challenged and their data dropped), and an old ACK accepted in
/// FIN-WAIT-2 ("accept old ack during closing").
/// </summary>
public sealed class ChallengeAckExperimentTests
{
    [Fact]
    public void Invalid_segments_draw_rate_limited_challenge_acks_and_an_old_ack_is_accepted_while_closing()
    {
        // Proves against tests/reference/kernel/56-challenge-ack.txt: an in-window RST (seq 101) draws a challenge
        // ACK, a second one 200 ms later none (rate limit 500 ms), a SYN 600 ms later one; 100 bytes acking 2001
        // (not sent) and 100 bytes acking the ISN (1000 bytes ever acknowledged, so the bound is 1) each draw a
        // challenge ACK and are not taken (ack 1); the same bytes acking 1001 are taken (ack 101). After the
        // server's shutdown(SHUT_WR) and the peer's ACK of its FIN, data acking 1001 (below snd_una 1002) is taken
        // in FIN-WAIT-2 (ack 201), and the peer's FIN completes the close (TIME-WAIT).
        var dialogue = Dialogue.WithListener(Server);
        dialogue.Timestamps = true;
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1001 });
        dialogue.Inject(1.0003, TcpFlags.Ack, 1, 1, window: 65535);
        dialogue.Inject(1.6, TcpFlags.Ack, 1, 1001, window: 65535);
        dialogue.Inject(2.0, TcpFlags.Rst | TcpFlags.Ack, 101, 1001, window: 65535);
        dialogue.Inject(2.2, TcpFlags.Rst | TcpFlags.Ack, 201, 1001, window: 65535);
        dialogue.Inject(2.8, TcpFlags.Syn, 5001, window: 65535, options: new TcpOptions { HasTimestamps = true, TsVal = 2801, TsEcr = 0 });
        dialogue.Inject(3.4, TcpFlags.Psh | TcpFlags.Ack, 1, 2001, 100, window: 65535);
        dialogue.Inject(4.0, TcpFlags.Psh | TcpFlags.Ack, 1, 0, 100, window: 65535);
        dialogue.Inject(4.6, TcpFlags.Psh | TcpFlags.Ack, 1, 1001, 100, window: 65535);
        dialogue.Inject(5.1, TcpFlags.Ack, 101, 1002, window: 65535);
        dialogue.Inject(5.5, TcpFlags.Psh | TcpFlags.Ack, 101, 1001, 100, window: 65535);
        dialogue.Inject(6.0, TcpFlags.Fin | TcpFlags.Ack, 201, 1002, window: 65535);
        dialogue.Lab.RunUntil(6.5);
        Expect.SameAsKernel(dialogue.Lab.Wire, "56-challenge-ack.txt");
        Expect.Lines(
            """
            1.000 server accept() -> peer 10.0.1.2:40000
            1.500 server send(1000 bytes) -> 1000
            4.800 server recv(65536, MSG_DONTWAIT) -> 100 bytes
            5.000 server shutdown(SHUT_WR) -> 0
            5.800 server recv(65536, MSG_DONTWAIT) -> 100 bytes
            6.300 server recv(65536, MSG_DONTWAIT) -> 0 bytes
            """,
            string.Join('\n', dialogue.Lab.Calls.Of("server").Split('\n').Skip(2)));
        Assert.Equal(TcpState.TimeWait, dialogue.Lab.ServerStack.Snapshot().Single(s => s.State != TcpState.Listen).State);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(1.5);
        yield return socket.Send(1000);
        yield return Script.Until(4.8);
        yield return socket.RecvNoWait();
        yield return Script.Until(5.0);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return Script.Until(5.8);
        yield return socket.RecvNoWait();
        yield return Script.Until(6.3);
        yield return socket.RecvNoWait();
    }
}
