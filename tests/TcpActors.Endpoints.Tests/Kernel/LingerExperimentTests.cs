using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 17 (behaviour 17): close() with SO_LINGER {1,5}.</summary>
public sealed class LingerExperimentTests
{
    [Fact]
    public void Lingering_close_blocks_until_the_linger_time_and_returns_0_while_the_fin_goes_on_as_an_orphan()
    {
        // Proves behaviour 17 against tests/reference/kernel/17-linger-timeout-lost-ack.txt: with every segment
        // from the server dropped, close() blocks 5 s and returns 0 (Linux, not BSD's EWOULDBLOCK); the FIN's
        // retransmissions simply continue (the socket is now an orphan), the copy after the path healed is
        // ACKed with a D-SACK, and the client goes FIN-WAIT-2 → TIME-WAIT on the server's FIN.
        var lab = Run(lostAck: true);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.204000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 1.208384
            1.408000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 1.416425
            1.816000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 1.828372
            2.632000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 2.664384
            4.264000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 4.324365
            7.528000 40000>8080 F. seq 1 ack 1 win 63 [TS]                 # kernel 7.752392
            14.056000 40000>8080 F. seq 1 ack 1 win 63 [TS]                # kernel 14.408374
            14.056000 8080>40000 . ack 2 win 64 [TS,sack 1 {1:2}]
            19.000000 8080>40000 F. seq 1 ack 2 win 64 [TS]
            19.000000 40000>8080 . ack 2 win 63 [TS]
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "17-linger-timeout-lost-ack.txt");
        Assert.Contains("7.000 client close() -> 0", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 7.221 (blocked 5.22 s)
        Assert.Equal(
            [
                "FIN-WAIT-1 0 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,632ms,2)",    // kernel at 3.456: on,180ms,2
                "FIN-WAIT-1 0 1 10.0.1.2:40000 10.0.2.2:8080 timer:(on,1.028ms,4)",  // kernel at 7.745: on,836ms,4
                "FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,56sec,0)",
                "TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)", // kernel 58sec at 21.256
            ],
            lab.SsLog.Select(s => s.Split('\n')[1]));
    }

    [Fact]
    public void Lingering_close_returns_as_soon_as_the_fin_is_acknowledged()
    {
        // Proves behaviour 17 against tests/reference/kernel/17-linger-timeout-normal.txt: without loss close()
        // returns 0 once the FIN's ACK arrives (one tick later, the server never received data).
        var lab = Run(lostAck: false);
        Expect.SameAsKernel(lab.Wire, "17-linger-timeout-normal.txt");
        Assert.Contains("2.004 client close() -> 0", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 2.002
    }

    private static Lab Run(bool lostAck)
    {
        var lab = Lab.Routed();
        if (lostAck)
        {
            var rule = new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -j DROP");
            lab.At(1.5, () => lab.AddRule(lab.Router!, rule));
            lab.At(12, () => lab.DeleteRule(lab.Router!, rule));
            foreach (double t in new[] { 3.0, 7.5, 19.0, 21.0 })
            {
                lab.At(t, () => lab.Ss(lab.Client, "client"));
            }
        }

        lab.Run("server", lab.Server, p => Server(p, lostAck ? 20 : 4));
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(22);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, double closeAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return Script.Until(closeAt);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.SetOptions("SO_LINGER {1,5}", o => o with { Linger = new Linger(true, 5) });
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Close();
    }
}
