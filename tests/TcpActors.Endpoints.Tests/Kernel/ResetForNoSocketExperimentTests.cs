using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 21 (behaviour 21): segments for which no socket exists.</summary>
public sealed class ResetForNoSocketExperimentTests
{
    [Fact]
    public void Segments_to_no_socket_get_resets_in_the_two_linux_formats_and_resets_get_no_answer()
    {
        // Proves behaviour 21 against tests/reference/kernel/21-rst-closed-port.txt: a SYN to a closed port gets
        // R. seq 0 ack ISN+1 win 0 and connect() fails ECONNREFUSED; hand-built segments (no options) that carry
        // an ACK get R with seq = their ack and no ACK flag; one without ACK gets R. seq 0 ack = seq + length;
        // RSTs (to a closed port, to a listener, with or without ACK) are never answered; resets carry no options.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        string client = "10.0.1.2:", server = "10.0.2.2:";
        lab.At(2.0, () => lab.SendRaw(lab.Client, client + "40001", server + "8080", TcpFlags.Psh | TcpFlags.Ack, 1000, 2000, 502, 10));
        lab.At(3.0, () => lab.SendRaw(lab.Client, client + "40002", server + "9", TcpFlags.Ack, 3000, 4000, 502));
        lab.At(4.0, () => lab.SendRaw(lab.Client, client + "40003", server + "9", TcpFlags.Psh, 5000, 0, 502, 10));
        lab.At(5.0, () => lab.SendRaw(lab.Client, client + "40004", server + "9", TcpFlags.Fin | TcpFlags.Ack, 6000, 7000, 502));
        lab.At(6.0, () => lab.SendRaw(lab.Client, client + "40005", server + "9", TcpFlags.Rst, 8000));
        lab.At(6.0, () => lab.SendRaw(lab.Client, client + "40006", server + "8080", TcpFlags.Rst, 9000));
        lab.At(6.0, () => lab.SendRaw(lab.Client, client + "40007", server + "8080", TcpFlags.Rst | TcpFlags.Ack, 9500, 9600));
        lab.RunUntil(8);
        Expect.Lines(
            """
            0.000000 40000>9 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
            0.000000 9>40000 R. seq 0 ack 1 win 0
            1.000000 40001>8080 P. seq 1000:1010 ack 2000 win 502 length 10
            1.000000 8080>40001 R seq 2000 win 0
            2.000000 40002>9 . ack 4000 win 502
            2.000000 9>40002 R seq 4000 win 0
            3.000000 40003>9 P seq 5000:5010 win 502 length 10
            3.000000 9>40003 R. seq 0 ack 5010 win 0
            4.000000 40004>9 F. seq 6000 ack 7000 win 502
            4.000000 9>40004 R seq 7000 win 0
            5.000000 40005>9 R seq 8000 win 0
            5.000000 40006>8080 R seq 9000 win 0
            5.000000 40007>8080 R. seq 9500 ack 9600 win 0
            """,
            lab.Wire.Text());
        // The kernel's first connect() came 0.15 s late (calls 1.150), so its later times are that much early.
        Expect.SameAsKernel(lab.Wire, "21-rst-closed-port.txt", earlySeconds: 0.16);
        Assert.Contains("1.000 client connect(10.0.2.2:9) -> ECONNREFUSED", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Equal(5, lab.ServerStack.Counters.OutResets);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:9");
        yield return socket.Close();
    }
}
