using TcpActors.Endpoints.Tests.Harness;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Kernel;

/// <summary>
/// Experiment 40: tcp_cwnd_application_limited (RFC 2861). A congestion window the application leaves unused for an
/// RTO after the last ACK that delivered data (snd_cwnd_stamp) shrinks halfway toward what was used, at least the
/// initial window, at the next send (tcp_cwnd_validate). The kernel ran reno (BBR has cong_control and skips it).
/// </summary>
public sealed class CwndApplicationLimitedExperimentTests
{
    [Fact]
    public void A_window_left_unused_for_an_rto_shrinks_toward_the_initial_window()
    {
        // Proves against tests/reference/kernel/40-cwnd-application-limited.txt: slow start takes the window to 40 (10
        // segments, then 20, each ACKed); then one 100-byte segment every 150 ms, ACKed two at a time, puts every second
        // send about 290 ms after the last ACK, 72 or 73 ticks of 4 ms. That is an RTO (212, then 232 ms) twice: the
        // window goes 40 → 25 → 17; RTT samples of 160 ms raise the RTO to 292 ms (73 ticks), reached once more at
        // 2.6 (tick 650 against the stamp's 577: 13), then to 352 ms and more. The 50-segment write at the end goes out
        // 13 segments at once (40 without the shrink).
        var dialogue = Start();
        // ss -i's cwnd at the kernel's snapshot times (1.8: 40, 2.05: 25, 2.35: 17, 3.3: 13).
        var windows = new List<int?>();
        foreach (double at in (double[])[1.8, 2.05, 2.35, 3.3])
        {
            dialogue.Lab.At(at, () => windows.Add(dialogue.Lab.ServerStack.Snapshot().Single(s => s.State == TcpState.Established).CongestionWindow));
        }

        dialogue.Lab.RunUntil(3.6);
        Expect.SameAsKernel(dialogue.Lab.Wire, "40-cwnd-application-limited.txt", untilSeconds: 2.5);
        Assert.Equal(13, dialogue.Lab.Wire.Segments.Count(s => s.Record.Length == 1448 && s.At >= 3_350_000_000));
        Assert.Equal([40, 25, 17, 13], windows);
    }

    [Fact]
    public void Ss_info_matches_the_kernel_for_the_fields_the_simulator_models()
    {
        // Proves tcp_info's counters and the delivery-rate sample against the recording's four ss -tanoi snapshots:
        // the peer's ACKs are injected at the kernel run's times, so even the rate, a maximum over app-limited samples
        // (every segment left inside a bubble: each send() found nothing in flight), can be compared closely.
        var dialogue = Start();
        var snapshots = new List<(SsInfoFields Kernel, SsInfoFields Simulated)>();
        foreach (string t in new[] { "1.804", "2.050", "2.350", "3.300" })
        {
            string heading = "t=" + t + " probes40-s server";
            var kernel = SsInfoFields.Recorded("40-cwnd-application-limited.txt", heading, 8080);
            dialogue.Lab.At(SsInfoFields.RecordedAt("40-cwnd-application-limited.txt", heading), () => snapshots.Add((kernel, SsInfoFields.Simulated(dialogue.Lab.ServerStack, 8080))));
        }

        dialogue.Lab.RunUntil(3.6);
        Assert.Equal(4, snapshots.Count);
        foreach (var (kernel, simulated) in snapshots)
        {
            SsInfoFields.AssertSame(kernel, simulated, "ts", "sack", "reno", "wscale", "mss", "pmtu", "rcvmss", "advmss", "cwnd", "ssthresh",
                "bytes_sent", "bytes_retrans", "bytes_acked", "bytes_received", "segs_out", "segs_in", "data_segs_out", "data_segs_in",
                "delivered", "app_limited", "unacked", "retrans", "lost", "sacked", "rcv_space", "rcv_ssthresh", "notsent", "snd_wnd");

            // The rate: every segment left inside an app-limited bubble, so the socket keeps the fastest sample, the
            // ACK of the whole 20-segment flight. In the simulation the flight leaves at 1.7 and the injected ACKs end
            // at 1.7140 (0.1 ms apart): 20 × 1448 × 10⁶ / 14 000 µs = 2 068 571 B/s, exactly. The kernel's flight left
            // at 1.7006 and its peer's ACKs came 0.045 ms apart, ending at 1.7118: 11 312 µs, 20480904bps, 24 % more.
            // The same schedule puts the simulated RTT samples 12–14 ms where the kernel's were 10–11 ms, so rtt,
            // send, pacing_rate and rto are compared within 25 %, and minrtt is the handshake's: the third ACK is injected
            // 0.2 ms after the simulated SYN-ACK (the kernel's SYN-ACK left 0.11 ms later: 0.312 ms).
            Assert.Equal("16548568bps", simulated["delivery_rate"]);
            Assert.Equal("0.2", simulated["minrtt"]);
            foreach (string timed in new[] { "delivery_rate", "rtt", "send", "pacing_rate", "rto" })
            {
                SsInfoFields.AssertClose(kernel, simulated, timed, 0.25);
            }

            // Ages within 8 ms, two jiffies (HZ 250), either way: the label is when the harness started ss, and the
            // kernel's jiffy edges are not aligned with the calls clock. The busy time sums one period per send (12
            // by 3.3 s), each counted in whole jiffies at both ends, so each may round one jiffy either way: within
            // 16 ms (seen: 8–12 ms).
            foreach (var (age, tolerance) in new[] { ("lastsnd", 8.0), ("lastrcv", 8.0), ("lastack", 8.0), ("busy", 16.0) })
            {
                Assert.True(Math.Abs(kernel.Number(age) - simulated.Number(age)) <= tolerance, $"{age}: kernel {kernel[age]}, simulator {simulated[age]}");
            }
        }
    }

    private static Dialogue Start()
    {
        var dialogue = Dialogue.WithListener(Server, "net.ipv4.tcp_early_retrans=0", "net.ipv4.tcp_congestion_control=reno");
        dialogue.Timestamps = true;
        dialogue.Lab.SetGsoMaxSegs(dialogue.Lab.Server, 1); // s0: gso_max_segs 1, as the script sets it
        // The raw peer's times as the kernel run logged them (its ACKs about 0.1 ms apart).
        dialogue.Inject(1.001, TcpFlags.Syn, 0, window: 64240, options: new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 1002, HasWindowScale = true, WindowScale = 7 });
        dialogue.Inject(1.0012, TcpFlags.Ack, 1, 1, window: 1000);
        for (int k = 1; k <= 10; k++)
        {
            dialogue.Inject(1.511 + (k * 0.0001), TcpFlags.Ack, 1, (uint)(1 + (1448 * k)), window: 1000);
        }

        for (int k = 11; k <= 30; k++)
        {
            dialogue.Inject(1.711 + (k * 0.0001), TcpFlags.Ack, 1, (uint)(1 + (1448 * k)), window: 1000);
        }

        for (int k = 0; k < 5; k++)
        {
            dialogue.Inject(2.01 + (0.3 * k), TcpFlags.Ack, 1, (uint)(1 + (1448 * 30) + (200 * (k + 1))), window: 1000);
        }

        return dialogue;
    }

    private static IEnumerable<Step> Server(ScriptedProcess p, Sock socket)
    {
        yield return socket.SetOptions("TCP_NODELAY 1", o => o with { NoDelay = true });
        yield return Script.Until(1.5);
        yield return socket.Send(14480);
        yield return Script.Until(1.7);
        yield return socket.Send(28960);
        for (int k = 0; k < 10; k++)
        {
            yield return Script.Until(1.85 + (0.15 * k));
            yield return socket.Send(100);
        }

        yield return Script.Until(3.35);
        yield return socket.Send(72400);
        yield return Script.Until(4.5);
    }
}
