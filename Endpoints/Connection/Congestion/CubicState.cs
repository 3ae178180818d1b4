using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// tcp_cubic.c's struct bictcp, the per-connection state of CUBIC (56 bytes of fields, as the kernel's 64 with its
/// padding), and bictcp_update, the cubic function that decides how many ACKed segments buy one more segment of
/// window. Times are the kernel's: jiffies (HZ = 250) for the epoch and last update, µs (the low 32 bits of
/// tcp_mstamp) for HyStart and delay_min. Unsigned 32-bit arithmetic wraps as the kernel's does.
/// </summary>
internal sealed class CubicState
{
    /// <summary>BICTCP_BETA_SCALE: beta is in 1/1024.</summary>
    public const uint BetaScale = 1024;

    /// <summary>beta: the window after a loss is 717/1024 ≈ 0.7 of the window before.</summary>
    public const uint Beta = 717;

    /// <summary>BICTCP_HZ: the cubic function counts time in 1/1024 s.</summary>
    private const int BictcpHz = 10;

    /// <summary>bic_scale: C = 41/1024 × 10 ≈ 0.4 segments/s³.</summary>
    private const uint BicScale = 41;

    /// <summary>cube_rtt_scale = bic_scale × 10.</summary>
    public const ulong CubeRttScale = BicScale * 10;

    /// <summary>beta_scale = 8 (1024 + beta) / 3 / (1024 − beta) = 15: Reno's growth rate as CUBIC's TCP-friendly estimate counts it (×8).</summary>
    public const uint FriendlyScale = 8 * (BetaScale + Beta) / 3 / (BetaScale - Beta);

    /// <summary>cube_factor = 2^40 / (bic_scale × 10): K³ in (1/1024 s)³ per segment of window to regain.</summary>
    public const ulong CubeFactor = (1UL << (10 + (3 * BictcpHz))) / (BicScale * 10);

    /// <summary>cnt: the segments to acknowledge per segment of window growth.</summary>
    public uint Cnt;

    /// <summary>last_max_cwnd: W_max, the window at the last loss (lowered by fast convergence).</summary>
    public uint LastMaxCwnd;

    /// <summary>last_cwnd: the window at the last computation of cnt.</summary>
    public uint LastCwnd;

    /// <summary>last_time: when (jiffies) cnt was last computed.</summary>
    public uint LastTime;

    /// <summary>bic_origin_point: the plateau of the cubic function (W_max, or the window if it was at least that).</summary>
    public uint BicOriginPoint;

    /// <summary>bic_K: the time (1/1024 s) from the epoch's start to the plateau.</summary>
    public uint BicK;

    /// <summary>delay_min: the smallest RTT sample (µs), 0 before the first.</summary>
    public uint DelayMin;

    /// <summary>epoch_start: when (jiffies) congestion avoidance began after the last reduction, 0 outside an epoch.</summary>
    public uint EpochStart;

    /// <summary>ack_cnt: segments acknowledged in the epoch not yet turned into the TCP-friendly window.</summary>
    public uint AckCnt;

    /// <summary>tcp_cwnd: the window Reno would have by now in this epoch.</summary>
    public uint TcpCwnd;

    /// <summary>sample_cnt: RTT samples taken in the current HyStart round.</summary>
    public byte SampleCnt;

    /// <summary>found: HyStart has ended slow start.</summary>
    public bool Found;

    /// <summary>round_start: when (µs) the current HyStart round began.</summary>
    public uint RoundStart;

    /// <summary>end_seq: snd_nxt when the round began; the round ends when snd_una passes it.</summary>
    public SeqNum EndSeq;

    /// <summary>last_ack: when (µs) the last ACK of the current ACK train came.</summary>
    public uint LastAck;

    /// <summary>curr_rtt: the smallest RTT sample of the current round (µs).</summary>
    public uint CurrRtt;

    /// <summary>bictcp_reset: every field up to tcp_cwnd cleared, and found (HyStart's round fields stay).</summary>
    public void Reset()
    {
        Cnt = LastMaxCwnd = LastCwnd = LastTime = BicOriginPoint = BicK = DelayMin = EpochStart = AckCnt = TcpCwnd = 0;
        Found = false;
    }

    /// <summary>bictcp_hystart_reset: a new round starts now, ending when snd_una passes <paramref name="sndNxt"/>.</summary>
    public void HystartReset(uint nowMicroseconds, SeqNum sndNxt)
    {
        RoundStart = LastAck = nowMicroseconds;
        EndSeq = sndNxt;
        CurrRtt = uint.MaxValue;
        SampleCnt = 0;
    }

    /// <summary>
    /// bictcp_update: count <paramref name="acked"/> and, at most once a jiffy (and, with the window unchanged, at
    /// most every HZ/32 jiffies), recompute cnt from the cubic function W(t) = C (t − K)³ + W_max evaluated one
    /// delay_min ahead, never slower than the TCP-friendly Reno estimate nor faster than one segment per two ACKed.
    /// A new epoch (after a reduction) starts here: K = cbrt(cube_factor × (W_max − cwnd)).
    /// </summary>
    public void Update(uint cwnd, uint acked, uint nowJiffies)
    {
        unchecked
        {
            AckCnt += acked;
            if (LastCwnd == cwnd && (int)(nowJiffies - LastTime) <= Jiffies.Hz / 32)
            {
                return;
            }

            if (EpochStart == 0 || nowJiffies != LastTime)
            {
                UpdateCubicCount(cwnd, acked, nowJiffies);
            }

            ApplyTcpFriendliness(cwnd);
            Cnt = Math.Max(Cnt, 2U);
        }
    }

    private void UpdateCubicCount(uint cwnd, uint acked, uint nowJiffies)
    {
        unchecked
        {
            LastCwnd = cwnd;
            LastTime = nowJiffies;
            if (EpochStart == 0)
            {
                EpochStart = nowJiffies;
                AckCnt = acked;
                TcpCwnd = cwnd;
                if (LastMaxCwnd <= cwnd)
                {
                    BicK = 0;
                    BicOriginPoint = cwnd;
                }
                else
                {
                    BicK = CubicRoot.Of(CubeFactor * (LastMaxCwnd - cwnd));
                    BicOriginPoint = LastMaxCwnd;
                }
            }

            // t: the time since the epoch began, plus one minimum RTT (usecs_to_jiffies rounds up), in 1/1024 s.
            ulong t = (ulong)(long)(int)(nowJiffies - EpochStart);
            t += UsecsToJiffies(DelayMin);
            t = (t << BictcpHz) / Jiffies.Hz;
            ulong offs = t < BicK ? BicK - t : t - BicK;
            uint delta = (uint)((CubeRttScale * offs * offs * offs) >> (10 + (3 * BictcpHz)));
            uint target = t < BicK ? BicOriginPoint - delta : BicOriginPoint + delta;
            Cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
            if (LastMaxCwnd == 0 && Cnt > 20)
            {
                Cnt = 20; // no loss seen yet: at least 5 % a round trip
            }
        }
    }

    /// <summary>tcp_friendliness: grow no slower than Reno would (ack_cnt counts toward tcp_cwnd in steps of cwnd × beta_scale / 8).</summary>
    private void ApplyTcpFriendliness(uint cwnd)
    {
        unchecked
        {
            uint delta = (cwnd * FriendlyScale) >> 3;
            while (AckCnt > delta)
            {
                AckCnt -= delta;
                TcpCwnd++;
            }

            if (TcpCwnd > cwnd)
            {
                uint maxCnt = cwnd / (TcpCwnd - cwnd);
                Cnt = Math.Min(Cnt, maxCnt);
            }
        }
    }

    /// <summary>usecs_to_jiffies at HZ = 250: whole jiffies, rounded up.</summary>
    private static ulong UsecsToJiffies(uint microseconds) => ((ulong)microseconds + MicrosecondsPerJiffy - 1) / MicrosecondsPerJiffy;

    private const ulong MicrosecondsPerJiffy = 1_000_000 / Jiffies.Hz;
}
