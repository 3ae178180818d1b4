using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Behaviours;

/// <summary>Behaviours of ../shared/DESIGN.md that no kernel recording covers, checked against the Linux sources' rules.</summary>
public sealed class BehavioursWithoutKernelRecordingTests
{
    [Fact]
    public void Time_wait_beyond_tcp_max_tw_buckets_is_not_kept_and_counted_as_overflow()
    {
        // Proves behaviour 20's cap (tcp_time_wait with a full table): with tcp_max_tw_buckets=1 the first
        // client-closed connection leaves a TIME-WAIT, the second just closes (TCPTimeWaitOverflow), so its
        // port can be bound again at once while the first one's cannot.
        var lab = Lab.Routed(client: ["net.ipv4.tcp_max_tw_buckets=1"]);
        lab.Run("server", lab.Server, p => EchoServer(p, connections: 2));
        lab.Run("client", lab.Client, TwoShortConnections);
        lab.At(3.0, () => lab.Ss(lab.Client, "client"));
        lab.RunUntil(5);
        Assert.Equal("TIME-WAIT 0 0 10.0.1.2:40001 10.0.2.2:8080 timer:(timewait,58sec,0)", lab.SsLog[0].Split('\n')[1]);
        Assert.Equal(2, lab.SsLog[0].Split('\n').Length);
        Assert.Equal(1, lab.ClientStack.Counters.TimeWaitOverflow);
        Assert.Contains("4.000 client bind(10.0.1.2:40001) -> EADDRINUSE", lab.Calls.Of("client"), StringComparison.Ordinal);
        Assert.Contains("4.000 client bind(10.0.1.2:40002) -> 0", lab.Calls.Of("client"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_rst_is_never_answered_with_an_rst()
    {
        // Proves behaviour 21's second half (RFC 9293 3.10.7.1, tcp_validate_incoming, tcp_v4_rcv): an RST
        // to a closed port, to a listener, to a TIME-WAIT at a wrong sequence number, or to an established
        // connection at a wrong sequence number never gets an RST; the last one gets a challenge ACK (RFC 5961).
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => EchoServer(p, connections: 1));
        lab.Run("client", lab.Client, p => HoldConnection(p, "10.0.1.2:40001", closeAt: 9));
        lab.At(2.0, () => lab.SendRaw(lab.Client, "10.0.1.2:40002", "10.0.2.2:9", TcpFlags.Rst, 1));
        lab.At(2.0, () => lab.SendRaw(lab.Client, "10.0.1.2:40003", "10.0.2.2:8080", TcpFlags.Rst | TcpFlags.Ack, 1, 1));
        lab.At(3.0, () => lab.SendRaw(lab.Client, "10.0.1.2:40001", "10.0.2.2:8080", TcpFlags.Rst, ClientSeq(lab) + 100));
        lab.RunUntil(4);
        var answers = lab.Wire.Text().Split('\n').Where(l => l.Contains(" 8080>", StringComparison.Ordinal) || l.Contains(" 9>", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.Equal(["2.000000 8080>40001 . ack 1 win 64 [TS]"], answers);
        Assert.Equal(0, lab.ServerStack.Counters.OutResets);
        Assert.Contains("ESTAB", lab.Ss(lab.Server, "server"), StringComparison.Ordinal);
    }

    [Fact]
    public void Linger_zero_close_in_close_wait_resets_instead_of_sending_a_fin()
    {
        // Proves a behaviour 7 variant (tcp_close with SO_LINGER {1,0}, tcp_disconnect): after the peer's FIN
        // the server, lingering 0, answers close() with R. (seq = snd_nxt, ack = rcv_nxt past the FIN) and
        // no LAST-ACK; the client's FIN-WAIT-2 ends at once.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => ServerClosingLate(p, new SocketOptions { Linger = Linger.Abort }, readFirst: true));
        lab.Run("client", lab.Client, p => ClientClosing(p, sendFirst: 0));
        lab.RunUntil(4);
        Expect.Lines(
            """
            1.000000 40000>8080 F. seq 1 ack 1 win 63 [TS]
            1.004000 8080>40000 . ack 2 win 64 [TS]
            2.000000 8080>40000 R. seq 1 ack 2 win 64 [TS]
            """,
            string.Join('\n', lab.Wire.Text().Split('\n').Skip(3)));
        Assert.Empty(lab.ClientStack.Snapshot());
        Assert.DoesNotContain(lab.ServerStack.Snapshot(), s => s.State != TcpState.Listen);
    }

    [Fact]
    public void Close_with_unread_data_in_close_wait_resets_and_acknowledges_the_fin()
    {
        // Proves a behaviour 16 variant (tcp_close's data_was_unread): the client sends 100 bytes and its FIN;
        // the server closes without reading: R. acknowledging the data and the FIN, no LAST-ACK, no TIME-WAIT.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => ServerClosingLate(p, SocketOptions.Default, readFirst: false));
        lab.Run("client", lab.Client, p => ClientClosing(p, sendFirst: 100));
        lab.RunUntil(4);
        Assert.Equal("2.000000 8080>40000 R. seq 1 ack 102 win 64 [TS]", lab.Wire.Text().Split('\n')[^1]);
        Assert.Equal(1, lab.ServerStack.Counters.AbortOnClose);
        Assert.Empty(lab.ClientStack.Snapshot());
    }

    [Fact]
    public void Data_for_an_orphan_still_in_fin_wait1_gets_a_reset()
    {
        // Proves a behaviour 16 variant (tcp_rcv_state_process, FIN_WAIT1 with RCV_SHUTDOWN): the client's
        // FIN is lost, so its orphan is still in FIN-WAIT-1 when the server's data arrives: R with seq = the
        // data's ack, the orphan is gone, and the server's recv() fails ECONNRESET.
        var lab = Lab.Routed();
        lab.AddRule(lab.Router!, new DropRule(HookPoint.Forward, "FORWARD -s 10.0.1.2 -p tcp --tcp-flags FIN FIN -j DROP"));
        lab.Run("server", lab.Server, ServerSendingAt3);
        lab.Run("client", lab.Client, p => ClientClosing(p, sendFirst: 0));
        lab.RunUntil(5);
        Assert.Equal(
            ["2.000000 8080>40000 P. seq 1:11 ack 1 win 64 [TS] length 10", "2.000000 40000>8080 R seq 1 win 0"],
            lab.Wire.Text().Split('\n')[^2..]);
        Assert.Contains("3.500 server recv(65536) -> ECONNRESET", lab.Calls.Of("server"), StringComparison.Ordinal);
        Assert.Empty(lab.ClientStack.Snapshot());
    }

    private static uint ClientSeq(Lab lab) => lab.Wire.Segments.First(s => s.Record.Source.Port == 40001).Record.Seq + 1;

    private static IEnumerable<Step> EchoServer(ScriptedProcess p, int connections)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        for (int i = 0; i < connections; i++)
        {
            yield return listener.Accept();
            var connection = p.Accepted!;
            yield return connection.Recv();
            yield return connection.Close();
        }
    }

    private static IEnumerable<Step> TwoShortConnections(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        foreach (string local in new[] { "10.0.1.2:40001", "10.0.1.2:40002" })
        {
            var socket = p.Socket();
            yield return socket.Bind(local);
            yield return socket.Connect("10.0.2.2:8080");
            yield return socket.Close();
            yield return Script.Sleep(0.5);
        }

        yield return Script.Until(4.0);
        foreach (string local in new[] { "10.0.1.2:40001", "10.0.1.2:40002" })
        {
            var again = p.Socket();
            yield return again.Bind(local);
            yield return again.Close();
        }
    }

    private static IEnumerable<Step> HoldConnection(ScriptedProcess p, string local, double closeAt)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind(local);
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(closeAt);
        yield return socket.Close();
    }

    private static IEnumerable<Step> ServerClosingLate(ScriptedProcess p, SocketOptions options, bool readFirst)
    {
        var listener = p.Socket(options);
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        if (readFirst)
        {
            yield return connection.Recv();
        }

        yield return Script.Until(3.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> ServerSendingAt3(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return Script.Until(3.0);
        yield return connection.Send(10);
        yield return Script.Sleep(0.5);
        yield return connection.Recv();
    }

    private static IEnumerable<Step> ClientClosing(ScriptedProcess p, int sendFirst)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        if (sendFirst > 0)
        {
            yield return socket.Send(sendFirst);
        }

        yield return Script.Until(2.0);
        yield return socket.Close();
    }
}
