using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 13 (behaviour 13, seed 000): the last ACK is lost, so the peer re-sends its FIN to a TIME-WAIT.</summary>
public sealed class TimeWaitFinExperimentTests
{
    [Fact]
    public void Time_wait_acks_every_retransmitted_fin_and_restarts_its_60_s_until_the_ack_gets_through()
    {
        // Proves behaviour 13 against tests/reference/kernel/13-seed000-time-wait-fin-heal.txt (loopback, seed
        // 000): the server closes first; its TIME-WAIT answers each of the client's retransmitted FINs with an
        // ACK (dropped by INPUT until 14 s) and restarts its 60 s; once the rule is gone the ACK reaches the
        // client, which closes; TIME-WAIT ends 60 s after the last FIN.
        var lab = Run(healAt: 14, "net.ipv4.tcp_orphan_retries=0");
        Expect.Lines(
            """
            0.000000 40000>60000 S seq ISN win 65495 [mss 65495,sackOK,TS,wscale 10]
            0.000000 60000>40000 S. seq ISN ack 1 win 65483 [mss 65495,sackOK,TS,wscale 10]
            0.000000 40000>60000 . ack 1 win 64 [TS]
            0.000000 60000>40000 F. seq 1 ack 1 win 64 [TS]
            0.004000 40000>60000 . ack 2 win 64 [TS]                # kernel 0.003795: a tick later (ato 0)
            3.000000 40000>60000 F. seq 1 ack 2 win 64 [TS]
            3.000000 60000>40000 . ack 2 win 64 [TS]                # dropped by INPUT
            3.204000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 3.203808
            3.204000 60000>40000 . ack 2 win 64 [TS]
            3.408000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 3.411816
            3.408000 60000>40000 . ack 2 win 64 [TS]
            3.816000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 3.835803
            3.816000 60000>40000 . ack 2 win 64 [TS]
            4.632000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 4.667778
            4.632000 60000>40000 . ack 2 win 64 [TS]
            6.264000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 6.331813
            6.264000 60000>40000 . ack 2 win 64 [TS]
            9.528000 40000>60000 F. seq 1 ack 2 win 64 [TS]         # kernel 9.755809
            9.528000 60000>40000 . ack 2 win 64 [TS]
            16.056000 40000>60000 F. seq 1 ack 2 win 64 [TS]        # kernel 16.411854
            16.056000 60000>40000 . ack 2 win 64 [TS]               # passes: the rule went at 13.0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "13-seed000-time-wait-fin-heal.txt");
        // ss lists in hash-table order on Linux (FIN-WAIT-2 first there); the snapshot orders by address.
        Assert.Equal(
            """
            CLOSE-WAIT 1 0 127.0.0.1:40000 127.0.0.1:60000
            FIN-WAIT-2 0 0 127.0.0.1:60000 127.0.0.1:40000 timer:(timewait,59sec,0)
            """,
            SsAt(lab, 2.0));
        Assert.Equal(
            """
            LAST-ACK 1 1 127.0.0.1:40000 127.0.0.1:60000 timer:(on,316ms,1)
            TIME-WAIT 0 0 127.0.0.1:60000 127.0.0.1:40000 timer:(timewait,59sec,0)
            """,
            SsAt(lab, 4.5)); // kernel at 4.637: on,180ms,1
        Assert.Equal("TIME-WAIT 0 0 127.0.0.1:60000 127.0.0.1:40000 timer:(timewait,004ms,0)", SsAt(lab, 77.052));
        Assert.Equal("", SsAt(lab, 77.057));
    }

    [Fact]
    public void Fin_arriving_after_time_wait_ended_gets_a_reset_without_ack()
    {
        // Proves behaviour 13 against tests/reference/kernel/13-seed000-time-wait-fin-stay.txt: with the rule
        // kept and tcp_orphan_retries=10 the client's FINs go on (12 in 216 s); each one up to 107 s restarts
        // the server's TIME-WAIT, which then ends 60 s after it; the FIN at 211.9 s finds nothing and gets R
        // with seq = the FIN's ack (server ISN + 2), no ACK flag.
        var lab = Run(healAt: null, "net.ipv4.tcp_orphan_retries=10");
        Expect.SameAsKernel(lab.Wire, "13-seed000-time-wait-fin-stay.txt");
        Assert.Equal("211.896000 60000>40000 R seq 2 win 0", lab.Wire.Text().Split('\n')[^1]);
        Assert.Equal("TIME-WAIT 0 0 127.0.0.1:60000 127.0.0.1:40000 timer:(timewait,4.448ms,0)", SsAt(lab, 164.0).Split('\n')[1]);
    }

    private static string SsAt(Lab lab, double seconds) =>
        string.Join('\n', lab.SsLog.Single(s => s.StartsWith($"### {Runtime.SimTime.FromSeconds(seconds)} ", StringComparison.Ordinal)).Split('\n').Skip(1));

    private static Lab Run(double? healAt, string clientSysctl)
    {
        var lab = Lab.Loopback(clientSysctl);
        var rule = new DropRule(HookPoint.Input, "INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP");
        lab.At(3, () => lab.AddRule(lab.Client, rule));
        if (healAt is { } heal)
        {
            lab.At(heal, () => lab.DeleteRule(lab.Client, rule));
        }

        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        foreach (double t in new[] { 2.0, 4.5, 77.052, 77.057, 164.0 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "box"));
        }

        lab.RunUntil(222);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("127.0.0.1:60000");
        yield return listener.Listen(8);
        yield return listener.Accept();
        yield return p.Accepted!.Close();
        yield return listener.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("127.0.0.1:40000");
        yield return socket.Connect("127.0.0.1:60000");
        yield return Script.Until(4.0);
        yield return socket.Close();
    }
}
