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

    [Fact]
    public void Routed_writes_leave_as_gso_packets_of_half_the_congestion_window_when_gso_is_on()
    {
        // Proves against tests/reference/kernel/23-transfer-routed.txt, with GSO on every interface as on the kernel's
        // veths (the default, gso_max_segs 65535; the script leaves it): the 20000-byte write is one sk_buff (size_goal 22
        // MSS, half of the SYN-ACK's 65160 window) sent as GSO packets of at most half the congestion window
        // (tcp_cwnd_test: 5 of 10 segments) — 7240, 7240, then the 5520 left once the first is ACKed — each ACKed at
        // once by the receiver (more than one rcv_mss, which stays 1448 as tcp_measure_rcv_mss takes gso_size); the
        // 3000-byte write is one packet. What still differs: the kernel marked PSH on the first two packets as well
        // (the simulator's first parts of a cut sk_buff lose it, as tso_fragment's do; the kernel's boundaries there
        // are its own sk_buffs), the order of packets and ACKs at the same instant (the simulator's link has no delay:
        // the kernel's first ACK came back between the first two packets, its second after the third packet; the
        // simulator's ACKs both come before the third), its windows after the third packet (97, then 103; the
        // simulator's receiver opens 103 at once), and the 100000-byte write at t=5: its first packet (20272 bytes,
        // tcp_tso_autosize from BBR's pacing rate) is the kernel's, the rest follow the kernel's timing of ACKs.
        var lab = Lab.Routed();
        lab.Run("server", lab.Server, p => Server(p, "10.0.2.2:8080"));
        lab.Run("client", lab.Client, p => Client(p, "10.0.1.2:40000", "10.0.2.2:8080"));
        lab.RunUntil(7);
        static string Unmarked(string line) => line.Replace(" P. ", " . ", StringComparison.Ordinal);
        var kernel = KernelReference.Load("23-transfer-routed.txt").WireText(withTime: false).Split('\n').Take(15).ToList();
        var simulated = lab.Wire.Text(withTime: false).Split('\n').Take(15).ToList();
        // Each direction alone (the kernel's pacing put the first ACK between the first two packets).
        static List<string> From(IEnumerable<string> lines, string direction) => [.. lines.Where(l => l.StartsWith(direction, StringComparison.Ordinal)).Select(Unmarked)];
        Assert.Equal(From(kernel, "40000>8080"), From(simulated, "40000>8080"));
        Assert.Equal(
            From(kernel, "8080>40000").Select(l => l.Replace(" win 97 ", " win 103 ", StringComparison.Ordinal).Replace(" win 103 ", " win *", StringComparison.Ordinal)),
            From(simulated, "8080>40000").Select(l => l.Replace(" win 109 ", " win 103 ", StringComparison.Ordinal).Replace(" win 103 ", " win *", StringComparison.Ordinal)));
        Assert.Equal(
            [
                "40000>8080 . seq 1:7241 ack 1 win 63 [TS] length 7240",       // kernel P.
                "40000>8080 . seq 7241:14481 ack 1 win 63 [TS] length 7240",   // kernel P., after the ACK of the first
                "8080>40000 . ack 7241 win 78 [TS]",
                "8080>40000 . ack 14481 win 92 [TS]",                           // kernel: after the next packet
                "40000>8080 P. seq 14481:20001 ack 1 win 63 [TS] length 5520",
                "8080>40000 . ack 20001 win 103 [TS]",                          // kernel 97
            ],
            simulated.Skip(3).Take(6));
        Assert.Equal("40000>8080 P. seq 20201:23201 ack 1 win 63 [TS] length 3000", simulated[13]);
        string firstBulkPacket = "40000>8080 . seq 23201:43473 ack 1 win 63 [TS] length 20272";
        Assert.Equal(firstBulkPacket, Unmarked(KernelReference.Load("23-transfer-routed.txt").WireText(withTime: false).Split('\n')[15]));
        Assert.Equal(firstBulkPacket, lab.Wire.Text(withTime: false).Split('\n')[15]);
    }

    [Fact]
    public void Routed_writes_leave_in_mss_sized_segments_with_gso_off()
    {
        // GSO off on the client (gso_max_segs 1, as kernel-lab sets on c0 in experiments 25 to 27): one segment per
        // sk_buff of one MSS, so the 20000-byte write is fourteen segments and the 3000-byte write two plus PSH on 104.
        var lab = Lab.Routed();
        lab.SetGsoMaxSegs(lab.Client, 1);
        lab.Run("server", lab.Server, p => Server(p, "10.0.2.2:8080"));
        lab.Run("client", lab.Client, p => Client(p, "10.0.1.2:40000", "10.0.2.2:8080"));
        lab.RunUntil(7);
        var client = lab.Wire.Text(withTime: false).Split('\n').Where(l => l.StartsWith("40000>8080", StringComparison.Ordinal) && l.Contains("length", StringComparison.Ordinal)).ToList();
        Assert.All(client, l => Assert.True(int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) <= 1448, l));
        Assert.Equal(14, client.TakeWhile(l => !l.Contains("seq 20001:", StringComparison.Ordinal)).Count());
    }

    private static IEnumerable<Step> Server(ScriptedProcess p) => Server(p, "127.0.0.1:8080");

    private static IEnumerable<Step> Client(ScriptedProcess p) => Client(p, "127.0.0.1:40000", "127.0.0.1:8080");

    private static IEnumerable<Step> Server(ScriptedProcess p, string address)
    {
        var listener = p.Socket();
        yield return listener.Bind(address);
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

    private static IEnumerable<Step> Client(ScriptedProcess p, string address, string server)
    {
        yield return Script.Until(1.0);
        var socket = p.Socket();
        yield return socket.Bind(address);
        yield return socket.Connect(server);
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
