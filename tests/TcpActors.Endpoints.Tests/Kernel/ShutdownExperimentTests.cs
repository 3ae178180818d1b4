using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 08 (behaviour 8): shutdown(SHUT_WR), shutdown(SHUT_RD) and shutdown(SHUT_RDWR) against close().</summary>
public sealed class ShutdownExperimentTests
{
    [Fact]
    public void Shutdown_write_sends_a_fin_and_still_receives_everything_until_the_peer_closes()
    {
        // Proves behaviour 8 against tests/reference/kernel/08-shutdown-shut-wr.txt: the FIN follows the data at
        // once; the half-closed client receives 3 × 1000 bytes (ACKed at once, its window growing 63 → 66 → 69
        // as rcv_ssthresh grows) and reads them all before 0; it then goes through TIME_WAIT.
        var lab = Run(ShutWrServer, ShutWrClient);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
            1.000000 8080>40000 . ack 101 win 64 [TS]
            1.000100 40000>8080 F. seq 101 ack 1 win 63 [TS]                   # kernel 1.001493 (0.14 ms after the data)
            1.040100 8080>40000 . ack 102 win 64 [TS]                          # kernel 1.049303: delayed ACK
            1.500000 8080>40000 P. seq 1:1001 ack 102 win 64 [TS] length 1000
            1.500000 40000>8080 . ack 1001 win 66 [TS]
            2.000000 8080>40000 P. seq 1001:2001 ack 102 win 64 [TS] length 1000
            2.000000 40000>8080 . ack 2001 win 69 [TS]
            2.500000 8080>40000 P. seq 2001:3001 ack 102 win 64 [TS] length 1000
            2.500000 40000>8080 . ack 3001 win 69 [TS]
            3.000000 8080>40000 F. seq 3001 ack 102 win 64 [TS]
            3.000000 40000>8080 . ack 3002 win 69 [TS]
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "08-shutdown-shut-wr.txt");
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            2.000 client send(100 bytes) -> 100
            2.000 client shutdown(SHUT_WR) -> 0   # at 2.0001
            2.500 client recv(65536) -> 1000 bytes
            3.000 client recv(65536) -> 1000 bytes
            3.500 client recv(65536) -> 1000 bytes
            4.000 client recv(65536) -> 0 bytes
            4.500 client close() -> 0
            """,
            lab.Calls.Of("client"));
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40000 10.0.2.2:8080 timer:(timewait,58sec,0)", lab.SsLog[4].Split('\n')[1]);
    }

    [Fact]
    public void Shutdown_read_sends_nothing_and_later_data_is_still_acked_and_returned()
    {
        // Proves behaviour 8 against tests/reference/kernel/08-shutdown-shut-rd.txt: SHUT_RD sends nothing; the
        // 200 queued bytes are still returned, then recv() returns 0 while the queue is empty; 300 bytes that
        // arrive later are ACKed and returned (Linux does not discard them); close() with nothing unread sends
        // a FIN, and the orphan answers the server's later data with R (no ACK flag); the server (CLOSE-WAIT,
        // Recv-Q 11 = 10 bytes + FIN) gets EPIPE on its next send.
        var lab = Run(ShutRdServer, ShutRdClient);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            0.500000 8080>40000 P. seq 1:201 ack 1 win 64 [TS] length 200
            0.500000 40000>8080 . ack 201 win 63 [TS]
            2.000000 8080>40000 P. seq 201:501 ack 1 win 64 [TS] length 300
            2.000000 40000>8080 . ack 501 win 63 [TS]
            2.500000 40000>8080 P. seq 1:11 ack 501 win 63 [TS] length 10
            2.500000 8080>40000 . ack 11 win 64 [TS]
            4.000000 40000>8080 F. seq 11 ack 501 win 63 [TS]
            4.040000 8080>40000 . ack 12 win 64 [TS]                           # kernel 4.041817: delayed ACK
            5.000000 8080>40000 P. seq 501:511 ack 12 win 64 [TS] length 10
            5.000000 40000>8080 R seq 12 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "08-shutdown-shut-rd.txt");
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            2.000 client shutdown(SHUT_RD) -> 0
            2.000 client recv(65536, MSG_DONTWAIT) -> 200 bytes
            2.000 client recv(65536, MSG_DONTWAIT) -> 0 bytes
            3.500 client recv(65536, MSG_DONTWAIT) -> 300 bytes
            3.500 client recv(65536, MSG_DONTWAIT) -> 0 bytes
            3.500 client send(10 bytes) -> 10
            5.000 client close() -> 0
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            1.000 server accept() -> peer 10.0.1.2:40000
            1.500 server send(200 bytes) -> 200
            3.000 server send(300 bytes) -> 300
            6.000 server recv(65536, MSG_DONTWAIT) -> 10 bytes
            6.000 server send(10 bytes) -> 10
            6.200 server send(10 bytes) -> EPIPE
            7.000 server close() -> 0
            """,
            lab.Calls.Of("client") + "\n" + lab.Calls.Of("server"));
        Assert.Equal("CLOSE-WAIT 11 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[5].Split('\n')[1]);
    }

    [Fact]
    public void Shutdown_both_sends_a_fin_and_data_arriving_afterwards_destroys_the_socket_with_a_reset()
    {
        // Proves behaviour 8 against tests/reference/kernel/08-shutdown-shut-rdwr.txt: SHUT_RDWR sends the FIN
        // at once and recv() returns 0; the server's 300 bytes get R (no ACK flag, seq = their ack) and the client
        // socket is gone although the application still holds it: recv() ECONNRESET, send() EPIPE.
        var lab = Run(ShutRdwrServer, ShutRdwrClient);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]                            # kernel 1.001225: next tick (no data ever received: ato 0)
            2.000000 8080>40000 P. seq 1:301 ack 2 win 64 [TS] length 300
            2.000000 40000>8080 R seq 2 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "08-shutdown-shut-rdwr.txt");
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            2.000 client shutdown(SHUT_RDWR) -> 0
            2.000 client recv(65536, MSG_DONTWAIT) -> 0 bytes
            3.500 client recv(65536, MSG_DONTWAIT) -> ECONNRESET
            3.500 client send(10 bytes) -> EPIPE
            5.000 client close() -> 0
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            1.000 server accept() -> peer 10.0.1.2:40000
            2.000 server recv(65536) -> 0 bytes
            3.000 server send(300 bytes) -> 300
            6.000 server recv(65536, MSG_DONTWAIT) -> 0 bytes
            6.500 server send(10 bytes) -> EPIPE
            6.700 server send(10 bytes) -> EPIPE
            7.000 server close() -> 0
            """,
            lab.Calls.Of("client") + "\n" + lab.Calls.Of("server"));
        Assert.Equal("FIN-WAIT-2 0 0 10.0.1.2:40000 10.0.2.2:8080", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal("", lab.SsLog[2].Split('\n')[1]);
    }

    [Theory]
    [InlineData("08-shutdown-shut-wr.txt")]
    [InlineData("08-shutdown-shut-rd.txt")]
    [InlineData("08-shutdown-shut-rdwr.txt")]
    public void Ss_info_matches_the_kernel_for_the_fields_the_simulator_models(string reference)
    {
        // Proves the tcp_info counters through half-closes against every ss -tanoi snapshot of the recording that has
        // an info line (ESTAB, FIN-WAIT-2, CLOSE-WAIT), client and server: the fields SsInfoFields.Modelled
        // lists exactly, the ages as SsInfoFields.AssertAges allows (ss read the clock some ms after the snapshot's label).
        var (server, client) = reference switch
        {
            "08-shutdown-shut-wr.txt" => (ShutWrServer, ShutWrClient),
            "08-shutdown-shut-rd.txt" => (ShutRdServer, ShutRdClient),
            _ => ((Func<ScriptedProcess, IEnumerable<Step>>)ShutRdwrServer, (Func<ScriptedProcess, IEnumerable<Step>>)ShutRdwrClient),
        };
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, server);
        lab.Run("client", lab.Client, client);
        var taken = SsInfoFields.AtEverySnapshot(lab, reference, heading => heading.Contains("-c client", StringComparison.Ordinal) ? lab.ClientStack : lab.ServerStack);
        lab.RunUntil(8);
        Assert.NotEmpty(taken);
        foreach (var (heading, kernel, simulated) in taken)
        {
            Assert.True(simulated is not null, $"{heading}: the kernel shows {kernel.Line}, the simulator no such socket");
            SsInfoFields.AssertSame(kernel, simulated, SsInfoFields.Modelled);
            SsInfoFields.AssertAges(kernel, simulated);
        }
    }

    private static Lab Run(Func<ScriptedProcess, IEnumerable<Step>> server, Func<ScriptedProcess, IEnumerable<Step>> client)
    {
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, server);
        lab.Run("client", lab.Client, client);
        foreach (double t in new[] { 2.5, 3.6, 5.5, 7.5 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
            lab.At(t, () => lab.Ss(lab.Server, "server"));
        }

        lab.RunUntil(8);
        return lab;
    }

    private static IEnumerable<Step> Accept(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
    }

    private static IEnumerable<Step> Connect(ScriptedProcess p, Sock socket)
    {
        yield return Script.Until(1.0);
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
    }

    private static IEnumerable<Step> ReceiveUntilEnd(ScriptedProcess p, Sock socket)
    {
        for (int i = 0; i < 100; i++)
        {
            yield return socket.Recv();
            if (p.LastReceived <= 0)
            {
                yield break;
            }
        }
    }

    private static IEnumerable<Step> ShutWrServer(ScriptedProcess p)
    {
        foreach (var step in Accept(p))
        {
            yield return step;
        }

        var connection = p.Accepted!;
        foreach (var step in ReceiveUntilEnd(p, connection))
        {
            yield return step;
        }

        foreach (double t in new[] { 2.5, 3.0, 3.5 })
        {
            yield return Script.Until(t);
            yield return connection.Send(1000);
        }

        yield return Script.Until(4.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> ShutWrClient(ScriptedProcess p)
    {
        var socket = p.Socket();
        foreach (var step in Connect(p, socket))
        {
            yield return step;
        }

        yield return Script.Until(2.0);
        yield return socket.Send(100);
        // The driver's next call comes 0.1 ms later, after the ACK of the data (kernel: 0.14 ms).
        yield return Script.Sleep(0.0001);
        yield return socket.Shutdown(ShutdownHow.Write);
        foreach (var step in ReceiveUntilEnd(p, socket))
        {
            yield return step;
        }

        yield return Script.Until(4.5);
        yield return socket.Close();
    }

    private static IEnumerable<Step> ShutRdServer(ScriptedProcess p)
    {
        foreach (var step in Accept(p))
        {
            yield return step;
        }

        var connection = p.Accepted!;
        yield return Script.Until(1.5);
        yield return connection.Send(200);
        yield return Script.Until(3.0);
        yield return connection.Send(300);
        yield return Script.Until(6.0);
        yield return connection.RecvNoWait();
        yield return connection.Send(10);
        yield return Script.Sleep(0.2);
        yield return connection.Send(10);
        yield return Script.Until(7.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> ShutRdClient(ScriptedProcess p)
    {
        var socket = p.Socket();
        foreach (var step in Connect(p, socket))
        {
            yield return step;
        }

        yield return Script.Until(2.0);
        yield return socket.Shutdown(ShutdownHow.Read);
        yield return socket.RecvNoWait();
        yield return socket.RecvNoWait();
        yield return Script.Until(3.5);
        yield return socket.RecvNoWait();
        yield return socket.RecvNoWait();
        yield return socket.Send(10);
        yield return Script.Until(5.0);
        yield return socket.Close();
    }

    private static IEnumerable<Step> ShutRdwrServer(ScriptedProcess p)
    {
        foreach (var step in Accept(p))
        {
            yield return step;
        }

        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return Script.Until(3.0);
        yield return connection.Send(300);
        yield return Script.Until(6.0);
        yield return connection.RecvNoWait();
        yield return Script.Until(6.5);
        yield return connection.Send(10);
        yield return Script.Sleep(0.2);
        yield return connection.Send(10);
        yield return Script.Until(7.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> ShutRdwrClient(ScriptedProcess p)
    {
        var socket = p.Socket();
        foreach (var step in Connect(p, socket))
        {
            yield return step;
        }

        yield return Script.Until(2.0);
        yield return socket.Shutdown(ShutdownHow.Both);
        yield return socket.RecvNoWait();
        yield return Script.Until(3.5);
        yield return socket.RecvNoWait();
        yield return socket.Send(10);
        yield return Script.Until(5.0);
        yield return socket.Close();
    }
}
