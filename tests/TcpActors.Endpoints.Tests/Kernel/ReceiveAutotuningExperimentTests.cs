using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 43 (recorded for this suite): receive-buffer autotuning over a 1000000-byte transfer on a 40 ms path
/// at 10 Mbit/s (kernel-lab's delay line: 20 ms each way after serialising at the rate), reno.
/// </summary>
public sealed class ReceiveAutotuningExperimentTests
{
    [Fact]
    public void Windows_of_a_bulk_transfer_grow_with_the_receive_buffer_round_after_round()
    {
        // Proves against tests/reference/kernel/43-receive-autotuning.txt. The reader takes every segment as it
        // comes (10 Mbit/s: one every 1.2 ms), so each ACK offers min(rcv_ssthresh, free space) with one segment
        // queued. Without autotuning the window would stop at the clamp of tcp_rmem's default 131072 (79-80, see
        // the second test); with it, each round trip's reads grow sk_rcvbuf (ss: rb 244316, 603292, 1822348,
        // 3030518) and window_clamp with it, and rcv_ssthresh climbs 2 × advmss per segment to the new clamp:
        // plateaus at 148 and 367, then a climb to 1586 by the end of the transfer.
        var lab = Path();
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(6);

        // The server's segments are the kernel's up to 1.0385 s, windows aside (below). After that the kernel once
        // ACKed an odd segment (99913; 309873 to 376481) where the simulator ACKs the next, as the kernel's reader
        // and delayed-ACK timing allow; the windows stay comparable ACK by ACK where both ACK the same byte.
        Expect.SameAsKernel(lab.Wire, "43-receive-autotuning.txt", untilSeconds: 1.0385, only: r => r.Source.Port == 8080, windows: false);

        var kernel = Acks(KernelReference.Load("43-receive-autotuning.txt").WireText(withTime: true));
        var simulated = Acks(lab.Wire.Text()).GroupBy(a => a.Ack).ToDictionary(g => g.Key, g => g.First());
        var shared = kernel.Where(a => simulated.ContainsKey(a.Ack)).Select(a => (a.Time, a.Ack, Kernel: a.Window, Simulated: simulated[a.Ack].Window)).ToList();
        Assert.Equal(598, shared.Count);
        Assert.Equal(545, shared.Count(a => a.Kernel == a.Simulated));

        // Until the buffer first grew, free space bounds the window, and the kernel's segments came through
        // kernel-lab's delay line in linear buffers (AF_PACKET, 2304 bytes of truesize each, as experiment 35's raw
        // peer), where the simulator charges a TCP sender's page fragments (2280): a scaling ratio of 160 against
        // 162 offers one unit less (79 against 80; 76 against 78 with two segments queued).
        var early = shared.Where(a => a.Kernel != a.Simulated && a.Time < 1.0223).ToList();
        Assert.Equal(46, early.Count);
        Assert.All(early, a => Assert.InRange(a.Simulated - a.Kernel, 1, 2));

        // Later the only differences are one step of each later climb, one unit the other way.
        var late = shared.Where(a => a.Kernel != a.Simulated && a.Time >= 1.0223).Select(a => (a.Ack, a.Kernel, a.Simulated)).ToList();
        Assert.Equal(
            [(417025u, 447, 446), (509697u, 628, 627), (602369u, 809, 808), (695041u, 990, 989), (787713u, 1171, 1170), (880385u, 1352, 1351), (973057u, 1533, 1532)],
            late);

        // The plateaus where rcv_ssthresh met window_clamp: the clamp of the default buffer, then of each grown one.
        Assert.Equal([79, 148, 367], Plateaus(kernel));
        Assert.Equal([80, 148, 367], Plateaus([.. simulated.Values.OrderBy(a => a.Time)]));
        Assert.Equal(1586, simulated.Values.Max(a => a.Window));
    }

    [Fact]
    public void Without_autotuning_the_window_stops_at_the_default_buffer()
    {
        // net.ipv4.tcp_moderate_rcvbuf=0 on the receiver: tcp_rcvbuf_grow leaves sk_rcvbuf at tcp_rmem's default,
        // so the window never passes the clamp of 131072 bytes at the measured ratio (82944 bytes, 80 units
        // with one segment queued) and the transfer takes longer.
        var lab = Path("net.ipv4.tcp_moderate_rcvbuf=0");
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, Client);
        lab.RunUntil(6);
        var acks = Acks(lab.Wire.Text());
        Assert.Equal(80, acks.Max(a => a.Window));
        Assert.Equal([80], Plateaus(acks));
    }

    /// <summary>The server's ACKs (after the handshake) in a rendered capture: time, relative ack, window.</summary>
    private static List<(double Time, uint Ack, int Window)> Acks(string wire) =>
        [.. wire.Split('\n')
            .Where(l => l.Contains("8080>40000 .", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (
                double.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture),
                uint.Parse(f[Array.IndexOf(f, "ack") + 1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(f[Array.IndexOf(f, "win") + 1], System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>Windows offered by at least five ACKs in a row.</summary>
    private static List<int> Plateaus(List<(double Time, uint Ack, int Window)> acks)
    {
        var plateaus = new List<int>();
        for (int i = 0, run = 1; i < acks.Count; i++, run = i < acks.Count && acks[i].Window == acks[i - 1].Window ? run + 1 : 1)
        {
            if (run == 5)
            {
                plateaus.Add(acks[i].Window);
            }
        }

        return plateaus;
    }

    [Fact]
    public void Ss_info_matches_the_kernel_for_the_fields_the_simulator_models()
    {
        // Proves the receiver's tcp_info through autotuning against the recording's 13 ss -tanoi snapshots of the
        // server (every 100 ms from 2.05 s). Exact: the options, MSS values, rcv_space (rcvq_space.space, the
        // autotuning's measure: 14480, 28960, 89776, 183896, 344624), snd_wnd, delivered and app_limited; and once the
        // 1000000 bytes are in, bytes_received, segs_in and data_segs_in. While the data flows a segment arrives every
        // 1.2 ms and ss read the kernel's socket a few ms after the label, so bytes_received is within 2 segments of
        // the simulator's at the label. segs_out within 3: the kernel's reader and delayed ACKs ACKed differently at
        // times (see the first test). rcv_rtt within 3 % (the simulated RTT is 40.09 ms, the kernel's 40.6), and
        // rcv_ssthresh within 1.5 % (tcp_grow_window's steps land differently: 81501 against 80480 at the first
        // snapshot, 1623790 against 1623793 at the end). The ages are not compared: one of these ss runs read the clock 64 ms late. Both ran
        // reno, as kernel-lab set it for this experiment.
        var lab = Path();
        lab.Run("server", lab.Server, TransferScripts.ReadingServer);
        lab.Run("client", lab.Client, Client);
        var taken = SsInfoFields.AtEverySnapshot(lab, "43-receive-autotuning.txt", _ => lab.ServerStack);
        lab.RunUntil(6);
        Assert.Equal(13, taken.Count);
        foreach (var (heading, kernel, simulated) in taken)
        {
            Assert.True(simulated is not null, $"{heading}: the kernel shows {kernel.Line}, the simulator no such socket");
            SsInfoFields.AssertSame(kernel, simulated, "ts", "sack", "wscale", "mss", "pmtu", "rcvmss", "advmss", "rcv_space", "snd_wnd", "delivered", "app_limited", "cwnd");
            if (kernel.Number("bytes_received") == 1_000_000)
            {
                SsInfoFields.AssertSame(kernel, simulated, "bytes_received", "segs_in", "data_segs_in");
            }

            Assert.InRange(kernel.Number("bytes_received") - simulated.Number("bytes_received"), -2 * 1448, 2 * 1448);
            Assert.InRange(kernel.Number("segs_out") - simulated.Number("segs_out"), -3, 3);
            SsInfoFields.AssertClose(kernel, simulated, "rcv_rtt", 0.03);
            SsInfoFields.AssertClose(kernel, simulated, "rcv_ssthresh", 0.015);
        }
    }

    /// <summary>
    /// The delay line as one link: 10 Mbit/s and 20 ms each way between client and router, the rest instant; GSO off
    /// on both hosts as lab_delay_line sets it.
    /// </summary>
    /// <summary>The recording's namespaces ran reno (kernel-lab set it; their default is bbr).</summary>
    private const string Reno = "net.ipv4.tcp_congestion_control=reno";

    private static Lab Path(params string[] server)
    {
        var lab = Lab.Routed(
            client: [Reno],
            server: [Reno, .. server],
            links: new LinkSettings(Duration.FromMilliseconds(20), BandwidthBitsPerSecond: 10_000_000, QueueLimitPackets: 100_000),
            serverLinks: new LinkSettings(Duration.Zero));
        lab.GsoOffBehindTheDelayLine();
        return lab;
    }

    private static IEnumerable<Step> Client(ScriptedProcess p)
    {
        // The kernel run's client connected at 1.132 (its process started late), then wrote at 2.0.
        yield return Script.Until(1.132);
        var socket = p.Socket();
        yield return socket.Bind("10.0.1.2:40000");
        yield return socket.Connect("10.0.2.2:8080");
        yield return Script.Until(2.0);
        yield return socket.Send(1_000_000);
        yield return Script.Until(5.0);
        yield return socket.Close();
    }
}
