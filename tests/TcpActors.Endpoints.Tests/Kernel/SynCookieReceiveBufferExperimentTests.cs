using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 33: the SYN-ACK of a SYN cookie (tcp_syncookies=2: every SYN gets one) from a listener whose
/// receive buffer the application set. Linux chooses its window and window scale as for a request socket
/// (tcp_openreq_init_rwin, tcp_select_initial_window), so SO_RCVBUF clamps both.
/// </summary>
public sealed class SynCookieReceiveBufferExperimentTests
{
    [Theory]
    [InlineData("default", 0, "win 65160 [mss 1460,sackOK,TS,wscale 10]")]
    [InlineData("rcvbuf4k", 4096, "win 2896 [mss 1460,sackOK,TS,wscale 0]")]
    [InlineData("rcvbuf64k", 65536, "win 65160 [mss 1460,sackOK,TS,wscale 1]")]
    public void A_syn_cookie_offers_the_window_and_scale_the_listeners_buffer_allows(string variant, int receiveBuffer, string synAck)
    {
        // Proves against tests/reference/kernel/33-syncookie-rcvbuf-*.txt: without SO_RCVBUF the cookie's SYN-ACK
        // scales for tcp_rmem's maximum (wscale 10); with SO_RCVBUF 4096 (8192, locked) it offers 2896 bytes
        // unscaled, and with 65536 (131072) 65160 bytes at wscale 1 — the scale the buffer's 65536 bytes of window
        // need, not tcp_rmem's. The connection the cookie's ACK creates offers the same buffer (2820 after 100
        // bytes, 32070 × 2), and it knows the client's window scale, which the cookie's timestamp carried (the
        // client's, 10, not the server's): its 1000-byte answer goes out whole into the client's window of 63.
        var lab = Lab.Routed(server: ["net.ipv4.tcp_syncookies=2"]);
        lab.Run("server", lab.Server, p => Server(p, receiveBuffer));
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(3.5);
        Expect.SameAsKernel(lab.Wire, $"33-syncookie-rcvbuf-{variant}.txt");
        Assert.Contains("8080>40000 S. seq ISN ack 1 " + synAck, lab.Wire.Text(withTime: false), StringComparison.Ordinal);
        Assert.Equal(1, lab.ServerStack.Counters.SyncookiesSent);
        Assert.Equal(1, lab.ServerStack.Counters.SyncookiesReceived);
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, int receiveBuffer)
    {
        var listener = p.Socket();
        if (receiveBuffer > 0)
        {
            yield return listener.SetOptions($"SO_RCVBUF {receiveBuffer}", o => o with { ReceiveBuffer = receiveBuffer });
        }

        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Recv();
        yield return connection.Send(1000);
        yield return Script.Until(2.0);
        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(1.5);
        yield return socket.Send(100);
        yield return socket.Recv();
        yield return socket.Recv();
        yield return socket.Close();
    }
}
