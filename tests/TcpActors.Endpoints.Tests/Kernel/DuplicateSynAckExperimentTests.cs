using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 68: a duplicate SYN-ACK arriving at a socket that connect()ed, in ESTABLISHED and in TIME_WAIT.</summary>
public sealed class DuplicateSynAckExperimentTests
{
    [Fact]
    public void A_repeated_syn_ack_draws_one_ack_per_500_ms_in_established_and_in_time_wait()
    {
        // Proves against tests/reference/kernel/68-duplicate-synack.txt: the socket connect()s at 2.0 to a raw peer
        // (no timestamps) that repeats its SYN-ACK. In ESTABLISHED (a SYN below rcv_nxt: RFC 5961's challenge ACK,
        // tcp_invalid_ratelimit per socket) the repeat at 2.5 draws `. ack 1`, the one at 2.6 nothing, the one at 3.2
        // an ACK again; after 10 bytes, the ACK carries ack 11. In TIME_WAIT (a SYN with ACK out of the window:
        // tcp_timewait_check_oow_rate_limit) the same: ACK at 5.0, nothing at 5.1, ACK at 5.6; ss shows the
        // TIME-WAIT restarted (59sec at 5.3).
        var dialogue = Dialogue.WithConnect(2.0, Application);
        var lab = dialogue.Lab;
        var synAck = new TcpOptions { Mss = 1460, SackPermitted = true };
        const TcpFlags synAckFlags = TcpFlags.Syn | TcpFlags.Ack;
        dialogue.Inject(2.0004, synAckFlags, 0, 1, window: 65535, options: synAck);
        foreach (double t in new[] { 2.4998, 2.5998, 3.1999 })
        {
            dialogue.Inject(t, synAckFlags, 0, 1, window: 65535, options: synAck);
        }

        dialogue.Inject(3.4999, TcpFlags.Psh | TcpFlags.Ack, 1, 1, 10, window: 65535);
        dialogue.Inject(3.9999, synAckFlags, 0, 1, window: 65535, options: synAck);
        dialogue.Inject(4.5999, TcpFlags.Fin | TcpFlags.Ack, 11, 2, window: 65535);
        foreach (double t in new[] { 4.9998, 5.0998, 5.6 })
        {
            dialogue.Inject(t, synAckFlags, 0, 1, window: 65535, options: synAck);
        }

        lab.At(4.3, () => lab.Ss(lab.Server, "server"));
        lab.At(5.3, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(5.8);
        Expect.SameAsKernel(lab.Wire, "68-duplicate-synack.txt");
        Assert.Equal("ESTAB 0 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("TIME-WAIT 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(timewait,59sec,0)", lab.SsLog[1].Split('\n')[1]);
        Assert.Contains("3.500 server recv(65536) -> 10 bytes", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 3.501
    }

    private static IEnumerable<Step> Application(ScriptedProcess p, Sock socket)
    {
        yield return socket.Recv();
        yield return Script.Until(4.5);
        yield return socket.Close();
    }
}
