using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Recovery;

/// <summary>
/// Small socket buffers (no kernel recording; the rules are sock_setsockopt's and tcp_data_queue's):
/// SO_RCVBUF and SO_SNDBUF are doubled but never below SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF, and an
/// in-order segment is never dropped for memory into an empty receive queue.
/// </summary>
public sealed class SocketBufferTests
{
    [Fact]
    public void A_receiver_that_shrinks_so_rcvbuf_to_1071_still_takes_in_order_data_into_an_empty_queue()
    {
        // Proves SOCK_MIN_RCVBUF and sk_forced_mem_schedule: the server offered its default window, then sets
        // SO_RCVBUF 1071 (a 2304-byte buffer, not 2142). The window already offered cannot shrink, so the client
        // sends 100000 bytes in segments far larger than the buffer. tcp_data_queue takes an in-order segment
        // into an empty receive queue whatever it costs (dropping it could never make room), so each read
        // lets the next one in, and the server reads everything; before, every one was dropped and the
        // transfer stalled.
        var lab = Lab.Loopback();
        lab.Run("server", lab.Server, p => AcceptShrinkAndRead(p, bytes: 100000));
        lab.Run("client", lab.Client, p => ConnectAndSend(p, "127.0.0.1:8080", bytes: 100000));
        lab.RunUntil(60);

        Assert.Equal(100000, Read(lab));
    }

    [Fact]
    public void So_sndbuf_1000_holds_4608_bytes_not_2000()
    {
        // Proves SOCK_MIN_SNDBUF (sock_setsockopt: max(val * 2, 4608)): with SO_SNDBUF 1000 and a peer that
        // acknowledges nothing (its window 64240, unscaled), a 3000-byte send() returns at once: its three sk_buffs (1460, 1460, 80 bytes) are
        // each allocated while sk_wmem_queued (0, 2292, 4584) is below 4608, where 2000 would have stopped the
        // second. Then 5496 bytes are charged and the 80-byte tail has been sent, so the next send() needs a new
        // sk_buff and waits (sk_stream_wait_memory).
        var dialogue = Dialogue.WithListener((_, socket) => SendThrice(socket));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460 });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1, window: 64240);
        dialogue.Lab.RunUntil(2.0);

        Expect.Lines(
            """
            1.000 server send(3000 bytes) -> 3000
            """,
            string.Join('\n', Lines(dialogue.Lab.Calls.Of("server")).Where(l => l.Contains("send(", StringComparison.Ordinal))));
    }

    private static IEnumerable<Step> SendThrice(Sock socket)
    {
        yield return socket.SetOptions("SO_SNDBUF 1000", o => o with { SendBuffer = 1000 });
        yield return socket.Send(3000);
        yield return socket.Send(1000);
        yield return socket.Send(1000);
    }

    private static int Read(Lab lab) =>
        Lines(lab.Calls.Of("server")).Where(l => l.Contains(" recv(", StringComparison.Ordinal) && l.EndsWith(" bytes", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture));

    private static string[] Lines(string text) => text.Split('\n');

    private static IEnumerable<Step> AcceptShrinkAndRead(ScriptedProcess p, int bytes)
    {
        var listener = p.Socket();
        yield return listener.Bind(p.Lab.ServerAddress + ":8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var socket = p.Accepted!;
        yield return socket.SetOptions("SO_RCVBUF 1071", o => o with { ReceiveBuffer = 1071 });
        yield return Script.Until(2.0);
        int read = 0;
        do
        {
            yield return socket.Recv(65536);
            read += Math.Max(p.LastReceived, 0);
        }
        while (read < bytes && p.LastReceived > 0);
    }

    private static IEnumerable<Step> ConnectAndSend(ScriptedProcess p, string server, int bytes)
    {
        var socket = p.Socket();
        yield return socket.Bind(p.Lab.ClientAddress + ":40000");
        yield return socket.Connect(server);
        yield return Script.Until(1.0);
        yield return socket.Send(bytes);
        yield return Script.Until(9.0);
        yield return socket.Close();
    }
}
