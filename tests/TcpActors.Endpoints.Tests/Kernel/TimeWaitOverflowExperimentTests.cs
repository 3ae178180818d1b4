using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 58: tcp_max_tw_buckets=1 on the client, two connections closed by the client.</summary>
public sealed class TimeWaitOverflowExperimentTests
{
    [Fact]
    public void An_orphan_in_fin_wait2_beyond_tcp_max_tw_buckets_is_gone_and_the_peers_fin_gets_a_reset()
    {
        // Proves against tests/reference/kernel/58-time-wait-overflow.txt: the first orphan's FIN-WAIT-2 takes the one
        // timewait bucket (substate FIN-WAIT-2) and becomes TIME-WAIT on the server's FIN; the second finds none
        // (TCPTimeWaitOverflow) and is destroyed at once, so the server's FIN gets R (no socket) instead of an ACK,
        // and so do its retransmissions once the router lets the client's segments through again (the rule's times
        // are the kernel run's own).
        var lab = Lab.Routed(client: ["net.ipv4.tcp_max_tw_buckets=1"]);
        var rule = new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -p tcp --sport 40001 -j DROP");
        lab.At(3.211, () => lab.AddRule(lab.Router!, rule));
        lab.At(3.859, () => lab.Ss(lab.Client, "client"));
        lab.At(3.903, () => lab.DeleteRule(lab.Router!, rule));
        lab.At(5.280, () => lab.Ss(lab.Client, "client"));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(6);
        Expect.SameAsKernel(lab.Wire, "58-time-wait-overflow.txt");
        Assert.Equal(1, lab.ClientStack.Counters.TimeWaitOverflow);
        Assert.Equal(
            "TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,59sec,0)",
            string.Join('|', lab.SsLog[0].Split('\n').Skip(1).Where(l => l.Length > 0)));
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var a = p.Accepted!;
        yield return listener.Accept();
        var b = p.Accepted!;
        yield return a.Recv();
        yield return Script.Until(3.0);
        yield return a.Close();
        yield return b.Recv();
        yield return Script.Until(3.5);
        yield return b.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var a = p.Socket();
        yield return a.Bind("10.0.1.2:40000");
        yield return a.Connect("10.0.2.2:8080");
        var b = p.Socket();
        yield return b.Bind("10.0.1.2:40001");
        yield return b.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return a.Close();
        yield return Script.Until(2.5);
        yield return b.Close();
    }
}
