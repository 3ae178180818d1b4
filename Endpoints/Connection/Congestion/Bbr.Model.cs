namespace TcpActors.Endpoints;

/// <summary>bbr_update_model and its parts: what one ACK's rate sample teaches BBR about the path, and the mode it moves to.</summary>
internal sealed partial class Bbr
{
    /// <summary>bbr_lt_intvl_min_rtts: a long-term sampling interval lasts at least 4 rounds.</summary>
    private const uint LtIntervalMinRtts = 4;

    /// <summary>bbr_lt_loss_thresh: an interval losing at least 50/256 (≈20%) of what it delivered is lossy.</summary>
    private const uint LtLossThreshold = 50;

    /// <summary>bbr_lt_bw_ratio: two intervals within 1/8 of each other have a consistent rate.</summary>
    private const uint LtBwRatio = BbrUnit / 8;

    /// <summary>bbr_lt_bw_diff: or within 4 kbit/s (500 bytes a second).</summary>
    private const ulong LtBwDiff = 4000 / 8;

    /// <summary>bbr_lt_bw_max_rtts: a detected policer's rate is used for 48 rounds.</summary>
    private const uint LtBwMaxRtts = 48;

    /// <summary>bbr_extra_acked_win_rtts: each extra_acked window lasts 5 rounds.</summary>
    private const uint ExtraAckedWinRtts = 5;

    /// <summary>bbr_ack_epoch_acked_reset_thresh: an epoch that (S)ACKed 2^20 segments starts again.</summary>
    private const uint AckEpochAckedResetThreshold = 1U << 20;

    /// <summary>bbr_update_model: bandwidth, ACK aggregation, gain cycle, pipe full, drain, min_rtt (PROBE_RTT), gains.</summary>
    internal static void UpdateModel(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        UpdateBandwidth(sk, bbr, in rs);
        UpdateAckAggregation(sk, bbr, in rs);
        UpdateCyclePhase(sk, bbr, in rs);
        CheckFullBandwidthReached(bbr, in rs);
        CheckDrain(sk, bbr);
        UpdateMinRtt(sk, bbr, in rs);
        UpdateGains(bbr);
    }

    /// <summary>
    /// bbr_update_bw: a valid sample may start a new round (its segment was sent after the round's end was set),
    /// feeds the policer detector, and its rate (delivered / interval, &lt;&lt; 24) enters the 10-round max filter
    /// unless it is application-limited and below the estimate.
    /// </summary>
    private static void UpdateBandwidth(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        bbr.RoundStart = false;
        if (rs.Delivered < 0 || rs.IntervalUs <= 0)
        {
            return;
        }

        if (!Before(rs.PriorDelivered, bbr.NextRttDelivered))
        {
            bbr.NextRttDelivered = sk.Delivered;
            bbr.RttCnt++;
            bbr.RoundStart = true;
            bbr.PacketConservation = false;
        }

        LtBwSampling(sk, bbr, rs.Losses, rs.IsAppLimited);
        uint bw = unchecked((uint)((ulong)rs.Delivered * BwUnit / (ulong)rs.IntervalUs));
        if (!rs.IsAppLimited || bw >= MaxBandwidth(bbr))
        {
            bbr.Bw.RunningMax(BwRtts, bbr.RttCnt, bw);
        }
    }

    /// <summary>
    /// bbr_update_ack_aggregation: how many more segments this epoch (S)ACKed than the estimate explains (at most a
    /// window), kept as the maximum of two windows of 5 rounds; an epoch ends when the ACKs fall behind the estimate.
    /// </summary>
    private static void UpdateAckAggregation(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        if (rs.AckedSacked <= 0 || rs.Delivered < 0 || rs.IntervalUs <= 0)
        {
            return;
        }

        if (bbr.RoundStart)
        {
            bbr.ExtraAckedWinRtts = Math.Min(0x1F, bbr.ExtraAckedWinRtts + 1);
            if (bbr.ExtraAckedWinRtts >= ExtraAckedWinRtts)
            {
                bbr.ExtraAckedWinRtts = 0;
                bbr.ExtraAckedWinIdx = bbr.ExtraAckedWinIdx != 0 ? 0U : 1U;
                bbr.CurrentExtraAcked = 0;
            }
        }

        uint epochUs = StampDelta(sk.DeliveredMstamp, bbr.AckEpochMstamp);
        uint expectedAcked = unchecked((uint)((ulong)Bandwidth(bbr) * epochUs / BwUnit));
        if (bbr.AckEpochAcked <= expectedAcked || bbr.AckEpochAcked + (uint)rs.AckedSacked >= AckEpochAckedResetThreshold)
        {
            bbr.AckEpochAcked = 0;
            bbr.AckEpochMstamp = sk.DeliveredMstamp;
            expectedAcked = 0;
        }

        bbr.AckEpochAcked = Math.Min(0xFFFFFU, bbr.AckEpochAcked + (uint)rs.AckedSacked);
        uint extraAcked = Math.Min(bbr.AckEpochAcked - expectedAcked, (uint)sk.SndCwnd);
        if (extraAcked > bbr.CurrentExtraAcked)
        {
            bbr.CurrentExtraAcked = unchecked((ushort)extraAcked);
        }
    }

    /// <summary>bbr_update_cycle_phase: in PROBE_BW, move to the next gain phase when this one is done.</summary>
    private static void UpdateCyclePhase(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        if (bbr.Mode == BbrMode.ProbeBw && IsNextCyclePhase(sk, bbr, in rs))
        {
            AdvanceCyclePhase(sk, bbr);
        }
    }

    /// <summary>
    /// bbr_is_next_cycle_phase: a phase at gain 1 lasts min_rtt; the probing phase (1.25) lasts at least min_rtt and
    /// until the flight reaches 1.25 BDP or a loss is seen; the draining phase (0.75) ends after min_rtt or once the
    /// flight is down to one BDP.
    /// </summary>
    private static bool IsNextCyclePhase(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        bool isFullLength = StampDelta(sk.DeliveredMstamp, bbr.CycleMstamp) > bbr.MinRttUs;
        if (bbr.PacingGain == BbrUnit)
        {
            return isFullLength;
        }

        uint inflight = PacketsInNetAtEdt(sk, bbr, (uint)Math.Max(rs.PriorInFlight, 0));
        uint bw = MaxBandwidth(bbr);
        if (bbr.PacingGain > BbrUnit)
        {
            return isFullLength && (rs.Losses != 0 || inflight >= Inflight(sk, bbr, bw, bbr.PacingGain));
        }

        return isFullLength || inflight <= Inflight(sk, bbr, bw, BbrUnit);
    }

    /// <summary>bbr_advance_cycle_phase.</summary>
    private static void AdvanceCyclePhase(TcpSocket sk, BbrState bbr)
    {
        bbr.CycleIdx = (bbr.CycleIdx + 1) & (CycleLength - 1);
        bbr.CycleMstamp = sk.DeliveredMstamp;
    }

    /// <summary>bbr_reset_probe_bw_mode: PROBE_BW from a random phase of the cycle (the seeded stream's get_random_u32_below(7)).</summary>
    private static void ResetProbeBwMode(TcpSocket sk, BbrState bbr)
    {
        bbr.Mode = BbrMode.ProbeBw;
        bbr.CycleIdx = CycleLength - 1 - sk.RandomBelow(CycleRandom);
        AdvanceCyclePhase(sk, bbr);
    }

    /// <summary>bbr_reset_mode: after PROBE_RTT, STARTUP again unless the pipe was judged full.</summary>
    private static void ResetMode(TcpSocket sk, BbrState bbr)
    {
        if (!bbr.FullBwReached)
        {
            bbr.Mode = BbrMode.Startup;
        }
        else
        {
            ResetProbeBwMode(sk, bbr);
        }
    }

    /// <summary>
    /// bbr_check_full_bw_reached: at each round start of a non-application-limited sample, 25% growth over full_bw
    /// resets the count; three rounds without it and the pipe is full.
    /// </summary>
    private static void CheckFullBandwidthReached(BbrState bbr, in RateSample rs)
    {
        if (bbr.FullBwReached || !bbr.RoundStart || rs.IsAppLimited)
        {
            return;
        }

        uint threshold = unchecked((uint)((ulong)bbr.FullBw * FullBwThreshold >> BbrScale));
        if (MaxBandwidth(bbr) >= threshold)
        {
            bbr.FullBw = MaxBandwidth(bbr);
            bbr.FullBwCnt = 0;
            return;
        }

        bbr.FullBwCnt = (bbr.FullBwCnt + 1) & 3;
        bbr.FullBwReached = bbr.FullBwCnt >= FullBwCount;
    }

    /// <summary>
    /// bbr_check_drain: a full pipe ends STARTUP (ssthresh becomes the BDP's inflight); DRAIN ends as soon as what
    /// will be in the network at the next departure is no more than one BDP.
    /// </summary>
    private static void CheckDrain(TcpSocket sk, BbrState bbr)
    {
        if (bbr.Mode == BbrMode.Startup && bbr.FullBwReached)
        {
            bbr.Mode = BbrMode.Drain;
            sk.SndSsthresh = (int)Math.Min(Inflight(sk, bbr, MaxBandwidth(bbr), BbrUnit), int.MaxValue);
        }

        if (bbr.Mode == BbrMode.Drain && PacketsInNetAtEdt(sk, bbr, (uint)sk.InFlight) <= Inflight(sk, bbr, MaxBandwidth(bbr), BbrUnit))
        {
            ResetProbeBwMode(sk, bbr);
        }
    }

    /// <summary>bbr_check_probe_rtt_done: PROBE_RTT's time is up: min_rtt counts as fresh, the window comes back, the mode resets.</summary>
    private static void CheckProbeRttDone(TcpSocket sk, BbrState bbr)
    {
        if (!(bbr.ProbeRttDoneStamp != 0 && After(sk.Jiffies32, bbr.ProbeRttDoneStamp)))
        {
            return;
        }

        bbr.MinRttStamp = sk.Jiffies32;
        sk.SndCwnd = (int)Math.Max((uint)sk.SndCwnd, bbr.PriorCwnd);
        ResetMode(sk, bbr);
    }

    /// <summary>
    /// bbr_update_min_rtt: a sample no larger than min_rtt (or any not ACK-delayed one once the 10 s window has
    /// expired) replaces it; an expired window enters PROBE_RTT (unless restarting from idle), which marks the
    /// connection application-limited, starts its 200 ms once the flight is down to 4 and ends after those and a
    /// round. An ACK that delivered data ends an idle restart.
    /// </summary>
    private static void UpdateMinRtt(TcpSocket sk, BbrState bbr, in RateSample rs)
    {
        uint now = sk.Jiffies32;
        bool filterExpired = After(now, unchecked(bbr.MinRttStamp + (MinRttWindowSeconds * Jiffies.Hz)));
        if (rs.RttUs >= 0 && (rs.RttUs <= bbr.MinRttUs || (filterExpired && !rs.IsAckDelayed)))
        {
            bbr.MinRttUs = unchecked((uint)rs.RttUs);
            bbr.MinRttStamp = now;
        }

        if (filterExpired && !bbr.IdleRestart && bbr.Mode != BbrMode.ProbeRtt)
        {
            bbr.Mode = BbrMode.ProbeRtt;
            SaveCwnd(sk, bbr);
            bbr.ProbeRttDoneStamp = 0;
        }

        if (bbr.Mode == BbrMode.ProbeRtt)
        {
            uint bubble = unchecked(sk.Delivered + (uint)sk.InFlight);
            sk.AppLimited = bubble != 0 ? bubble : 1;
            if (bbr.ProbeRttDoneStamp == 0 && sk.InFlight <= CwndMinTarget)
            {
                bbr.ProbeRttDoneStamp = unchecked(now + (ProbeRttModeMilliseconds * Jiffies.Hz / 1000));
                bbr.ProbeRttRoundDone = false;
                bbr.NextRttDelivered = sk.Delivered;
            }
            else if (bbr.ProbeRttDoneStamp != 0)
            {
                bbr.ProbeRttRoundDone |= bbr.RoundStart;
                if (bbr.ProbeRttRoundDone)
                {
                    CheckProbeRttDone(sk, bbr);
                }
            }
        }

        if (rs.Delivered > 0)
        {
            bbr.IdleRestart = false;
        }
    }

    /// <summary>bbr_update_gains: the pacing and window gains of the mode (PROBE_BW's from the cycle, 1 while a policer is modelled).</summary>
    private static void UpdateGains(BbrState bbr)
    {
        (bbr.PacingGain, bbr.CwndGain) = bbr.Mode switch
        {
            BbrMode.Startup => (HighGain, HighGain),
            BbrMode.Drain => (DrainGain, HighGain),
            BbrMode.ProbeBw => (bbr.LtUseBw ? BbrUnit : s_pacingGain[bbr.CycleIdx], CwndGainProbeBw),
            _ => (BbrUnit, BbrUnit),
        };
    }

    /// <summary>bbr_save_cwnd: the last good window (outside recovery and PROBE_RTT), else the larger of it and the window now.</summary>
    private static void SaveCwnd(TcpSocket sk, BbrState bbr)
    {
        uint cwnd = (uint)sk.SndCwnd;
        bbr.PriorCwnd = bbr.PrevCaState < CongestionState.Recovery && bbr.Mode != BbrMode.ProbeRtt ? cwnd : Math.Max(bbr.PriorCwnd, cwnd);
    }
}
