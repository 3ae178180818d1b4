using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Recovery;

/// <summary>
/// A receive buffer that fills up beyond what the window promised (no kernel recording for these; the rules
/// are tcp_data_queue's, tcp_prune_queue's, tcp_clamp_window's, tcp_collapse's, tcp_prune_ofo_queue's and
/// tcp_select_window's; the common case, where coalescing keeps the window backed, is compared with the kernel
/// in SlowReaderExperimentTests): the receiver makes room before it refuses anything, and when it must refuse
/// in-order data it says so with a zero window.
/// </summary>
public sealed class ReceiveMemoryTests
{
    [Fact]
    public void A_partly_read_queue_is_collapsed_to_make_room_for_in_order_data()
    {
        // Proves tcp_prune_queue's tcp_collapse: SO_RCVBUF 2000 (4000 bytes, locked). 1000 bytes arrive and the
        // application reads 900 of them, which frees nothing (the buffer is freed when wholly read); three
        // 100-byte segments arrive out of order, each in a buffer of its own (932 bytes), the third taking the
        // memory over the limit. When the in-order 100 bytes come, the buffer cannot grow (SO_RCVBUF locks it),
        // so the receive queue is collapsed: its 100 unread bytes are copied into a small linear buffer and
        // the 1000-byte one, read part included, is freed. The segment is then taken, not dropped. (The SACK
        // blocks come most recently changed first, as tp->selective_acks keeps them.)
        var dialogue = Dialogue.WithListener((_, socket) => ShrinkThenRecv(socket, 1.5, "SO_RCVBUF 2000", 2000, 2.5, 900));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1);
        dialogue.Inject(2.0, TcpFlags.Ack, 1, 1, length: 1000);
        dialogue.Inject(3.0, TcpFlags.Ack, 1201, 1, length: 100);
        dialogue.Inject(3.001, TcpFlags.Ack, 1401, 1, length: 100);
        dialogue.Inject(3.002, TcpFlags.Ack, 1601, 1, length: 100);
        dialogue.Inject(3.003, TcpFlags.Ack, 1001, 1, length: 100);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1001 win 63240
            3.000000 . ack 1001 win 63240 sack {1201:1301}
            3.001000 . ack 1001 win 63240 sack {1401:1501} {1201:1301}
            3.002000 . ack 1001 win 63240 sack {1601:1701} {1401:1501} {1201:1301}
            3.003000 . ack 1101 win 63140 sack {1601:1701} {1401:1501} {1201:1301}
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.PruneCalled);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.ReceiveCollapsed);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.ReceiveQueueDrops);
    }

    [Fact]
    public void In_order_data_refused_for_memory_draws_a_zero_window_that_a_read_reopens()
    {
        // Proves ICSK_ACK_NOMEM: the server has offered its full window when the application shrinks SO_RCVBUF to
        // 1071 (2304 bytes) with 2000 bytes unread. The next in-order segment cannot fit, even after pruning, and
        // the queue is not empty: it is dropped, and the ACK offers a zero window — shrinking the window, so the
        // peer stops sending what would only be dropped. The read at 4 s frees the memory: a window update
        // (tcp_cleanup_rbuf), and the peer's retransmission is taken.
        var dialogue = Dialogue.WithListener((_, socket) => ShrinkThenRecv(socket, 2.5, 4.0));
        dialogue.Connect(1.0);
        dialogue.Inject(2.0, TcpFlags.Ack, 1, 1, length: 1000);
        dialogue.Inject(2.001, TcpFlags.Ack, 1001, 1, length: 1000);
        dialogue.Inject(3.0, TcpFlags.Ack, 2001, 1, length: 1000);
        dialogue.Inject(4.5, TcpFlags.Ack, 2001, 1, length: 1000);
        dialogue.ExpectUntil(5.0,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1001 win 65535
            2.001000 . ack 2001 win 65535
            3.000000 . ack 2001 win 0
            4.000000 . ack 2001 win 1000
            4.500000 . ack 3001 win 0
            """);
    }

    [Fact]
    public void Out_of_order_data_is_dropped_to_make_room_for_in_order_data()
    {
        // Proves tcp_prune_ofo_queue: 1900 bytes arrive beyond a hole and are held (SACKed; the 900 coalesced into
        // the 1000's buffer: 1832 + 900 bytes of memory); the application then shrinks SO_RCVBUF to 1071 (2304
        // bytes, locked). The segment filling the hole finds the buffer overcommitted; it cannot grow, there is
        // nothing in order to collapse, so held buffers above it are dropped from the highest down until the
        // buffer is no longer over its limit. Linux drops whole sk_buffs, and the 900 bytes are in the 1000's:
        // all 1900 go. The hole's segment is taken and ACKed alone, without a SACK block: after pruning Linux
        // forgets what it reported (tcp_sack_reset), and the peer must send the 1900 bytes again.
        var dialogue = Dialogue.WithListener((_, socket) => ShrinkThenRecv(socket, 2.5, 4.0));
        dialogue.Inject(1.0, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460, SackPermitted = true });
        dialogue.Inject(1.000001, TcpFlags.Ack, 1, 1);
        dialogue.Inject(2.0, TcpFlags.Ack, 1001, 1, length: 1000);
        dialogue.Inject(2.001, TcpFlags.Ack, 2001, 1, length: 900);
        dialogue.Inject(3.0, TcpFlags.Ack, 1, 1, length: 1000);
        dialogue.ExpectUntil(3.5,
            """
            1.000000 S. seq ISN ack 1 win 64240
            2.000000 . ack 1 win 64240 sack {1001:2001}
            2.001000 . ack 1 win 64240 sack {1001:2901}
            3.000000 . ack 1001 win 63240
            """);
        Assert.Equal(1, dialogue.Lab.ServerStack.Counters.OutOfOrderPruned);
        Assert.Equal(0, dialogue.Lab.ServerStack.Counters.ReceiveQueueDrops);
    }

    [Fact]
    public void A_slow_reader_with_default_buffers_gets_every_byte()
    {
        // Proves the reliability tests' reproducer to its end: the client writes 95058 bytes at once, the server
        // reads 16 bytes every 208 ms and gets every byte and the end of the stream within 1300 s. Before, each
        // 1448-byte segment was charged 2280 bytes of memory, so the data did not fit the 131072-byte buffer that
        // the window (never shrunk, aligned up at every ACK) had promised: in-order segments were refused while a
        // window stayed open, the loss probe and the retransmissions overran it, and the transfer stalled. Linux
        // coalesces in-order segments into the last buffer of the queue, at the cost of their bytes only.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => AcceptAndReadSlowly(p, chunk: 16, interval: 0.208));
        lab.Run("client", lab.Client, p => ConnectSendAndClose(p, 45860, 49198));
        lab.RunUntil(1300);

        var reads = lab.Calls.Of("server").Split('\n').Where(l => l.Contains(" recv(16)", StringComparison.Ordinal)).ToList();
        Assert.Equal(95058, reads.Sum(l => int.Parse(l.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.EndsWith("recv(16) -> 0 bytes", reads[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(lab.ServerStack.Snapshot(), s => s.State != TcpState.Listen && s.State != TcpState.TimeWait);
    }

    private static IEnumerable<Step> AcceptAndReadSlowly(ScriptedProcess p, int chunk, double interval)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var socket = p.Accepted!;
        yield return socket.Shutdown(ShutdownHow.Write);
        do
        {
            yield return socket.Recv(chunk);
            yield return Script.Sleep(interval);
        }
        while (p.LastReceived > 0);

        yield return socket.Close();
    }

    private static IEnumerable<Step> ConnectSendAndClose(ScriptedProcess p, params int[] writes)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        foreach (int bytes in writes)
        {
            yield return socket.Send(bytes);
        }

        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }

    private static IEnumerable<Step> ShrinkThenRecv(Sock socket, double shrinkAt, double readAt) =>
        ShrinkThenRecv(socket, shrinkAt, "SO_RCVBUF 1071", 1071, readAt, 65536);

    private static IEnumerable<Step> ShrinkThenRecv(Sock socket, double shrinkAt, string text, int receiveBuffer, double readAt, int bytes)
    {
        yield return Script.Until(shrinkAt);
        yield return socket.SetOptions(text, o => o with { ReceiveBuffer = receiveBuffer });
        yield return Script.Until(readAt);
        yield return socket.Recv(bytes);
    }


}
