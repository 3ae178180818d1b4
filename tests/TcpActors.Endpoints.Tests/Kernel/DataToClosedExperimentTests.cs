using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 16 (behaviour 16): data arriving for a socket that was close()d gets a reset.</summary>
public sealed class DataToClosedExperimentTests
{
    [Fact]
    public void Data_after_the_fin_to_an_orphaned_fin_wait2_gets_a_reset_and_the_sender_reads_end_of_stream_then_epipe()
    {
        // Proves behaviour 16 against tests/reference/kernel/16-data-to-closed-after-fin.txt: the client closed
        // (FIN acknowledged, orphan FIN-WAIT-2); the server's 100 bytes get R with seq = their ack, no ACK flag;
        // the server, which had the FIN (CLOSE-WAIT, Recv-Q 1), reads 0 — the FIN was queued before the reset —
        // then gets EPIPE on both sends.
        var lab = Run(inFlight: false);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]                         # kernel 1.003252
            2.000000 8080>40000 P. seq 1:101 ack 2 win 64 [TS] length 100
            2.000000 40000>8080 R seq 2 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "16-data-to-closed-after-fin.txt");
        Expect.Lines(
            """
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            1.000 server accept() -> peer 10.0.1.2:40000
            3.000 server send(100 bytes) -> 100
            3.500 server recv(65536, MSG_DONTWAIT) -> 0 bytes
            4.000 server send(10 bytes) -> EPIPE
            4.500 server send(10 bytes) -> EPIPE
            4.500 server close() -> 0
            """,
            lab.Calls.Of("server"));
        Assert.Equal("CLOSE-WAIT 1 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog[1].Split('\n')[1]);
    }

    [Fact]
    public void Retransmitted_data_reaching_an_orphan_after_its_close_gets_a_reset()
    {
        // Proves behaviour 16 against tests/reference/kernel/16-data-to-closed-in-flight.txt: the server's 100
        // bytes are dropped in flight; the client closes meanwhile (its FIN is ACKed by a pure ACK, which
        // passes); the server's retransmission after the rule is gone reaches the orphan and gets R.
        var lab = Run(inFlight: true);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]                         # kernel 1.002917
            2.132000 8080>40000 P. seq 1:101 ack 2 win 64 [TS] length 100   # kernel 2.159037: third RTO retransmission
            2.132000 40000>8080 R seq 2 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "16-data-to-closed-in-flight.txt");
        Assert.Equal("CLOSE-WAIT 1 100 10.0.2.2:8080 10.0.1.2:40000 timer:(on,332ms,2)", lab.SsLog[1].Split('\n')[1]); // kernel at 2.796: on,344ms,2
        Assert.Contains("3.500 server recv(65536, MSG_DONTWAIT) -> 0 bytes", lab.Calls.Of("server"), StringComparison.Ordinal);
    }

    private static Lab Run(bool inFlight)
    {
        var lab = Lab.Routed();
        if (inFlight)
        {
            var rule = new DropRule(HookPoint.Forward, "FORWARD -s 10.0.2.2 -p tcp -m length --length 53:65535 -j DROP");
            lab.At(1.3, () => lab.AddRule(lab.Router!, rule));
            lab.At(2.5, () => lab.DeleteRule(lab.Router!, rule));
        }

        lab.Run("server", lab.Server, p => Server(p, inFlight ? 1.5 : 3.0));
        lab.Run("client", lab.Client, Client);
        lab.At(2.3, () => lab.Ss(lab.Client, "client after close"));
        lab.At(inFlight ? 2.8 : 2.3, () => lab.Ss(lab.Server, "server"));
        lab.RunUntil(5);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, double sendAt)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return Script.Until(sendAt);
        yield return connection.Send(100);
        yield return Script.Until(3.5);
        yield return connection.RecvNoWait();
        yield return Script.Until(4.0);
        yield return connection.Send(10);
        yield return Script.Until(4.5);
        yield return connection.Send(10);
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
