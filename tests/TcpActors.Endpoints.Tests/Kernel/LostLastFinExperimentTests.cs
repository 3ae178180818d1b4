using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 12 (behaviour 12): the passive closer's FIN is lost; LAST-ACK re-sends it.</summary>
public sealed class LostLastFinExperimentTests
{
    [Fact]
    public void Lost_last_fin_is_resent_from_last_ack_until_the_path_heals_and_the_client_then_enters_time_wait()
    {
        // Proves behaviour 12 against tests/reference/kernel/12-lost-last-fin-heal.txt: the orphaned LAST-ACK
        // server re-sends its FIN (probe at +0.204, RTO doubling from +0.408); the copy after the rule went
        // reaches the client in FIN-WAIT-2, which ACKs it and enters TIME-WAIT.
        var lab = Run(healAt: 8.0);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]
            2.000000 8080>40000 F. seq 1 ack 2 win 64 [TS]
            2.204000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 2.204415: loss probe
            2.408000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 2.412406
            2.816000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 2.828389
            3.632000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 3.660431
            5.264000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 5.324393
            8.528000 8080>40000 F. seq 1 ack 2 win 64 [TS]         # kernel 8.684410: the rule went at 7.0
            8.528000 40000>8080 . ack 2 win 63 [TS]
            """,
            lab.ServerWire.Text(lab.Wire.Origin));
        Expect.SameAsKernel(lab.Wire, "12-lost-last-fin-heal.txt");
        Expect.SameAsKernel(lab.ServerWire, "12-lost-last-fin-heal.txt", "wire-server", lab.Wire.Origin);
        Assert.Equal("LAST-ACK 0 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,316ms,1)", lab.SsLog[1].Split('\n')[1]); // kernel 028ms at 3.789
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,55sec,0)", lab.SsLog[2].Split('\n')[1]); // kernel 55sec at 14.135 too
    }

    [Fact]
    public void Lost_last_fin_forever_ends_last_ack_silently_after_the_orphan_budget()
    {
        // Proves behaviour 12 against tests/reference/kernel/12-lost-last-fin-forever.txt: ten FINs (one probe,
        // eight RTO retransmissions) within the orphan budget, then LAST-ACK disappears without an RST; the
        // client's own FIN-WAIT-2 has expired on its own 60 s after its FIN was acknowledged.
        var lab = Run(healAt: null);
        Expect.SameAsKernel(lab.Wire, "12-lost-last-fin-forever.txt");
        Expect.SameAsKernel(lab.ServerWire, "12-lost-last-fin-forever.txt", "wire-server", lab.Wire.Origin);
        Assert.Equal("LAST-ACK 0 1 10.0.2.2:8080 10.0.1.2:40000 timer:(on,4.448ms,8)", lab.SsLog.Single(s => s.Contains("at 103", StringComparison.Ordinal)).Split('\n')[1]);
        Assert.Equal("", lab.SsLog.Single(s => s.Contains("at 108", StringComparison.Ordinal)).Split('\n')[1]);
    }

    private static Lab Run(double? healAt)
    {
        var lab = Lab.Routed();
        var rule = lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -p tcp --tcp-flags FIN FIN -j DROP"));
        if (healAt is { } heal)
        {
            lab.At(heal, () => lab.DeleteRule(lab.Router!, rule));
        }

        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.At(3.5, () => lab.Ss(lab.Client, "client"));
        lab.At(3.5, () => lab.Ss(lab.Server, "server"));
        lab.At(14, () => lab.Ss(lab.Client, "client"));
        lab.At(103, () => lab.Ss(lab.Server, "server at 103"));
        lab.At(108, () => lab.Ss(lab.Server, "server at 108"));
        lab.RunUntil(125);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return Script.Until(3.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Close();
    }
}
