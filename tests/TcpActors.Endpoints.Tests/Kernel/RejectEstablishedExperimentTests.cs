using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 59: iptables REJECT --reject-with tcp-reset against an established connection's data.</summary>
public sealed class RejectEstablishedExperimentTests
{
    [Fact]
    public void A_rejected_data_segment_resets_the_sender_and_leaves_the_receiver_half_open()
    {
        // Proves against tests/reference/kernel/59-reject-established.txt: the server host's netfilter answers the
        // client's 100 bytes with R at their ack (no ACK flag, no options), the client's rcv_nxt, so the client's
        // recv() fails with ECONNRESET at once; the server's socket saw nothing and stays ESTABLISHED until its own
        // data draws R from the client's host (ECONNRESET in its recv()).
        var lab = Lab.Routed();
        lab.At(1.5, () => lab.AddRule(lab.Server, new DropRule(HookPoint.Input, "INPUT -p tcp --dport 8080 -m length --length 53:65535 -j REJECT --reject-with tcp-reset")));
        lab.At(2.5, () => lab.Ss(lab.Server, "server (client reset)"));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(4);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.000000 8080>40000 R seq 1 win 0
            2.000000 8080>40000 P. seq 1:11 ack 1 win 64 [TS] length 10
            2.000000 40000>8080 R seq 1 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "59-reject-established.txt");
        Assert.Contains("2.000 client recv(65536) -> ECONNRESET", lab.Calls.Of("client"), StringComparison.Ordinal); // kernel 2.001
        Assert.Contains("3.000 server recv(65536) -> ECONNRESET", lab.Calls.Of("server"), StringComparison.Ordinal); // kernel 3.001
        Assert.Equal("ESTAB 0 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[0].Split('\n').Single(l => l.StartsWith("ESTAB", StringComparison.Ordinal)));
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return Script.Until(3.0);
        yield return connection.Send(10);
        yield return connection.Recv();
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(100);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
