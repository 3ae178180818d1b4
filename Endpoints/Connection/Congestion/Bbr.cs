using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// BBR (net/ipv4/tcp_bbr.c of Linux 6.x, "BBRv1"): the window and the pacing rate come from a model of the path —
/// the windowed maximum delivery rate over 10 rounds (bw) and the windowed minimum RTT over 10 s (min_rtt) — not from
/// losses. pacing_rate = pacing_gain × bw (less a 1% margin); cwnd = cwnd_gain × bw × min_rtt plus the ACK
/// aggregation and quantization allowances, at least 4. STARTUP (gain 2.89) runs until three rounds pass without
/// 25% growth, DRAIN empties the queue it built, PROBE_BW cycles the pacing gain (1.25, 0.75, 1 × 6) from a random
/// phase, PROBE_RTT holds 4 segments for 200 ms and a round when min_rtt has not been refreshed for 10 s. A policer
/// is detected from two lossy intervals of consistent rate (lt_bw). The per-connection state is
/// <see cref="BbrState"/>; the arithmetic is the kernel's, in its integer widths. All module parameters are the
/// kernel's constants.
/// </summary>
internal sealed partial class Bbr : CongestionOps
{
    /// <summary>BW_SCALE: bandwidths are segments per µs &lt;&lt; 24.</summary>
    internal const int BwScale = 24;

    internal const ulong BwUnit = 1UL << BwScale;

    /// <summary>BBR_SCALE: gains are in 1/256.</summary>
    internal const int BbrScale = 8;

    internal const uint BbrUnit = 1U << BbrScale;

    /// <summary>bbr_high_gain: 2/ln 2 (739/256), STARTUP's pacing and window gain.</summary>
    internal const uint HighGain = (BbrUnit * 2885 / 1000) + 1;

    /// <summary>bbr_drain_gain: its inverse (88/256), DRAIN's pacing gain.</summary>
    internal const uint DrainGain = BbrUnit * 1000 / 2885;

    /// <summary>bbr_cwnd_gain: 2, PROBE_BW's window gain.</summary>
    internal const uint CwndGainProbeBw = BbrUnit * 2;

    /// <summary>CYCLE_LEN: phases in the PROBE_BW gain cycle.</summary>
    internal const uint CycleLength = 8;

    /// <summary>bbr_cycle_rand: PROBE_BW starts at one of the first 7 phases (never the 0.75 one).</summary>
    internal const uint CycleRandom = 7;

    /// <summary>bbr_bw_rtts: the bandwidth filter's window, in rounds.</summary>
    internal const uint BwRtts = CycleLength + 2;

    /// <summary>bbr_min_rtt_win_sec: the min_rtt filter's window.</summary>
    internal const uint MinRttWindowSeconds = 10;

    /// <summary>bbr_probe_rtt_mode_ms: the least time PROBE_RTT holds the window at 4.</summary>
    internal const uint ProbeRttModeMilliseconds = 200;

    /// <summary>bbr_min_tso_rate: below 1.2 Mbit/s GSO packets may be single segments.</summary>
    internal const long MinTsoRateBitsPerSecond = 1_200_000;

    /// <summary>bbr_pacing_margin_percent: pace 1% below the estimate.</summary>
    internal const ulong PacingMarginPercent = 1;

    /// <summary>bbr_cwnd_min_target: the fewest segments BBR keeps in flight.</summary>
    internal const uint CwndMinTarget = 4;

    /// <summary>bbr_full_bw_thresh: 25% growth (320/256) means the pipe may not be full yet.</summary>
    internal const uint FullBwThreshold = BbrUnit * 5 / 4;

    /// <summary>bbr_full_bw_cnt: three rounds without it and STARTUP ends.</summary>
    internal const uint FullBwCount = 3;

    /// <summary>TCP_INIT_CWND: the window BBR allows before it has any RTT sample.</summary>
    internal const uint InitCwnd = 10;

    /// <summary>GSO_LEGACY_MAX_SIZE − 1 − MAX_TCP_HEADER: bbr_tso_segs_goal's bound on a GSO packet's bytes.</summary>
    internal const ulong TsoGoalMaxBytes = 65536 - 1 - 256;

    /// <summary>bbr_pacing_gain: the PROBE_BW cycle.</summary>
    private static readonly uint[] s_pacingGain = [BbrUnit * 5 / 4, BbrUnit * 3 / 4, BbrUnit, BbrUnit, BbrUnit, BbrUnit, BbrUnit, BbrUnit];

    public static Bbr Instance { get; } = new();

    public override string Name => "bbr";

    public override byte Key => 2;

    public override bool HasCongControl => true;

    /// <summary>bbr_sndbuf_expand: 3 windows, since BBR may slow-start even in recovery.</summary>
    public override int SndbufExpand => 3;

    /// <summary>
    /// bbr_init: everything but the gains starts afresh (those stay as the ACK of the SYN left them, so ss shows
    /// pacing_gain:1 cwnd_gain:1 after an active open); ssthresh infinite; min_rtt from tcp_min_rtt; the pacing
    /// rate from the handshake's RTT and the initial window at the high gain; the socket paces itself from now on.
    /// </summary>
    public override void Init(TcpSocket sk)
    {
        var bbr = sk.CaPriv as BbrState ?? NewState(sk);
        sk.CaPriv = bbr;
        bbr.PriorCwnd = 0;
        sk.SndSsthresh = int.MaxValue;
        bbr.RttCnt = 0;
        bbr.NextRttDelivered = 0;
        bbr.PrevCaState = CongestionState.Open;
        bbr.PacketConservation = false;
        bbr.ProbeRttDoneStamp = 0;
        bbr.ProbeRttRoundDone = false;
        bbr.MinRttUs = sk.MinRttUs;
        bbr.MinRttStamp = sk.Jiffies32;
        bbr.Bw.Reset(bbr.RttCnt, 0);
        bbr.HasSeenRtt = false;
        InitPacingRateFromRtt(sk, bbr);
        bbr.RoundStart = false;
        bbr.IdleRestart = false;
        bbr.FullBwReached = false;
        bbr.FullBw = 0;
        bbr.FullBwCnt = 0;
        bbr.CycleMstamp = 0;
        bbr.CycleIdx = 0;
        ResetLtBwSampling(sk, bbr);
        bbr.Mode = BbrMode.Startup;
        bbr.AckEpochMstamp = sk.MstampMicroseconds;
        bbr.AckEpochAcked = 0;
        bbr.ExtraAckedWinRtts = 0;
        bbr.ExtraAckedWinIdx = 0;
        bbr.ExtraAcked0 = 0;
        bbr.ExtraAcked1 = 0;
        sk.RequestPacing();
    }

    /// <summary>
    /// bbr_main: update the model from the ACK's rate sample, then set the pacing rate and the window. An ACK
    /// before bbr_init (the one of the SYN) meets the kernel's zeroed state, whose min_rtt_stamp of 0 lies more than
    /// 10 s behind tcp_jiffies32 on any machine up for more than a few minutes (and less than 99 days): that ACK
    /// finds the min_rtt filter expired and puts the zeroed state in PROBE_RTT, gains 1 and 1, which bbr_init then
    /// leaves in place.
    /// </summary>
    public override void CongControl(TcpSocket sk, SeqNum ack, AckFlags flags, in RateSample rs)
    {
        if (sk.CaPriv is not BbrState bbr)
        {
            bbr = NewState(sk);
            bbr.MinRttStamp = unchecked(sk.Jiffies32 - ((MinRttWindowSeconds * Jiffies.Hz) + 1));
            sk.CaPriv = bbr;
        }

        UpdateModel(sk, bbr, in rs);
        uint bw = Bandwidth(bbr);
        SetPacingRate(sk, bbr, bw, bbr.PacingGain);
        SetCwnd(sk, bbr, in rs, (uint)Math.Max(rs.AckedSacked, 0), bw, bbr.CwndGain);
    }

    /// <summary>
    /// release (tcp_bbr.c has none: its state is inside the socket, freed with it): the socket is destroyed or leaves
    /// BBR, so its state goes back, all zero, to the host's spares for the next BBR socket.
    /// </summary>
    public override void Release(TcpSocket sk)
    {
        if (sk.CaPriv is BbrState bbr)
        {
            bbr.Clear();
            sk.Stack.SpareBbrStates.Give(bbr);
        }

        sk.CaPriv = null;
    }

    /// <summary>A zeroed state (the kernel's zeroed icsk_ca_priv): a spare a dead socket gave back, else a new one.</summary>
    private static BbrState NewState(TcpSocket sk) => sk.Stack.SpareBbrStates.TryTake(out var spare) ? spare : new BbrState();

    /// <summary>BBR has no cong_avoid: tcp_cong_control calls cong_control instead, and nothing else calls it.</summary>
    public override void CongAvoid(TcpSocket sk, SeqNum ack, int acked) =>
        throw new InvalidOperationException("bbr has no cong_avoid hook (cong_control replaces it)");

    /// <summary>bbr_ssthresh: a reduction begins; save the window to restore afterwards, and keep ssthresh as it is.</summary>
    public override int Ssthresh(TcpSocket sk)
    {
        if (sk.CaPriv is BbrState bbr)
        {
            SaveCwnd(sk, bbr);
        }

        return sk.SndSsthresh;
    }

    /// <summary>bbr_undo_cwnd: a reduction was spurious; judge the pipe's fullness afresh and drop the policer model, keeping the window.</summary>
    public override int UndoCwnd(TcpSocket sk)
    {
        if (sk.CaPriv is BbrState bbr)
        {
            bbr.FullBw = 0;
            bbr.FullBwCnt = 0;
            ResetLtBwSampling(sk, bbr);
        }

        return sk.SndCwnd;
    }

    /// <summary>bbr_set_state: an RTO (the Loss state) counts as the end of a round with a loss, for the policer detector.</summary>
    public override void SetState(TcpSocket sk, CongestionState newState)
    {
        if (newState != CongestionState.Loss || sk.CaPriv is not BbrState bbr)
        {
            return;
        }

        bbr.PrevCaState = CongestionState.Loss;
        bbr.FullBw = 0;
        bbr.RoundStart = true;
        LtBwSampling(sk, bbr, losses: 1, isAppLimited: false);
    }

    /// <summary>
    /// bbr_cwnd_event: sending into an empty flight while application-limited is a restart from idle: a new ACK
    /// aggregation epoch, and in PROBE_BW pacing at the estimate (no more speed is needed), in PROBE_RTT perhaps its end.
    /// </summary>
    public override void CwndEvent(TcpSocket sk, CaEvent caEvent)
    {
        if (caEvent != CaEvent.TxStart || sk.AppLimited == 0 || sk.CaPriv is not BbrState bbr)
        {
            return;
        }

        bbr.IdleRestart = true;
        bbr.AckEpochMstamp = sk.MstampMicroseconds;
        bbr.AckEpochAcked = 0;
        if (bbr.Mode == BbrMode.ProbeBw)
        {
            SetPacingRate(sk, bbr, Bandwidth(bbr), BbrUnit);
        }
        else if (bbr.Mode == BbrMode.ProbeRtt)
        {
            CheckProbeRttDone(sk, bbr);
        }
    }

    /// <summary>bbr_min_tso_segs: single-segment GSO packets below 1.2 Mbit/s of pacing, else 2.</summary>
    public override int? MinTsoSegs(TcpSocket sk) => (int)MinTsoSegs(sk.PacingRateBytesPerSecond);

    /// <summary>bbr_min_tso_segs for a pacing rate in bytes a second.</summary>
    internal static uint MinTsoSegs(long pacingRate) => pacingRate < (MinTsoRateBitsPerSecond >> 3) ? 1U : 2U;

    /// <summary>bbr_get_info: bw in bytes a second, min_rtt, the gains (all zero before the state exists, as the zeroed icsk_ca_priv).</summary>
    public override BbrInfo? Info(TcpSocket sk)
    {
        if (sk.CaPriv is not BbrState bbr)
        {
            return new BbrInfo(0, 0, 0, 0);
        }

        return new BbrInfo(InfoBandwidth(Bandwidth(bbr), sk.MssCache), bbr.MinRttUs, bbr.PacingGain, bbr.CwndGain);
    }

    /// <summary>bbr_get_info's bandwidth: bw × mss × 10^6 &gt;&gt; 24, bytes a second.</summary>
    internal static ulong InfoBandwidth(uint bw, int mss) => unchecked((ulong)bw * (ulong)mss * 1_000_000UL >> BwScale);

    /// <summary>bbr_max_bw: the windowed maximum delivery rate.</summary>
    internal static uint MaxBandwidth(BbrState bbr) => bbr.Bw.Value;

    /// <summary>bbr_bw: the bandwidth estimate, the policer's rate while one is detected.</summary>
    internal static uint Bandwidth(BbrState bbr) => bbr.LtUseBw ? bbr.LtBw : MaxBandwidth(bbr);

    /// <summary>before(): sequence-space comparison of u32 counters.</summary>
    private static bool Before(uint a, uint b) => unchecked((int)(a - b)) < 0;

    /// <summary>after() for jiffies.</summary>
    private static bool After(uint a, uint b) => Before(b, a);

    /// <summary>tcp_stamp_us_delta: t1 − t0 in µs, never negative, as a u32.</summary>
    private static uint StampDelta(long t1, long t0) => unchecked((uint)Math.Max(t1 - t0, 0));
}
