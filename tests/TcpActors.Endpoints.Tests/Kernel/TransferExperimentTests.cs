using TcpActors.Endpoints.Tests.Harness;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>Experiment 23 (recorded for this suite): writes larger than a segment, on loopback.</summary>
public sealed class TransferExperimentTests
{
    [Fact]
    public void Loopback_writes_go_out_whole_up_to_half_the_peer_window_and_open_the_receive_window()
    {
        // Proves against tests/reference/kernel/23-transfer-loopback.txt: a 20000-byte write leaves as one
        // segment (MSS 65483) ACKed with the window grown to 104, two back-to-back 100-byte writes are not
        // merged (the first is ACKed at once), 3000 bytes open the window to 119; a 100000-byte write is cut at
        // half the largest window the peer offered (tcp_bound_to_half_wnd: 121856 / 2 = 60928), without PSH on
        // the first part. The kernel ACKed both parts before its reader ran (0.7 ms later), with the data still
        // queued (67, 29), then sent a window update (88); the simulator's reader takes each part at the instant
        // it arrives, before the ACK (119, 88). Receive-buffer autotuning plays no part: the first round-trip sample (window-based;
        // loopback's timestamps measure 0 ms, which 6.18 ignores) comes with the second part, 3 s after the
        // measure began, and what was read by then (45056 bytes) is less than rcvq_space.space (65483). The
        // client's segments are the kernel's to the end: each write its own segment (size_goal is the MSS, the
        // tail of a write goes out before the next), PSH on the last of each write (tcp_push) and none on the
        // 60928 bytes cut from the 100000-byte write, as forced_push fires only beyond half the window
        // (write_seq − pushed_seq = 60928 is not more than 121856 / 2); the FIN alone.
        var lab = Lab.Loopback();
        lab.Run("server", lab.Server, Server);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(7);
        Expect.SameAsKernel(lab.Wire, "23-transfer-loopback.txt", untilSeconds: 3.5, lateFraction: 0.01);
        var bulk = lab.Wire.Text().Split('\n').Skip(11).Take(2).ToList();
        Assert.Equal(
            [
                "4.000000 40000>8080 . seq 23201:84129 ack 1 win 64 [TS] length 60928",   // kernel 3.999879
                "4.000000 40000>8080 P. seq 84129:123201 ack 1 win 64 [TS] length 39072", // kernel 3.999908
            ],
            bulk);
        var serverBulk = lab.Wire.Text().Split('\n').Where(l => l.Contains("8080>40000", StringComparison.Ordinal)).Skip(5).Take(2).ToList();
        Assert.Equal(
            [
                "4.000000 8080>40000 . ack 84129 win 119 [TS]", // kernel 3.999897 win 67: its reader had not run yet
                "4.000000 8080>40000 . ack 123201 win 88 [TS]", // kernel: win 29, then 88 0.7 ms later, once read
            ],
            serverBulk);
        var kernelClient = KernelReference.Load("23-transfer-loopback.txt").WireText(withTime: false).Split('\n').Where(l => l.StartsWith("40000>8080", StringComparison.Ordinal));
        var simulatedClient = lab.Wire.Text(withTime: false).Split('\n').Where(l => l.StartsWith("40000>8080", StringComparison.Ordinal));
        Assert.Equal(kernelClient, simulatedClient);
        Assert.Equal(10, simulatedClient.Count());
    }

    private static IEnumerable<Step> Server(ScriptedProcess p)
    {
        var listener = p.Socket();
        yield return listener.Bind("127.0.0.1:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        var connection = p.Accepted!;
        for (int i = 0; i < 400; i++)
        {
            yield return connection.Recv();
            if (p.LastReceived <= 0)
            {
                break;
            }
        }

        yield return connection.Close();
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind("127.0.0.1:40000");
        yield return socket.Connect("127.0.0.1:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(20000);
        yield return Script.Until(3.0);
        yield return socket.Send(100);
        yield return socket.Send(100);
        yield return Script.Until(4.0);
        yield return socket.Send(3000);
        yield return Script.Until(5.0);
        yield return socket.Send(100000);
        yield return Script.Until(6.0);
        yield return socket.Close();
    }
}
