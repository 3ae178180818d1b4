using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 25 (recorded for this suite): a slow reader fills its receive buffer. The client sends 45860 +
/// 49198 bytes at t=2 and shuts down; the server reads 16 bytes every 208 ms until t=20, then the rest.
/// </summary>
public sealed class SlowReaderExperimentTests
{
    [Fact]
    public void With_default_buffers_every_segment_is_taken_and_coalesced()
    {
        // Proves against tests/reference/kernel/25-slow-reader-default.txt: with a 131072-byte buffer the server
        // takes all 95058 bytes at once, with no pruning and no drop. Each in-order segment after the first is
        // coalesced into the last buffer of the queue (tcp_try_coalesce) and costs only its bytes, so the
        // window — grown to 77, then drawn in by a unit per segment as its right edge stays put, 31 at the
        // delayed ACK and 20 at the end — is always backed by memory. The server's segments are compared here
        // (the client's, whose pacing (BBR) the simulator does not model, in the test below); the kernel's client
        // sent 32 ms late, as the script does.
        var lab = Path();
        lab.Run("server", lab.Server, p => Server(p, receiveBuffer: null));
        lab.Run("client", lab.Client, p => Client(p, sendAt: 1.9725));
        lab.RunUntil(30);

        var kernel = ServerSegments(KernelReference.Load("25-slow-reader-default.txt").WireText(withTime: false));
        var simulated = ServerSegments(lab.Wire.Text(withTime: false));
        Assert.Equal(kernel[..^2], simulated[..^2]);
        Assert.Equal("8080>40000 . ack 95060 win 20 [TS]", simulated[^1]);
        Assert.Equal(95058, BytesRead(lab));
        Assert.Equal(0, lab.ServerStack.Counters.PruneCalled);
    }

    [Fact]
    public void With_default_buffers_the_sender_cuts_each_write_into_its_own_segments()
    {
        // Proves against tests/reference/kernel/25-slow-reader-default.txt, the client's side: each write becomes
        // sk_buffs of one MSS (GSO off on the kernel's c0), so the first write ends in a short segment
        // (44889:45861, 972 bytes, PSH from tcp_push) and the second starts a segment of its own although the
        // window had room. In the first write the backlog taken in before the 17th sk_buff (sk_flush_backlog) held
        // the ACKs of the first ten segments, coalesced into the last (window 72, max_window 73728), so forced_push
        // marks 36201:37649. The second write runs out of send buffer (BBR's 3 × 10 × 2304 = 69120 bytes for
        // 31 sk_buffs of 1448 + 832 bytes) before it allocates the sk_buff after 74821, exactly as the kernel's; with
        // BBR's pacing (the first ten segments unpaced, then ~20 µs apart) 73373:74821 is the tail tcp_push marks PSH,
        // and the FIN rides the last segment, as on the kernel. One segment differs: the kernel's loss probe, 10.1 ms
        // after the last segment, found the woken writer's next segment queued and sent it (74821:76269) as new data;
        // the simulator's writer wakes only when the ACK frees the buffer, so its probe, 12 ms after, retransmits
        // 73373:74821 first (the receiver D-SACKs it); the rest is the kernel's, segment for segment.
        var lab = Path();
        lab.Run("server", lab.Server, p => Server(p, receiveBuffer: null));
        lab.Run("client", lab.Client, p => Client(p, sendAt: 1.9725));
        lab.RunUntil(30);

        var kernel = ClientSegments(KernelReference.Load("25-slow-reader-default.txt").WireText(withTime: false));
        var simulated = ClientSegments(lab.Wire.Text(withTime: false));
        Assert.Equal(69, kernel.Count);
        int probe = kernel.IndexOf("40000>8080 P. seq 73373:74821 ack 2 win 63 [TS] length 1448");
        Assert.Equal(54, probe);
        var expected = kernel.ToList();
        expected.Insert(probe + 1, kernel[probe]);
        Assert.Equal(expected, simulated);
    }

    [Fact]
    public void With_SO_RCVBUF_4096_the_sender_marks_psh_every_half_window()
    {
        // Proves against tests/reference/kernel/25-slow-reader-rcvbuf.txt, the client's side: the peer's largest
        // window is 2896 bytes, so forced_push marks every second 1448-byte segment PSH as the write is copied
        // (write_seq more than 1448 past the last mark); the first write's short tail (972 bytes) was still unsent
        // when the second write came and was topped up to 44889:46337, keeping the PSH of the first write's end.
        // The send buffer (69120 bytes; the first write's ACKs taken in before its 17th sk_buff, sk_flush_backlog, so
        // that write never waits) runs out in the second write as on the kernel, where tcp_push marks the tail and
        // forced_push counts from the mark. BBR grows cwnd to 14 in its first ten deliveries (cwnd + acked while
        // delivered < TCP_INIT_CWND) although the window keeps the flight at two segments, so sk_sndbuf grows to
        // 3 × 14 × 2304 = 96768 and the woken writer copies up to 68057 before running out again, which marks
        // 66609:68057, as on the kernel. Every segment and mark is the kernel's but one: the kernel's server left two
        // segments unacknowledged for 9 ms (the reader's timing), so the client sent a loss probe (69505:70953
        // again) that the simulator's never needs.
        var lab = Path();
        lab.Run("server", lab.Server, p => Server(p, receiveBuffer: 4096, firstReadAt: 2.003));
        lab.Run("client", lab.Client, p => Client(p, sendAt: 2.0));
        lab.RunUntil(30);

        var kernel = ClientSegments(KernelReference.Load("25-slow-reader-rcvbuf.txt").WireText(withTime: false));
        var simulated = ClientSegments(lab.Wire.Text(withTime: false));
        int probe = kernel.LastIndexOf("40000>8080 P. seq 69505:70953 ack 2 win 63 [TS] length 1448");
        Assert.Equal(probe - 1, kernel.IndexOf(kernel[probe]));
        kernel.RemoveAt(probe);
        Assert.Contains("40000>8080 P. seq 44889:46337 ack 2 win 63 [TS] length 1448", simulated);
        Assert.Equal("40000>8080 FP. seq 94121:95059 ack 2 win 63 [TS] length 938", simulated[^1]);
        Assert.Equal(kernel, simulated);
    }

    [Fact]
    public void With_SO_RCVBUF_4096_the_window_closes_until_the_reader_catches_up()
    {
        // Proves against tests/reference/kernel/25-slow-reader-rcvbuf.txt: SO_RCVBUF 4096 (8192, locked) offers
        // 2896 bytes with wscale 0; the reader's first recv() (which woke 3 ms late on the kernel, so the script
        // waits as long) sends the ACK owed for two segments (tcp_cleanup_rbuf) with the window down to 1448; a
        // fourth segment fills the buffer (sk_rmem_alloc 6624 = 832 + 4 × 1448, the last three coalesced) and
        // the window is zero: reading 16 bytes at a time frees nothing, so every window probe gets a zero window
        // until the reader reads everything at t=20. Nothing is ever refused for memory. The server's
        // segments are compared here, up to 19.05 s (the client's in the test above).
        var lab = Path();
        lab.Run("server", lab.Server, p => Server(p, receiveBuffer: 4096, firstReadAt: 2.003));
        lab.Run("client", lab.Client, p => Client(p, sendAt: 2.0));
        lab.RunUntil(30);

        var kernel = KernelReference.Load("25-slow-reader-rcvbuf.txt").Wire().Where(r => r.Time <= 19.05e9);
        Assert.Equal(ServerSegments(WireText.Render(kernel, withTime: false)), ServerSegments(lab.Wire.Text(withTime: false, untilSeconds: 19.05)));
        Assert.Equal(95058, BytesRead(lab));
        Assert.Equal(0, lab.ServerStack.Counters.PruneCalled);
    }

    /// <summary>What the server's recv() calls returned, in all.</summary>
    private static int BytesRead(Lab lab) =>
        lab.Calls.Of("server").Split('\n').Where(l => l.Contains(" recv(", StringComparison.Ordinal) && l.EndsWith(" bytes", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The segments the client sent, in order, as WireText lines without times.</summary>
    private static List<string> ClientSegments(string wire) =>
        wire.Split('\n').Where(l => l.StartsWith("40000>8080", StringComparison.Ordinal)).ToList();

    /// <summary>The segments the server sent, in order, as WireText lines without times.</summary>
    private static List<string> ServerSegments(string wire) =>
        wire.Split('\n').Where(l => l.StartsWith("8080>40000", StringComparison.Ordinal)).ToList();

    /// <summary>Routed and instant, with GSO off on the client's interface (gso_max_segs 1 on c0, as the script sets it).</summary>
    private static Lab Path()
    {
        var lab = Lab.Routed();
        lab.SetGsoMaxSegs(lab.Client, 1);
        return lab;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, int? receiveBuffer, double firstReadAt = 0)
    {
        var listener = p.Socket();
        if (receiveBuffer is { } size)
        {
            yield return listener.SetOptions($"SO_RCVBUF {size}", o => o with { ReceiveBuffer = size });
        }

        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        yield return connection.Shutdown(ShutdownHow.Write);
        yield return Script.Until(firstReadAt);
        while (p.Lab.System.Now.TotalSeconds < 20.0)
        {
            yield return connection.Recv(16);
            if (p.LastReceived <= 0)
            {
                break;
            }

            yield return Script.Sleep(0.208);
        }

        do
        {
            yield return connection.Recv();
        }
        while (p.LastReceived > 0);

        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p, double sendAt)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(sendAt);
        yield return socket.Send(45860);

        // The kernel's first send() took half a millisecond, long enough for the ACKs of its first segments to
        // come back; release_sock processed them (opening the window, sending the rest of the write, its short
        // tail included) before the second send() began. The simulator's send() takes no time, so its script
        // waits for those ACKs.
        yield return Script.Sleep(0.0001);
        yield return socket.Send(49198);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
