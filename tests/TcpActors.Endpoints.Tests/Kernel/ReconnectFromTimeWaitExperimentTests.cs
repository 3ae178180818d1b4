using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 24 (recorded for this suite, behaviours 19 and 20): reconnecting from a port the client's own TIME-WAIT holds.</summary>
public sealed class ReconnectFromTimeWaitExperimentTests
{
    [Fact]
    public void Explicitly_bound_reconnect_reuses_the_time_wait_with_isn_old_snd_nxt_plus_65537()
    {
        // Proves LINUX-TCP.md B against tests/reference/kernel/24-reconnect-from-time-wait-reuseaddr.txt: with
        // SO_REUSEADDR on both sockets, bind() to the port of the client's own TIME-WAIT succeeds, and connect()
        // reuses the TIME-WAIT although tcp_tw_reuse (2) does not apply to this non-loopback path: an explicit
        // bind reuses any TIME-WAIT that saw timestamps; the new ISN is old snd_nxt + 65537 and the SYN's window
        // is rounded to the timestamped MSS (65160).
        var lab = Run(reuseAddress: true);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.000000 8080>40000 F. seq 1 ack 2 win 64 [TS]
            1.000000 40000>8080 . ack 2 win 63 [TS]
            2.000000 40000>8080 S seq ISN+65539 win 65160 [mss 1460,sackOK,TS,wscale 10]
            2.000000 8080>40000 S. seq ISN ack 65540 win 65160 [mss 1460,sackOK,TS,wscale 10]
            2.000000 40000>8080 . ack 1 win 64 [TS]
            2.000000 40000>8080 P. seq 65540:65550 ack 1 win 64 [TS] length 10
            2.000000 8080>40000 . ack 65550 win 64 [TS]
            2.000000 8080>40000 F. seq 1 ack 65550 win 64 [TS]
            2.004000 40000>8080 . ack 2 win 64 [TS]                      # kernel 2.001248: a tick later (ato 0)
            3.000000 40000>8080 F. seq 65550 ack 2 win 64 [TS]
            3.000000 8080>40000 . ack 65551 win 64 [TS]
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "24-reconnect-from-time-wait-reuseaddr.txt");
        Assert.Equal(1, lab.ClientStack.Counters.TimeWaitRecycled);
    }

    [Fact]
    public void Reconnect_without_so_reuseaddr_cannot_bind_the_time_wait_port()
    {
        // Proves behaviour 19 against tests/reference/kernel/24-reconnect-from-time-wait-plain.txt: without
        // SO_REUSEADDR the new socket's bind() to the TIME-WAIT's port fails EADDRINUSE.
        var lab = Run(reuseAddress: false);
        Expect.SameAsKernel(lab.Wire, "24-reconnect-from-time-wait-plain.txt");
        Assert.Contains("3.000 client2 bind(10.0.1.2:40000) -> EADDRINUSE", lab.Calls.Of("client2"), StringComparison.Ordinal);
    }

    private static Lab Run(bool reuseAddress)
    {
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, p => Client(p, reuseAddress));
        lab.Run("client2", lab.Client, p => SecondClient(p, reuseAddress));
        lab.RunUntil(5);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket(new SocketOptions { ReuseAddress = true });
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        for (int i = 0; i < 2; i++)
        {
            yield return listener.Accept();
            var connection = p.Accepted!;
            yield return connection.Recv();
            yield return connection.Close();
        }
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, bool reuseAddress)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket(new SocketOptions { ReuseAddress = reuseAddress });
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> SecondClient(ScriptedProcess p, bool reuseAddress)
    {
        yield return Script.Until(3.0);
        var socket = p.Socket(new SocketOptions { ReuseAddress = reuseAddress });
        yield return socket.Bind("10.0.1.2:40000");
        if (socket.LastErrno == Errno.None)
        {
            yield return socket.Connect("10.0.2.2:8080");
            if (socket.LastErrno == Errno.None)
            {
                yield return socket.Send(10);
                yield return Script.Until(4.0);
            }
        }

        yield return socket.Close();
    }
}
