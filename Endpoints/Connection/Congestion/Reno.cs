using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// TCP Reno (net/ipv4/tcp_cong.c: tcp_reno_cong_avoid, tcp_reno_ssthresh, tcp_reno_undo_cwnd), and the two helpers
/// every window-based algorithm shares: tcp_slow_start and tcp_cong_avoid_ai.
/// </summary>
internal sealed class Reno : CongestionOps
{
    public static Reno Instance { get; } = new();

    public override string Name => "reno";

    public override byte Key => 0;

    /// <summary>tcp_reno_ssthresh: half the window, at least 2.</summary>
    public override int Ssthresh(TcpSocket sk) => Math.Max(sk.SndCwnd >> 1, 2);

    /// <summary>tcp_reno_cong_avoid: nothing unless the window is in use; slow start, then what is left of the ACK in congestion avoidance (one segment per window).</summary>
    public override void CongAvoid(TcpSocket sk, SeqNum ack, int acked)
    {
        if (!sk.CwndLimited)
        {
            return;
        }

        if (sk.InSlowStart)
        {
            acked = SlowStart(sk, acked);
            if (acked == 0)
            {
                return;
            }
        }

        CongAvoidAi(sk, sk.SndCwnd, acked);
    }

    /// <summary>tcp_reno_undo_cwnd: at least the window the reduction started from (prior_cwnd).</summary>
    public override int UndoCwnd(TcpSocket sk) => UndoToPrior(sk);

    /// <summary>tcp_reno_undo_cwnd, shared with CUBIC: max(cwnd, prior_cwnd).</summary>
    public static int UndoToPrior(TcpSocket sk) => Math.Max(sk.SndCwnd, sk.PriorCwnd);

    /// <summary>
    /// tcp_slow_start: one segment per segment acknowledged, up to ssthresh (and snd_cwnd_clamp, unbounded here);
    /// returns the part of <paramref name="acked"/> left over once ssthresh is reached, which congestion avoidance uses.
    /// </summary>
    public static int SlowStart(TcpSocket sk, int acked)
    {
        int cwnd = (int)Math.Min((long)sk.SndCwnd + acked, sk.SndSsthresh);
        acked -= cwnd - sk.SndCwnd;
        sk.SndCwnd = cwnd;
        return acked;
    }

    /// <summary>
    /// tcp_cong_avoid_ai: one segment more per <paramref name="w"/> segments acknowledged, counted in snd_cwnd_cnt;
    /// credit earned at a larger w is spent first (one segment), several windows' worth at once add several.
    /// </summary>
    public static void CongAvoidAi(TcpSocket sk, int w, int acked)
    {
        if (sk.SndCwndCnt >= w)
        {
            sk.SndCwndCnt = 0;
            sk.SndCwnd++;
        }

        sk.SndCwndCnt += acked;
        if (sk.SndCwndCnt >= w)
        {
            int delta = sk.SndCwndCnt / w;
            sk.SndCwndCnt -= delta * w;
            sk.SndCwnd += delta;
        }
    }
}
