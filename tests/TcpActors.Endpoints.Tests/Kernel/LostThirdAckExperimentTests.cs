using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 04 (behaviour 4): the server's INPUT chain drops every ACK-flagged segment from the client.</summary>
public sealed class LostThirdAckExperimentTests
{
    [Fact]
    public void Client_data_completes_the_handshake_while_the_request_socket_lives()
    {
        // Proves behaviour 4 (variant A) against tests/reference/kernel/04-lost-third-ack-early.txt: the client
        // is ESTABLISHED at once, the server re-sends its SYN-ACK after 1 s (re-ACKed, dropped); once the rule
        // is gone the client's data completes the handshake and accept() returns.
        var lab = Run(deleteAt: 3.0, sendAt: 3.5);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]    # kernel 1.000806
            1.000000 40000>8080 . ack 1 win 63 [TS]
            2.500000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100                      # kernel 2.499551
            2.500000 8080>40000 . ack 101 win 64 [TS]
            2.500000 8080>40000 P. seq 1:21 ack 101 win 64 [TS] length 20
            2.500000 40000>8080 . ack 21 win 63 [TS]
            2.500000 40000>8080 P. seq 101:111 ack 21 win 63 [TS] length 10
            2.540000 8080>40000 . ack 111 win 64 [TS]                                           # kernel 2.540795: delayed ACK
            3.000000 40000>8080 F. seq 111 ack 21 win 63 [TS]
            3.040000 8080>40000 . ack 112 win 64 [TS]                                           # kernel (server capture) 3.040756
            """,
            lab.Wire.Text(untilSeconds: 3.3));
        Expect.SameAsKernel(lab.Wire, "04-lost-third-ack-early.txt", untilSeconds: 3.02);
        Expect.SameAsKernel(lab.ServerWire, "04-lost-third-ack-early.txt", "wire-server", lab.Wire.Origin, untilSeconds: 3.3);
        Expect.Lines(
            """
            0.000 server bind(10.0.2.2:8080) -> 0
            0.000 server listen(8) -> 0
            3.500 server accept() -> peer 10.0.1.2:40000   # kernel 3.501
            3.500 server recv(1000) -> 100 bytes
            3.500 server send(20 bytes) -> 20
            4.500 server close() -> 0
            """,
            lab.Calls.Of("server"));
        // kernel ss at 4.093: the server holds the 10 unread bytes and the FIN.
        Assert.Equal("CLOSE-WAIT 11 0 10.0.2.2:8080 10.0.1.2:40000", lab.SsLog.Single(s => s.Contains("server after", StringComparison.Ordinal)).Split('\n')[1]);
    }

    [Fact]
    public void Request_socket_expires_silently_and_late_client_data_gets_a_reset()
    {
        // Proves behaviour 4 (variant B) against tests/reference/kernel/04-lost-third-ack-late.txt: SYN-ACKs
        // at 1, 3, 7, 15, 31 s (tcp_synack_retries 5), the request gone at 63 s without an RST, the client
        // ESTABLISHED throughout; its data at 70 s gets R with seq = server ISN + 1 (the data's ack, no ACK
        // flag), recv() fails ECONNRESET and the next send() EPIPE.
        var lab = Run(deleteAt: 70, sendAt: 71);
        Expect.Lines(
            """
            0.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
            0.000000 40000>8080 . ack 1 win 63 [TS]
            1.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]   # kernel 1.019946
            1.000000 40000>8080 . ack 1 win 63 [TS]
            3.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]   # kernel 3.039982
            3.000000 40000>8080 . ack 1 win 63 [TS]
            7.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]   # kernel 7.260073
            7.000000 40000>8080 . ack 1 win 63 [TS]
            15.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]  # kernel 15.452015
            15.000000 40000>8080 . ack 1 win 63 [TS]
            31.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]  # kernel 31.579971
            31.000000 40000>8080 . ack 1 win 63 [TS]
            70.000000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100                   # kernel 69.996010
            70.000000 8080>40000 R seq 1 win 0
            """,
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, "04-lost-third-ack-late.txt");
        Expect.SameAsKernel(lab.ServerWire, "04-lost-third-ack-late.txt", "wire-server", lab.Wire.Origin);
        Expect.Lines(
            """
            1.000 client bind(10.0.1.2:40000) -> 0
            1.000 client connect(10.0.2.2:8080) -> 0
            71.000 client send(100 bytes) -> 100
            71.000 client recv(1000) -> ECONNRESET
            71.000 client send(10 bytes) -> EPIPE
            71.500 client close() -> 0
            """,
            lab.Calls.Of("client"));
        Assert.Equal("SYN-RECV 0 0 10.0.2.2:8080 10.0.1.2:40000 timer:(on,1sec,5)", lab.SsLog.Single(s => s.Contains("at 63", StringComparison.Ordinal)).Split('\n')[1]);
        Assert.Equal("", lab.SsLog.Single(s => s.Contains("at 64", StringComparison.Ordinal)).Split('\n')[1]);
    }

    private static Lab Run(double deleteAt, double sendAt)
    {
        var lab = Lab.Routed();
        var rule = lab.AddRule(lab.Server, new DropRule(HookPoint.Input, "INPUT -s 10.0.1.2 -p tcp --tcp-flag ACK ACK -j DROP"));
        lab.At(deleteAt, () => lab.DeleteRule(lab.Server, rule));
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, p => Client(p, sendAt));
        lab.At(sendAt + 0.6, () => lab.Ss(lab.Server, "server after client data"));
        lab.At(sendAt + 0.6, () => lab.Ss(lab.Client, "client after client data"));
        lab.At(63.0, () => lab.Ss(lab.Server, "server at 63"));
        lab.At(64.1, () => lab.Ss(lab.Server, "server at 64"));
        lab.RunUntil(sendAt + 1);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv(1000);
        yield return connection.Send(20);
        yield return Script.Sleep(1);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, double sendAt)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(sendAt);
        yield return socket.Send(100);
        yield return socket.Recv(1000);
        yield return socket.Send(10);
        yield return Script.Sleep(0.5);
        yield return socket.Close();
    }
}
