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
        // delayed ACK and 20 at the end — is always backed by memory. Only the server's segments are compared:
        // the kernel's sender paced its segments (BBR), split the two writes and marked PSH at every half window
        // (forced_push), none of which the simulator models; its client sent 32 ms late, as the script does.
        var lab = Lab.Routed();
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
    public void With_SO_RCVBUF_4096_the_window_closes_until_the_reader_catches_up()
    {
        // Proves against tests/reference/kernel/25-slow-reader-rcvbuf.txt: SO_RCVBUF 4096 (8192, locked) offers
        // 2896 bytes with wscale 0; the reader's first recv() (which woke 3 ms late on the kernel, so the script
        // waits as long) sends the ACK owed for two segments (tcp_cleanup_rbuf) with the window down to 1448; a
        // fourth segment fills the buffer (sk_rmem_alloc 6624 = 832 + 4 × 1448, the last three coalesced) and
        // the window is zero: reading 16 bytes at a time frees nothing, so every window probe gets a zero window
        // until the reader reads everything at t=20. Nothing is ever refused for memory. Only the server's
        // segments are compared: the kernel's sender paced its first segments (BBR) and marks PSH at every half
        // window (forced_push), neither of which the simulator models.
        var lab = Lab.Routed();
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

    /// <summary>The segments the server sent, in order, as WireText lines without times.</summary>
    private static List<string> ServerSegments(string wire) =>
        wire.Split('\n').Where(l => l.StartsWith("8080>40000", StringComparison.Ordinal)).ToList();

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
        yield return socket.Send(49198);
        yield return socket.Shutdown(ShutdownHow.Write);
        yield return socket.Recv();
        yield return socket.Close();
    }
}
