namespace TcpActors.Endpoints;

/// <summary>enum bbr_mode: how BBR decides how fast to send.</summary>
internal enum BbrMode : byte
{
    /// <summary>BBR_STARTUP: ramp the sending rate up quickly (gain 2/ln 2) until the bandwidth stops growing.</summary>
    Startup,

    /// <summary>BBR_DRAIN: drain the queue STARTUP built (gain ln 2 / 2).</summary>
    Drain,

    /// <summary>BBR_PROBE_BW: cycle the pacing gain around the bandwidth estimate (1.25, 0.75, then 1 six times).</summary>
    ProbeBw,

    /// <summary>BBR_PROBE_RTT: hold the window at 4 segments for 200 ms and a round, to measure min_rtt again.</summary>
    ProbeRtt,
}

/// <summary>
/// tcp_bbr.c's struct bbr, BBR's per-connection state (icsk_ca_priv), field for field with the kernel's widths
/// where they wrap or saturate (cycle_idx 3 bits, ack_epoch_acked 20, extra_acked_win_rtts 5, extra_acked u16), and
/// packed as its bitfields are: the one-bit flags share a byte, the narrow counters and gains are bytes and u16s
/// (112 bytes of fields, the kernel's 104 and the alignment of two u64s), the object 120 bytes instead of 152.
/// Times: min_rtt_stamp and probe_rtt_done_stamp in jiffies, cycle_mstamp and ack_epoch_mstamp in µs (tcp_mstamp),
/// lt_last_stamp in ms. Bandwidths are segments per µs &lt;&lt; 24 (BW_SCALE), gains in 1/256 (BBR_SCALE).
/// A fresh instance is all zero, as the kernel's zeroed icsk_ca_priv is when the ACK of the SYN reaches
/// bbr_main before bbr_init has run. Instances are reused (the host's spares, see <see cref="Bbr.Release"/>):
/// <see cref="Clear"/> makes one all zero again, and a field added here must be added there (a test checks).
/// </summary>
internal sealed class BbrState
{
    /// <summary>Every field back to zero, as a new instance: what the kernel's zeroed icsk_ca_priv starts as.</summary>
    public void Clear()
    {
        MinRttUs = 0;
        MinRttStamp = 0;
        ProbeRttDoneStamp = 0;
        Bw = default;
        RttCnt = 0;
        NextRttDelivered = 0;
        CycleMstamp = 0;
        Mode = default;
        PrevCaState = default;
        _bits = 0;
        LtRttCnt = 0;
        LtBw = 0;
        LtLastDelivered = 0;
        LtLastStamp = 0;
        LtLastLost = 0;
        PacingGain = 0;
        CwndGain = 0;
        FullBwCnt = 0;
        CycleIdx = 0;
        PriorCwnd = 0;
        FullBw = 0;
        AckEpochMstamp = 0;
        ExtraAcked0 = 0;
        ExtraAcked1 = 0;
        AckEpochAcked = 0;
        ExtraAckedWinRtts = 0;
        ExtraAckedWinIdx = 0;
    }

    private const byte BitPacketConservation = 1 << 0;
    private const byte BitRoundStart = 1 << 1;
    private const byte BitIdleRestart = 1 << 2;
    private const byte BitProbeRttRoundDone = 1 << 3;
    private const byte BitLtIsSampling = 1 << 4;
    private const byte BitLtUseBw = 1 << 5;
    private const byte BitFullBwReached = 1 << 6;
    private const byte BitHasSeenRtt = 1 << 7;

    // The kernel's bitfields: the eight one-bit flags in one byte, the narrow counters in the smallest type that holds
    // their width (the properties below convert checked, so a value that did not fit would throw, not wrap).
    private byte _bits;
    private byte _ltRttCnt;
    private ushort _pacingGain;
    private ushort _cwndGain;
    private byte _fullBwCnt;
    private byte _cycleIdx;
    private byte _extraAckedWinRtts;
    private byte _extraAckedWinIdx;

    /// <summary>min_rtt_us: the smallest RTT of the last 10 s.</summary>
    public uint MinRttUs;

    /// <summary>min_rtt_stamp: when (jiffies) <see cref="MinRttUs"/> was taken.</summary>
    public uint MinRttStamp;

    /// <summary>probe_rtt_done_stamp: when (jiffies) PROBE_RTT may end, 0 until inflight has fallen to 4.</summary>
    public uint ProbeRttDoneStamp;

    /// <summary>bw: the windowed maximum delivery rate over 10 rounds.</summary>
    public Minmax Bw;

    /// <summary>rtt_cnt: packet-timed rounds elapsed.</summary>
    public uint RttCnt;

    /// <summary>next_rtt_delivered: tp->delivered at which the current round ends.</summary>
    public uint NextRttDelivered;

    /// <summary>cycle_mstamp: when (µs) the current PROBE_BW gain phase began.</summary>
    public long CycleMstamp;

    public BbrMode Mode;

    /// <summary>prev_ca_state: icsk_ca_state on the previous ACK.</summary>
    public CongestionState PrevCaState;

    /// <summary>packet_conservation: the first round of fast recovery sends one segment per segment delivered.</summary>
    public bool PacketConservation { get => Bit(BitPacketConservation); set => SetBit(BitPacketConservation, value); }

    /// <summary>round_start: this ACK began a new packet-timed round.</summary>
    public bool RoundStart { get => Bit(BitRoundStart); set => SetBit(BitRoundStart, value); }

    /// <summary>idle_restart: sending restarted after idleness, until an ACK delivers data.</summary>
    public bool IdleRestart { get => Bit(BitIdleRestart); set => SetBit(BitIdleRestart, value); }

    /// <summary>probe_rtt_round_done: a round has passed in PROBE_RTT at 4 segments.</summary>
    public bool ProbeRttRoundDone { get => Bit(BitProbeRttRoundDone); set => SetBit(BitProbeRttRoundDone, value); }

    /// <summary>lt_is_sampling: a long-term (policer) sampling interval is running.</summary>
    public bool LtIsSampling { get => Bit(BitLtIsSampling); set => SetBit(BitLtIsSampling, value); }

    /// <summary>lt_rtt_cnt: rounds in the long-term interval (7 bits).</summary>
    public uint LtRttCnt { get => _ltRttCnt; set => _ltRttCnt = checked((byte)value); }

    /// <summary>lt_use_bw: a policer was detected; <see cref="LtBw"/> is the bandwidth estimate.</summary>
    public bool LtUseBw { get => Bit(BitLtUseBw); set => SetBit(BitLtUseBw, value); }

    /// <summary>lt_bw: the long-term delivery rate.</summary>
    public uint LtBw;

    /// <summary>lt_last_delivered: tp->delivered when the long-term interval began.</summary>
    public uint LtLastDelivered;

    /// <summary>lt_last_stamp: tp->delivered_mstamp (ms) when the long-term interval began.</summary>
    public uint LtLastStamp;

    /// <summary>lt_last_lost: tp->lost when the long-term interval began.</summary>
    public uint LtLastLost;

    /// <summary>pacing_gain (10 bits, 1/256).</summary>
    public uint PacingGain { get => _pacingGain; set => _pacingGain = checked((ushort)value); }

    /// <summary>cwnd_gain (10 bits, 1/256).</summary>
    public uint CwndGain { get => _cwndGain; set => _cwndGain = checked((ushort)value); }

    /// <summary>full_bw_reached: STARTUP judged the pipe full.</summary>
    public bool FullBwReached { get => Bit(BitFullBwReached); set => SetBit(BitFullBwReached, value); }

    /// <summary>full_bw_cnt: rounds without 25% bandwidth growth (2 bits; never past 3).</summary>
    public uint FullBwCnt { get => _fullBwCnt; set => _fullBwCnt = checked((byte)value); }

    /// <summary>cycle_idx: the phase of the PROBE_BW gain cycle (3 bits).</summary>
    public uint CycleIdx { get => _cycleIdx; set => _cycleIdx = checked((byte)value); }

    /// <summary>has_seen_rtt: the pacing rate was set from a real RTT.</summary>
    public bool HasSeenRtt { get => Bit(BitHasSeenRtt); set => SetBit(BitHasSeenRtt, value); }

    /// <summary>prior_cwnd: the window before loss recovery or PROBE_RTT, to restore.</summary>
    public uint PriorCwnd;

    /// <summary>full_bw: the bandwidth that STARTUP's growth is judged against.</summary>
    public uint FullBw;

    /// <summary>ack_epoch_mstamp: when (µs) the ACK-aggregation epoch began.</summary>
    public long AckEpochMstamp;

    /// <summary>extra_acked[2]: the largest excess delivered in each of the two windows of 5 rounds (u16).</summary>
    public ushort ExtraAcked0;

    public ushort ExtraAcked1;

    /// <summary>ack_epoch_acked: segments (S)ACKed in the epoch (20 bits).</summary>
    public uint AckEpochAcked;

    /// <summary>extra_acked_win_rtts: the age in rounds of the current extra_acked window (5 bits).</summary>
    public uint ExtraAckedWinRtts { get => _extraAckedWinRtts; set => _extraAckedWinRtts = checked((byte)value); }

    /// <summary>extra_acked_win_idx: which of the two extra_acked is current.</summary>
    public uint ExtraAckedWinIdx { get => _extraAckedWinIdx; set => _extraAckedWinIdx = checked((byte)value); }

    private bool Bit(byte bit) => (_bits & bit) != 0;

    private void SetBit(byte bit, bool value) => _bits = value ? (byte)(_bits | bit) : (byte)(_bits & ~bit);

    /// <summary>bbr_extra_acked: the larger of the two windows' excess.</summary>
    public ushort ExtraAckedMax => Math.Max(ExtraAcked0, ExtraAcked1);

    /// <summary>The current window's extra_acked.</summary>
    public ushort CurrentExtraAcked
    {
        get => ExtraAckedWinIdx == 0 ? ExtraAcked0 : ExtraAcked1;
        set
        {
            if (ExtraAckedWinIdx == 0)
            {
                ExtraAcked0 = value;
            }
            else
            {
                ExtraAcked1 = value;
            }
        }
    }
}
