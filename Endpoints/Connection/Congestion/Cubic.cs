using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// CUBIC (net/ipv4/tcp_cubic.c of Linux 6.x, RFC 9438), Linux's default congestion control, with its module
/// parameters at their defaults: beta 717/1024, bic_scale 41, fast_convergence and tcp_friendliness on, HyStart on
/// with both detectors (ACK train, delay), hystart_low_window 16, hystart_ack_delta_us 2000, no initial_ssthresh.
/// The per-connection <see cref="CubicState"/> is made only when the window reaches hystart_low_window, a loss cuts
/// it or an RTO resets it. Until then every field of struct bictcp is zero or a HyStart reset's value but four,
/// kept in the socket (<see cref="TcpSocket.CaInline"/>): A = delay_min, B = round_start, C = last_ack, D = end_seq
/// (curr_rtt and sample_cnt are a reset's until HyStart judges, which it does from 16 segments of window on), so a
/// connection that exchanges a little data carries 16 bytes of CUBIC, not the 80 of the object.
/// </summary>
internal sealed class Cubic : CongestionOps
{
    /// <summary>HYSTART_MIN_SAMPLES: RTT samples a round takes before the delay detector judges.</summary>
    private const int HystartMinSamples = 8;

    /// <summary>HYSTART_DELAY_MIN / HYSTART_DELAY_MAX (µs): the bounds of the delay increase that ends slow start.</summary>
    private const uint HystartDelayMin = 4000, HystartDelayMax = 16000;

    /// <summary>hystart_low_window: HyStart judges only windows of at least 16 segments.</summary>
    private const int HystartLowWindow = 16;

    /// <summary>hystart_ack_delta_us: ACKs at most 2 ms apart form a train.</summary>
    private const int HystartAckDeltaMicroseconds = 2000;

    public static Cubic Instance { get; } = new();

    public override string Name => "cubic";

    public override byte Key => 1;

    /// <summary>cubictcp_init: bictcp_reset (all zero) and bictcp_hystart_reset (a round from now to snd_nxt).</summary>
    public override void Init(TcpSocket sk)
    {
        sk.CaPriv = null;
        uint now = sk.ClockMicroseconds;
        sk.CaInline = new CaInline { A = 0, B = now, C = now, D = sk.SndNxt.Value };
    }

    /// <summary>cubictcp_recalc_ssthresh: the epoch ends; W_max is the window now (less, by fast convergence, if the window had not regained the last W_max); ssthresh is 0.7 of it.</summary>
    public override int Ssthresh(TcpSocket sk)
    {
        var ca = State(sk);
        uint cwnd = (uint)sk.SndCwnd;
        ca.EpochStart = 0;
        ca.LastMaxCwnd = cwnd < ca.LastMaxCwnd
            ? cwnd * (CubicState.BetaScale + CubicState.Beta) / (2 * CubicState.BetaScale)
            : cwnd;
        return (int)Math.Max(cwnd * CubicState.Beta / CubicState.BetaScale, 2U);
    }

    /// <summary>cubictcp_cong_avoid: slow start as Reno's; in congestion avoidance one segment per <c>cnt</c> acknowledged (bictcp_update).</summary>
    public override void CongAvoid(TcpSocket sk, SeqNum ack, int acked)
    {
        if (!sk.CwndLimited)
        {
            return;
        }

        if (sk.InSlowStart)
        {
            acked = Reno.SlowStart(sk, acked);
            if (acked == 0)
            {
                return;
            }
        }

        var ca = State(sk);
        ca.Update((uint)sk.SndCwnd, (uint)acked, sk.Jiffies32);
        Reno.CongAvoidAi(sk, (int)ca.Cnt, acked);
    }

    /// <summary>cubictcp_state: an RTO (the Loss state) forgets everything, W_max included, and starts a HyStart round.</summary>
    public override void SetState(TcpSocket sk, CongestionState newState)
    {
        if (newState == CongestionState.Loss)
        {
            var ca = State(sk);
            ca.Reset();
            ca.HystartReset(sk.ClockMicroseconds, sk.SndNxt);
        }
    }

    /// <summary>cubictcp_cwnd_event: sending again after idleness moves the epoch's start by the idle time (never past now), so the cubic curve does not count it.</summary>
    public override void CwndEvent(TcpSocket sk, CaEvent caEvent)
    {
        if (caEvent != CaEvent.TxStart || sk.CaPriv is not CubicState { EpochStart: not 0 } ca)
        {
            return;
        }

        uint now = sk.Jiffies32;
        int delta = unchecked((int)(now - sk.LastSendJiffies));
        if (delta > 0)
        {
            ca.EpochStart = unchecked(ca.EpochStart + (uint)delta);
            if (unchecked((int)(now - ca.EpochStart)) < 0)
            {
                ca.EpochStart = now;
            }
        }
    }

    /// <summary>
    /// cubictcp_acked: an RTT sample lowers delay_min (except in the first second of an epoch, right after a
    /// reduction) and, in slow start before HyStart has spoken, feeds HyStart.
    /// </summary>
    public override void PktsAcked(TcpSocket sk, in AckSample sample)
    {
        if (sample.RttMicroseconds < 0)
        {
            return;
        }

        var ca = sk.CaPriv as CubicState;
        if (ca is { EpochStart: not 0 } && unchecked((int)(sk.Jiffies32 - ca.EpochStart)) < Jiffies.Hz)
        {
            return;
        }

        uint delay = Math.Max((uint)sample.RttMicroseconds, 1U);
        ref uint delayMin = ref ca is null ? ref sk.CaInline.A : ref ca.DelayMin;
        if (delayMin == 0 || delayMin > delay)
        {
            delayMin = delay;
        }

        if (ca is not { Found: true } && sk.InSlowStart)
        {
            HystartUpdate(sk, delay);
        }
    }

    public override int UndoCwnd(TcpSocket sk) => Reno.UndoToPrior(sk);

    /// <summary>
    /// hystart_update: a round ends when snd_una passes end_seq. With 16 segments of window or more, slow start ends
    /// (ssthresh = cwnd) when a train of closely spaced ACKs (each within 2 ms of the last) has lasted longer than
    /// half of delay_min (plus hystart_ack_delay, unless the socket is paced), or when the round's smallest RTT,
    /// after 8 samples, exceeds delay_min by an eighth of it (at least 4 ms, at most 16 ms).
    /// </summary>
    private static void HystartUpdate(TcpSocket sk, uint delay)
    {
        if (sk.CaPriv is CubicState made)
        {
            if (sk.SndUna > made.EndSeq)
            {
                made.HystartReset(sk.ClockMicroseconds, sk.SndNxt);
            }
        }
        else if (sk.SndUna > new SeqNum(sk.CaInline.D))
        {
            uint start = sk.ClockMicroseconds;
            sk.CaInline = sk.CaInline with { B = start, C = start, D = sk.SndNxt.Value };
        }

        if (sk.SndCwnd < HystartLowWindow)
        {
            return;
        }

        var ca = State(sk);
        uint now = sk.ClockMicroseconds;
        if (unchecked((int)(now - ca.LastAck)) <= HystartAckDeltaMicroseconds)
        {
            ca.LastAck = now;
            uint threshold = ca.DelayMin + AckDelay(sk);
            if (!sk.PacingNeeded)
            {
                threshold >>= 1;
            }

            if (unchecked(now - ca.RoundStart) > threshold)
            {
                EndSlowStart(sk, ca);
            }
        }

        ca.CurrRtt = Math.Min(ca.CurrRtt, delay);
        if (ca.SampleCnt < HystartMinSamples)
        {
            ca.SampleCnt++;
        }
        else if (ca.CurrRtt > ca.DelayMin + Math.Clamp(ca.DelayMin >> 3, HystartDelayMin, HystartDelayMax))
        {
            EndSlowStart(sk, ca);
        }
    }

    private static void EndSlowStart(TcpSocket sk, CubicState ca)
    {
        ca.Found = true;
        sk.SndSsthresh = sk.SndCwnd;
    }

    /// <summary>hystart_ack_delay: how long ACKs may bunch behind a GSO packet (4 × gso_max_size at the pacing rate), at most 1 ms; 0 without a pacing rate.</summary>
    private static uint AckDelay(TcpSocket sk)
    {
        long rate = sk.PacingRateBytesPerSecond;
        return rate <= 0 ? 0 : (uint)Math.Min(1000UL, (ulong)sk.GsoMaxSize * 4 * 1_000_000 / (ulong)rate);
    }

    /// <summary>The connection's state object, made from the socket's four early values the first time it is needed.</summary>
    private static CubicState State(TcpSocket sk)
    {
        if (sk.CaPriv is CubicState made)
        {
            return made;
        }

        var early = sk.CaInline;
        var ca = new CubicState { DelayMin = early.A, RoundStart = early.B, LastAck = early.C, EndSeq = new SeqNum(early.D), CurrRtt = uint.MaxValue };
        sk.CaPriv = ca;
        return ca;
    }
}
