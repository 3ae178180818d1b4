using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 06 (behaviour 6): keepalive finds a peer whose answers are all lost.</summary>
public sealed class KeepaliveExperimentTests
{
    [Fact]
    public void Keepalive_probes_every_interval_after_idle_then_resets_and_fails_recv_with_etimedout()
    {
        // Proves behaviour 6 against tests/reference/kernel/06-keepalive.txt (TCP_KEEPIDLE 5, TCP_KEEPINTVL 2,
        // TCP_KEEPCNT 3): probes are ACKs with seq = snd_una - 1 and no data at 5, 7 and 9 s of idleness; at
        // idle + count × interval = 11 s the client sends R. (the one give-up path that resets) and the blocked
        // recv() returns ETIMEDOUT at that moment.
        var lab = Lab.Routed();
        lab.At(1.5, () => lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -j DROP")));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.At(1.6, () => lab.Ss(lab.Client, "client"));
        lab.At(6.1, () => lab.Ss(lab.Client, "client"));
        lab.RunUntil(25);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            5.000000 40000>8080 . ack 1 win 63 [TS]          # kernel 5.085799
            7.000000 40000>8080 . ack 1 win 63 [TS]          # kernel 7.097798
            9.000000 40000>8080 . ack 1 win 63 [TS]          # kernel 9.113797
            11.000000 40000>8080 R. seq 1 ack 1 win 63 [TS]  # kernel 11.129800
            """,
            lab.Wire.Text());
        Assert.Equal(0u, lab.Wire.Segments[3].Record.Seq - lab.Wire.Segments[2].Record.Seq + 1); // the probe is at snd_una - 1
        Expect.SameAsKernel(lab.Wire, "06-keepalive.txt");
        Expect.SameAsKernel(lab.ServerWire, "06-keepalive.txt", "wire-server", lab.Wire.Origin);
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client setsockopt(SO_KEEPALIVE 1, TCP_KEEPIDLE 5, TCP_KEEPINTVL 2, TCP_KEEPCNT 3) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            12.000 client recv(1000) -> ETIMEDOUT   # kernel 12.131
            12.000 client close() -> 0
            """,
            lab.Calls.Of("client"));
        Assert.Equal("ESTAB 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(keepalive,4.400ms,0)", lab.SsLog[0].Split('\n')[1]); // kernel 4.368ms at 1.630
        Assert.Equal("ESTAB 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(keepalive,1.900ms,1)", lab.SsLog[1].Split('\n')[1]); // kernel 1.960ms at 6.122
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.SetOptions("SO_KEEPALIVE 1, TCP_KEEPIDLE 5, TCP_KEEPINTVL 2, TCP_KEEPCNT 3", o => o with { KeepAlive = true, KeepIdleSeconds = 5, KeepIntervalSeconds = 2, KeepCount = 3 });
        yield return socket.Connect("10.0.2.2:8080");
        yield return socket.Recv(1000);
        yield return socket.Close();
    }
}
