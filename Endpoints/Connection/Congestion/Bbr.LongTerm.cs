namespace TcpActors.Endpoints;

/// <summary>
/// BBR's long-term ("LT") bandwidth sampling, its token-bucket policer detector: after the first loss, intervals
/// of 4 to 16 rounds that end with a loss are measured; two consecutive lossy intervals (≥ 20% lost) with consistent
/// delivery rates mean a policer, and their average rate (lt_bw) replaces the estimate for 48 rounds.
/// </summary>
internal sealed partial class Bbr
{
    /// <summary>bbr_reset_lt_bw_sampling_interval: a new interval starts at the delivered count, time (ms) and losses of now.</summary>
    private static void ResetLtBwSamplingInterval(TcpSocket sk, BbrState bbr)
    {
        bbr.LtLastStamp = unchecked((uint)(sk.DeliveredMstamp / 1000));
        bbr.LtLastDelivered = sk.Delivered;
        bbr.LtLastLost = sk.Lost;
        bbr.LtRttCnt = 0;
    }

    /// <summary>bbr_reset_lt_bw_sampling: forget the policer model altogether.</summary>
    private static void ResetLtBwSampling(TcpSocket sk, BbrState bbr)
    {
        bbr.LtBw = 0;
        bbr.LtUseBw = false;
        bbr.LtIsSampling = false;
        ResetLtBwSamplingInterval(sk, bbr);
    }

    /// <summary>
    /// bbr_lt_bw_interval_done: an interval's rate close to the previous one's (within 1/8, or 4 kbit/s) means a
    /// policer: use their average, at gain 1; otherwise this rate is the one the next interval is compared with.
    /// </summary>
    private static void LtBwIntervalDone(TcpSocket sk, BbrState bbr, uint bw)
    {
        if (bbr.LtBw != 0)
        {
            uint diff = (uint)Math.Abs(unchecked((int)(bw - bbr.LtBw)));
            if (unchecked(diff * BbrUnit) <= unchecked(LtBwRatio * bbr.LtBw) || RateBytesPerSecond(sk.MssCache, diff, BbrUnit) <= LtBwDiff)
            {
                bbr.LtBw = unchecked(bw + bbr.LtBw) >> 1;
                bbr.LtUseBw = true;
                bbr.PacingGain = BbrUnit;
                bbr.LtRttCnt = 0;
                return;
            }
        }

        bbr.LtBw = bw;
        ResetLtBwSamplingInterval(sk, bbr);
    }

    /// <summary>
    /// bbr_lt_bw_sampling (for an ACK, or for an RTO with one loss): while a policer is modelled, count rounds in
    /// PROBE_BW and give up after 48; otherwise sample from the first loss, restarting on an application-limited
    /// sample or an interval past 16 rounds, and close an interval of at least 4 rounds on a loss if it was lossy.
    /// </summary>
    private static void LtBwSampling(TcpSocket sk, BbrState bbr, int losses, bool isAppLimited)
    {
        if (bbr.LtUseBw)
        {
            if (bbr.Mode == BbrMode.ProbeBw && bbr.RoundStart && ++bbr.LtRttCnt >= LtBwMaxRtts)
            {
                ResetLtBwSampling(sk, bbr);
                ResetProbeBwMode(sk, bbr);
            }

            return;
        }

        if (!bbr.LtIsSampling)
        {
            if (losses == 0)
            {
                return;
            }

            ResetLtBwSamplingInterval(sk, bbr);
            bbr.LtIsSampling = true;
        }

        if (isAppLimited)
        {
            ResetLtBwSampling(sk, bbr);
            return;
        }

        if (bbr.RoundStart)
        {
            bbr.LtRttCnt = (bbr.LtRttCnt + 1) & 0x7F;
        }

        if (bbr.LtRttCnt < LtIntervalMinRtts)
        {
            return;
        }

        if (bbr.LtRttCnt > 4 * LtIntervalMinRtts)
        {
            ResetLtBwSampling(sk, bbr);
            return;
        }

        if (losses == 0)
        {
            return;
        }

        LtBwIntervalEnd(sk, bbr);
    }

    /// <summary>The end of bbr_lt_bw_sampling: the interval's loss rate and, if it was lossy, its delivery rate.</summary>
    private static void LtBwIntervalEnd(TcpSocket sk, BbrState bbr)
    {
        uint lost = unchecked(sk.Lost - bbr.LtLastLost);
        uint delivered = unchecked(sk.Delivered - bbr.LtLastDelivered);
        if (delivered == 0 || unchecked(lost << BbrScale) < unchecked(LtLossThreshold * delivered))
        {
            return;
        }

        uint t = unchecked((uint)(sk.DeliveredMstamp / 1000) - bbr.LtLastStamp);
        if (unchecked((int)t) < 1)
        {
            return;
        }

        if (t >= uint.MaxValue / 1000)
        {
            ResetLtBwSampling(sk, bbr);
            return;
        }

        t *= 1000;
        ulong bw = (ulong)delivered * BwUnit / t;
        LtBwIntervalDone(sk, bbr, unchecked((uint)bw));
    }
}
