using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 07 (behaviours 7 and 16): close() that resets instead of sending a FIN.</summary>
public sealed class CloseWithResetExperimentTests
{
    [Fact]
    public void Close_with_unread_data_sends_a_reset_acknowledging_the_unread_bytes_and_leaves_no_time_wait()
    {
        // Proves behaviours 7 and 16 against tests/reference/kernel/07-close-rst-unread.txt: close() with 100
        // unread bytes sends R. seq 1 ack 101 (with timestamps, like any segment of the connection) instead
        // of a FIN; no socket is left on the client; the server's recv() gets ECONNRESET, its sends EPIPE.
        var lab = Run(unread: true);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            0.500000 8080>40000 P. seq 1:101 ack 1 win 64 [TS] length 100
            0.500000 40000>8080 . ack 101 win 63 [TS]
            1.000000 40000>8080 R. seq 1 ack 101 win 63 [TS]
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "07-close-rst-unread.txt");
        Expect.Lines(
            """
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            1.000 server accept() -> peer 10.0.1.2:40000
            1.500 server send(100 bytes) -> 100
            3.000 server recv(1000) -> ECONNRESET
            3.500 server send(10 bytes) -> EPIPE
            4.000 server send(10 bytes) -> EPIPE
            4.000 server close() -> 0
            """,
            lab.Calls.Of("server"));
        Assert.Equal("ESTAB 100 0 10.0.1.2:40000 10.0.2.2:8080", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("", lab.SsLog[1].Split('\n')[1]);
    }

    [Fact]
    public void Close_with_linger_zero_sends_a_reset_and_leaves_no_time_wait()
    {
        // Proves behaviour 7 against tests/reference/kernel/07-close-rst-linger0.txt: SO_LINGER {1,0} makes
        // close() send R. seq 1 ack 1 and leave nothing behind; the server sees ECONNRESET then EPIPE.
        var lab = Run(unread: false);
        Expect.SameAsKernel(lab.Wire, "07-close-rst-linger0.txt");
        Expect.Lines(
            """
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            1.000 server accept() -> peer 10.0.1.2:40000
            3.000 server recv(1000) -> ECONNRESET
            3.500 server send(10 bytes) -> EPIPE
            4.000 server send(10 bytes) -> EPIPE
            4.000 server close() -> 0
            """,
            lab.Calls.Of("server"));
        Assert.Equal("", lab.SsLog[1].Split('\n')[1]);
        Assert.Empty(lab.ClientStack.Snapshot());
    }

    private static Lab Run(bool unread)
    {
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => Server(p, unread));
        lab.Run("client", lab.Client, p => Client(p, linger: !unread));
        lab.At(1.7, () => lab.Ss(lab.Client, "client before close"));
        lab.At(2.3, () => lab.Ss(lab.Client, "client after close (no TIME_WAIT expected)"));
        lab.RunUntil(5);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, bool unread)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        if (unread)
        {
            yield return Script.Until(1.5);
            yield return connection.Send(100);
        }

        yield return Script.Until(3.0);
        yield return connection.Recv(1000);
        yield return Script.Until(3.5);
        yield return connection.Send(10);
        yield return Script.Until(4.0);
        yield return connection.Send(10);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, bool linger)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        if (linger)
        {
            yield return socket.SetOptions("SO_LINGER {1,0}", o => o with { Linger = Linger.Abort });
        }

        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Close();
    }
}
