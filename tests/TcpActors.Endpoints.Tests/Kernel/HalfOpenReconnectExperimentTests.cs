using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 57: the client lost its state (close() with SO_LINGER {1,0}, its RST dropped by its own OUTPUT chain)
/// and the server still holds the connection ESTABLISHED.
/// </summary>
public sealed class HalfOpenReconnectExperimentTests
{
    [Fact]
    public void A_reconnect_from_the_same_port_resets_the_half_open_connection_and_resends_the_syn_at_once()
    {
        // Proves against tests/reference/kernel/57-half-open-reconnect-plain.txt: the new SYN from port 40000 meets the
        // server's ESTABLISHED socket, which answers with a challenge ACK (its snd_nxt, ack = the old rcv_nxt); the
        // SYN-SENT client answers that ACK with R at its ack number, which resets the old connection (the server's
        // recv() fails with ECONNRESET); and because the ACK was unacceptable before any retransmission, the client
        // re-arms its SYN timer at TCP_TIMEOUT_MIN (tcp_rcv_synsent_state_process: "previous FIN/ACK or RST/ACK
        // might be ignored"): the SYN goes again 8 ms later, not 1 s, and opens the new connection.
        // The new ISN is clock-driven on both (old ISN + about 2 s / 64 ns: kernel +31233629, simulator +31249999),
        // so the challenge ACK's ack and the RST's seq, printed against it, differ by that much; the capture is
        // compared with the kernel's up to the reconnect and line by line after it (kernel times in comments).
        var lab = Run("plain");
        Expect.SameAsKernel(lab.Wire, "57-half-open-reconnect-plain.txt", untilSeconds: 1.9);
        Expect.Lines(
            """
            2.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            2.000000 8080>40000 . ack -31249999 win 64 [TS]                             # kernel 1.998982, ack -31233628
            2.000000 40000>8080 R seq -31249999 win 0                                   # kernel 1.998993, seq -31233628
            2.008000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]      # kernel 2.007971
            2.008000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            2.008000 40000>8080 . ack 1 win 63 [TS]
            2.008000 40000>8080 P. seq 1:11 ack 1 win 63 [TS] length 10
            2.008000 8080>40000 . ack 11 win 64 [TS]
            2.008000 8080>40000 P. seq 1:11 ack 11 win 64 [TS] length 10
            2.008000 40000>8080 . ack 11 win 63 [TS]
            4.000000 40000>8080 F. seq 11 ack 11 win 63 [TS]                            # kernel 3.998678
            4.000000 8080>40000 F. seq 11 ack 12 win 64 [TS]
            4.000000 40000>8080 . ack 12 win 63 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(3)));
        Assert.Contains("3.000 server recv(65536) -> ECONNRESET", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 3.001
        Assert.Contains("3.008 client connect(10.0.2.2:8080) -> 0", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 3.010
    }

    [Fact]
    public void Data_to_the_lost_connection_draws_a_reset_and_the_reconnect_is_plain()
    {
        // Proves against tests/reference/kernel/57-half-open-reconnect-data.txt: the server's 10 bytes reach a host
        // with no socket for them: R at their ack number, ECONNRESET in the server's recv(); the reconnect at 3 s is
        // an ordinary handshake.
        var lab = Run("data");
        Expect.SameAsKernel(lab.Wire, "57-half-open-reconnect-data.txt");
        Assert.Contains("2.700 server recv(65536) -> ECONNRESET", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 2.701
    }

    private static Lab Run(string variant)
    {
        var lab = Lab.Routed();
        var dropResets = new DropRule(HookPoint.Output, "OUTPUT -p tcp --tcp-flags RST RST -j DROP");
        lab.At(1.5, () => lab.AddRule(lab.Client, dropResets));
        lab.At(2.5, () => lab.DeleteRule(lab.Client, dropResets));
        lab.Run("server", lab.Server, p => Server(p, variant));
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(6);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, string variant)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var first = p.Accepted!;
        if (variant == "data")
        {
            yield return Script.Until(2.7);
            yield return first.Send(10);
        }

        yield return first.Recv();
        yield return first.Close();
        yield return listener.Accept();
        var second = p.Accepted!;
        yield return second.Recv();
        yield return second.Send(10);
        yield return second.Recv();
        yield return second.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var first = p.Socket();
        yield return first.Bind("10.0.1.2:40000");
        yield return first.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return first.SetOptions("SO_LINGER {1,0}", o => o with { Linger = Linger.Abort });
        yield return first.Close();
        yield return Script.Until(3.0);
        var second = p.Socket();
        yield return second.Bind("10.0.1.2:40000");
        yield return second.Connect("10.0.2.2:8080");
        yield return second.Send(10);
        yield return second.Recv();
        yield return Script.Until(5.0);
        yield return second.Close();
    }
}
