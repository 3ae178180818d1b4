namespace TcpActors.Endpoints.Tests.Units;

/// <summary>tcp_bbr.c's integer arithmetic and lib/win_minmax.c's running maximum, checked against values the kernel printed.</summary>
public sealed class BbrArithmeticTests
{
    [Fact]
    public void The_gains_are_the_kernels_fractions_of_256()
    {
        // bbr_high_gain = 256 × 2885 / 1000 + 1 = 739 (ss: 2.88672), bbr_drain_gain = 256 × 1000 / 2885 = 88, the
        // PROBE_BW window gain 512, the probing and draining phases 320 and 192.
        Assert.Equal(739U, Bbr.HighGain);
        Assert.Equal(88U, Bbr.DrainGain);
        Assert.Equal(512U, Bbr.CwndGainProbeBw);
        Assert.Equal("2.88672", (Bbr.HighGain / 256.0).ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_initial_pacing_rate_is_the_kernels_from_the_handshake_rtt()
    {
        // bbr_init_pacing_rate_from_rtt after a 72 µs handshake (01-lifecycle-routed.txt: rtt:0.072, pacing_rate
        // 4597963864bps): bw = 10 × 2^24 / 72 = 2330168; × 1448 × 739 >> 8, × 990000 >> 24 = 574745483 bytes a second.
        uint bw = (uint)((10UL << Bbr.BwScale) / 72);
        Assert.Equal(2330168U, bw);
        Assert.Equal(4_597_963_864UL, Bbr.RateBytesPerSecond(1448, bw, Bbr.HighGain) * 8);
    }

    [Fact]
    public void One_bandwidth_gives_the_kernels_bw_and_all_three_probe_bw_pacing_rates()
    {
        // 53-bbr-bulk.txt, t=4.20 to 4.55: bbr:(bw:9903264bps) with pacing_rate 9804232bps at gain 1, 12255296bps at
        // 1.25 and 7353176bps at 0.75. Exactly one bw (segments per µs << 24) prints all four: 14343, through
        // bbr_get_info (bw × mss × 10^6 >> 24) and bbr_rate_bytes_per_sec (the 1% margin included).
        var fits = Enumerable.Range(10_000, 10_000).Select(b => (uint)b)
            .Where(b => Bbr.InfoBandwidth(b, 1448) * 8 == 9_903_264 && Bbr.RateBytesPerSecond(1448, b, Bbr.BbrUnit) * 8 == 9_804_232).ToList();
        Assert.Equal([14343U], fits);
        Assert.Equal(12_255_296UL, Bbr.RateBytesPerSecond(1448, 14343, Bbr.BbrUnit * 5 / 4) * 8);
        Assert.Equal(7_353_176UL, Bbr.RateBytesPerSecond(1448, 14343, Bbr.BbrUnit * 3 / 4) * 8);
    }

    [Fact]
    public void The_bdp_rounds_up_and_is_the_initial_window_without_an_rtt()
    {
        // bbr_bdp: 14343 × 20763 µs = 297803709, × 512 >> 8 = 595607418, ⌈/ 2^24⌉ = 36 (35.5 segments);
        // before any RTT sample (min_rtt ~0U) TCP_INIT_CWND.
        var bbr = new BbrState { MinRttUs = 20763 };
        Assert.Equal(36U, Bbr.Bdp(bbr, 14343, Bbr.CwndGainProbeBw));
        Assert.Equal(18U, Bbr.Bdp(bbr, 14343, Bbr.BbrUnit));
        Assert.Equal(10U, Bbr.Bdp(new BbrState { MinRttUs = uint.MaxValue }, 14343, Bbr.CwndGainProbeBw));
    }

    [Theory]
    [InlineData(149_999L, 1448, 1U)]        // below bbr_min_tso_rate (1.2 Mbit/s): single segments
    [InlineData(1_225_529L, 1448, 2U)]      // 1196 bytes a ms: less than one MSS, min_tso_segs 2
    [InlineData(125_000_000L, 1448, 45U)]   // 1 Gbit/s: 122070 bytes a ms, bounded to 65279: 45 segments
    public void The_tso_goal_is_a_milliseconds_worth_of_segments(long pacingRate, int mss, uint goal)
    {
        // bbr_tso_segs_goal: min(rate >> 10, 65536 − 1 − 256) / mss, at least bbr_min_tso_segs, at most 127.
        Assert.Equal(goal, Bbr.TsoSegsGoal(pacingRate, mss));
    }

    [Fact]
    public void The_bandwidth_filter_keeps_the_best_of_ten_rounds_then_falls_back_to_the_next_best()
    {
        // minmax_running_max over rtt_cnt, window 10: 100 at round 0, 90 at round 3 (a quarter window on: second
        // best), 80 at round 6 (half a window: third); at round 11 the 100 is out of the window and 90 takes its
        // place, not the new 50. A higher sample resets all three.
        var filter = default(Minmax);
        filter.Reset(0, 0);
        filter.RunningMax(Bbr.BwRtts, 0, 100);
        filter.RunningMax(Bbr.BwRtts, 3, 90);
        filter.RunningMax(Bbr.BwRtts, 6, 80);
        Assert.Equal(100U, filter.Value);
        filter.RunningMax(Bbr.BwRtts, 11, 50);
        Assert.Equal(90U, filter.Value);
        filter.RunningMax(Bbr.BwRtts, 12, 95);
        Assert.Equal(95U, filter.Value);
        filter.RunningMax(Bbr.BwRtts, 40, 10);
        Assert.Equal(10U, filter.Value);
    }
}
