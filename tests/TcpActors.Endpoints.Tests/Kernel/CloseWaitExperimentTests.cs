using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 18 (behaviours 18, 11, 1; seed 003): a server that does not read sits in CLOSE-WAIT.</summary>
public sealed class CloseWaitExperimentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Server_that_does_not_read_shows_close_wait_with_the_unread_bytes_and_the_fin_in_recv_q(bool loopback)
    {
        // Proves behaviour 18 against tests/reference/kernel/18-seed003-close-wait-loopback.txt and -routed.txt:
        // the client sends 523 bytes and closes; the server ACKs the data at once and the FIN 40 ms later
        // (delayed ACK); it shows CLOSE-WAIT with Recv-Q 524 (523 + the FIN) while the client's orphaned
        // FIN-WAIT-2 runs out after 60 s; the server's FIN at 65 s then gets R (seq = its ack, ISN + 525).
        var lab = loopback ? Lab.Loopback() : Lab.Routed();
        string server = lab.ServerAddress + ":8888";
        lab.Run("server", lab.Server, p => Server(p, server));
        lab.Run("client", lab.Client, p => Client(p, lab.ClientAddress + ":40000", server));
        foreach (double t in new[] { 2.0, 60.9, 61.1 })
        {
            lab.At(t, () => lab.Ss(lab.Client, "client"));
            lab.At(t, () => lab.Ss(lab.Server, "server"));
        }

        lab.RunUntil(67);
        Expect.Lines(
            """
            0.000000 40000>8888 S seq ISN win {{SYN}} [mss {{MSS}},sackOK,TS,wscale 10]
            0.000000 8888>40000 S. seq ISN ack 1 win {{SYNACK}} [mss {{MSS}},sackOK,TS,wscale 10]
            0.000000 40000>8888 . ack 1 win {{WIN}} [TS]
            0.000000 40000>8888 P. seq 1:524 ack 1 win {{WIN}} [TS] length 523
            0.000000 8888>40000 . ack 524 win 64 [TS]
            0.000100 40000>8888 F. seq 524 ack 1 win {{WIN}} [TS]
            0.040100 8888>40000 . ack 525 win 64 [TS]              # kernel 0.044528 / 0.043590: delayed ACK
            65.000000 8888>40000 F. seq 1 ack 525 win 64 [TS]
            65.000000 40000>8888 R seq 525 win 0
            """
                .Replace("{{SYN}}", loopback ? "65495" : "64240", StringComparison.Ordinal)
                .Replace("{{SYNACK}}", loopback ? "65483" : "65160", StringComparison.Ordinal)
                .Replace("{{MSS}}", loopback ? "65495" : "1460", StringComparison.Ordinal)
                .Replace("{{WIN}}", loopback ? "64" : "63", StringComparison.Ordinal),
            lab.Wire.Text());
        Expect.SameAsKernel(lab.Wire, loopback ? "18-seed003-close-wait-loopback.txt" : "18-seed003-close-wait-routed.txt");
        string ss = string.Join('\n', lab.SsLog.Select(s => string.Join('\n', s.Split('\n').Skip(1))).Distinct());
        Assert.Contains($"CLOSE-WAIT 524 0 {server} {lab.ClientAddress}:40000", ss, StringComparison.Ordinal);
        Assert.Contains($"FIN-WAIT-2 0 0 {lab.ClientAddress}:40000 {server} timer:(timewait,59sec,0)", ss, StringComparison.Ordinal);
        Assert.Contains($"FIN-WAIT-2 0 0 {lab.ClientAddress}:40000 {server} timer:(timewait,140ms,0)", ss, StringComparison.Ordinal);
        Assert.DoesNotContain("FIN-WAIT-2", lab.SsLog[^1], StringComparison.Ordinal);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, string address)
    {
        var listener = p.Socket();
        yield return listener.Bind(address);
        yield return listener.Listen(10);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return Script.Until(66);
        yield return connection.Recv(1024);
        yield return connection.Recv(1024);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, string local, string server)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind(local);
        yield return socket.Connect(server);
        yield return socket.Send(523);
        // The driver's close() comes 0.03 ms after send(), when the data's ACK is back (0.1 ms here).
        yield return Script.Sleep(0.0001);
        yield return socket.Close();
    }
}
