namespace TcpActors.Endpoints;

/// <summary>BBR's outputs: the pacing rate (bbr_set_pacing_rate) and the congestion window (bbr_set_cwnd), and the BDP arithmetic behind them.</summary>
internal sealed partial class Bbr
{
    /// <summary>bbr_extra_acked_max_us: ACK aggregation may add at most 100 ms of the estimate to the window.</summary>
    private const ulong ExtraAckedMaxMicroseconds = 100 * 1000;

    /// <summary>
    /// bbr_rate_bytes_per_sec: a rate (segments per µs &lt;&lt; 24) in bytes a second with a gain, 1% under, in the
    /// kernel's order of u64 operations.
    /// </summary>
    internal static ulong RateBytesPerSecond(int mss, ulong rate, uint gain)
    {
        unchecked
        {
            rate *= (ulong)mss;
            rate *= gain;
            rate >>= BbrScale;
            rate *= 1_000_000UL / 100 * (100 - PacingMarginPercent);
            return rate >> BwScale;
        }
    }

    /// <summary>bbr_bw_to_pacing_rate: within SO_MAX_PACING_RATE.</summary>
    internal static long BandwidthToPacingRate(TcpSocket sk, uint bw, uint gain) =>
        (long)Math.Min(RateBytesPerSecond(sk.MssCache, bw, gain), (ulong)sk.MaxPacingRateBytesPerSecond);

    /// <summary>bbr_init_pacing_rate_from_rtt: the high gain × the window over srtt (1 ms before any RTT sample).</summary>
    private static void InitPacingRateFromRtt(TcpSocket sk, BbrState bbr)
    {
        uint rttUs = 1000;
        if (sk.SrttUs8 != 0)
        {
            rttUs = Math.Max((uint)(sk.SrttUs8 >> 3), 1U);
            bbr.HasSeenRtt = true;
        }

        ulong bw = (ulong)(uint)sk.SndCwnd * BwUnit / rttUs;
        sk.SetPacingRate(BandwidthToPacingRate(sk, unchecked((uint)bw), HighGain));
    }

    /// <summary>bbr_set_pacing_rate: gain × bw; before the pipe is full the rate only ever rises.</summary>
    private static void SetPacingRate(TcpSocket sk, BbrState bbr, uint bw, uint gain)
    {
        long rate = BandwidthToPacingRate(sk, bw, gain);
        if (!bbr.HasSeenRtt && sk.SrttUs8 != 0)
        {
            InitPacingRateFromRtt(sk, bbr);
        }

        if (bbr.FullBwReached || rate > sk.PacingRateBytesPerSecond)
        {
            sk.SetPacingRate(rate);
        }
    }

    /// <summary>bbr_tso_segs_goal: the segments of ~1 ms of pacing (tcp_tso_autosize without the device's limit), at least min_tso_segs, at most 127.</summary>
    internal static uint TsoSegsGoal(TcpSocket sk) => TsoSegsGoal(sk.PacingRateBytesPerSecond, sk.MssCache);

    /// <summary>bbr_tso_segs_goal for a pacing rate (bytes a second) and an MSS.</summary>
    internal static uint TsoSegsGoal(long pacingRate, int mss)
    {
        ulong bytes = Math.Min((ulong)pacingRate >> TcpSocket.PacingShift, TsoGoalMaxBytes);
        uint segs = Math.Max((uint)(bytes / (uint)mss), MinTsoSegs(pacingRate));
        return Math.Min(segs, 0x7FU);
    }

    /// <summary>bbr_bdp: ⌈bw × min_rtt × gain⌉ in segments; TCP_INIT_CWND before any RTT sample.</summary>
    internal static uint Bdp(BbrState bbr, uint bw, uint gain)
    {
        if (bbr.MinRttUs == uint.MaxValue)
        {
            return InitCwnd;
        }

        unchecked
        {
            ulong w = (ulong)bw * bbr.MinRttUs;
            return (uint)((((w * gain) >> BbrScale) + BwUnit - 1) / BwUnit);
        }
    }

    /// <summary>
    /// bbr_quantization_budget: three GSO packets more (one in the qdisc, one in the device, one at the receiver),
    /// rounded up to even, and 2 more in PROBE_BW's probing phase.
    /// </summary>
    internal static uint QuantizationBudget(TcpSocket sk, BbrState bbr, uint cwnd)
    {
        unchecked
        {
            cwnd += 3 * TsoSegsGoal(sk);
            cwnd = (cwnd + 1) & ~1U;
        }

        if (bbr.Mode == BbrMode.ProbeBw && bbr.CycleIdx == 0)
        {
            cwnd += 2;
        }

        return cwnd;
    }

    /// <summary>bbr_inflight: the BDP at a gain, with the quantization budget.</summary>
    internal static uint Inflight(TcpSocket sk, BbrState bbr, uint bw, uint gain) => QuantizationBudget(sk, bbr, Bdp(bbr, bw, gain));

    /// <summary>
    /// bbr_packets_in_net_at_edt: of <paramref name="inflightNow"/>, what will still be in the network when the next
    /// paced departure (tcp_wstamp_ns) leaves, the estimate delivering meanwhile; with a gain above 1 the departing
    /// GSO packet counts too.
    /// </summary>
    private static uint PacketsInNetAtEdt(TcpSocket sk, BbrState bbr, uint inflightNow)
    {
        long nowNs = sk.ClockNanoseconds;
        long edtNs = Math.Max(sk.WstampNanoseconds, nowNs);
        ulong intervalUs = (ulong)(edtNs - nowNs) / 1000;
        uint intervalDelivered = unchecked((uint)((ulong)Bandwidth(bbr) * intervalUs >> BwScale));
        uint inflightAtEdt = inflightNow;
        if (bbr.PacingGain > BbrUnit)
        {
            inflightAtEdt += TsoSegsGoal(sk);
        }

        return intervalDelivered >= inflightAtEdt ? 0 : inflightAtEdt - intervalDelivered;
    }

    /// <summary>bbr_ack_aggregation_cwnd: once the pipe is full, the ACK aggregation seen (at most 100 ms of the estimate).</summary>
    private static uint AckAggregationCwnd(BbrState bbr)
    {
        if (!bbr.FullBwReached)
        {
            return 0;
        }

        uint maxAggregationCwnd = unchecked((uint)((ulong)Bandwidth(bbr) * ExtraAckedMaxMicroseconds / BwUnit));
        uint aggregationCwnd = (BbrUnit * bbr.ExtraAckedMax) >> BbrScale;
        return Math.Min(aggregationCwnd, maxAggregationCwnd);
    }

    /// <summary>
    /// bbr_set_cwnd_to_recover_or_restore: losses come off the window; the first round of fast recovery is packet
    /// conservation (the window no larger than the flight plus what this ACK delivered); leaving recovery restores
    /// the window saved before it. True while packet conservation sets the window.
    /// </summary>
    private static bool SetCwndToRecoverOrRestore(TcpSocket sk, BbrState bbr, in RateSample rs, uint acked, out uint newCwnd)
    {
        var previous = bbr.PrevCaState;
        var state = sk.CaState;
        uint cwnd = (uint)sk.SndCwnd;
        if (rs.Losses > 0)
        {
            cwnd = (uint)Math.Max(unchecked((int)(cwnd - (uint)rs.Losses)), 1);
        }

        uint inflight = (uint)sk.InFlight;
        if (state == CongestionState.Recovery && previous != CongestionState.Recovery)
        {
            bbr.PacketConservation = true;
            bbr.NextRttDelivered = sk.Delivered;
            cwnd = inflight + acked;
        }
        else if (previous >= CongestionState.Recovery && state < CongestionState.Recovery)
        {
            cwnd = Math.Max(cwnd, bbr.PriorCwnd);
            bbr.PacketConservation = false;
        }

        bbr.PrevCaState = state;
        if (bbr.PacketConservation)
        {
            newCwnd = Math.Max(cwnd, inflight + acked);
            return true;
        }

        newCwnd = cwnd;
        return false;
    }

    /// <summary>
    /// bbr_set_cwnd: toward the target (gain × BDP + ACK aggregation + quantization budget): once the pipe is full,
    /// grow by what was delivered but never above the target; before, grow by it while below the target or until 10
    /// segments have been delivered; at least 4; in PROBE_RTT at most 4. An ACK that delivered nothing only applies the caps.
    /// </summary>
    private static void SetCwnd(TcpSocket sk, BbrState bbr, in RateSample rs, uint acked, uint bw, uint gain)
    {
        uint cwnd = (uint)sk.SndCwnd;
        if (acked != 0 && !SetCwndToRecoverOrRestore(sk, bbr, in rs, acked, out cwnd))
        {
            uint target = Bdp(bbr, bw, gain);
            target += AckAggregationCwnd(bbr);
            target = QuantizationBudget(sk, bbr, target);
            if (bbr.FullBwReached)
            {
                cwnd = Math.Min(cwnd + acked, target);
            }
            else if (cwnd < target || sk.Delivered < InitCwnd)
            {
                cwnd += acked;
            }

            cwnd = Math.Max(cwnd, CwndMinTarget);
        }

        sk.SndCwnd = (int)Math.Min(cwnd, int.MaxValue);
        if (bbr.Mode == BbrMode.ProbeRtt)
        {
            sk.SndCwnd = Math.Min(sk.SndCwnd, (int)CwndMinTarget);
        }
    }
}
