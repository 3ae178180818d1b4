using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The socket's side of its congestion control (net/ipv4/tcp_cong.c; include/net/inet_connection_sock.h's
/// icsk_ca_ops and icsk_ca_priv): which algorithm it has (tcp_assign_congestion_control at creation, from
/// TCP_CONGESTION or net.ipv4.tcp_congestion_control; a listener's child takes the listener's only if it was set by
/// setsockopt, as tcp_ca_openreq_child), where the hooks of <see cref="CongestionOps"/> are called, and what of
/// struct tcp_sock an algorithm may read and write.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>icsk_ca_ops, as the algorithm's key (<see cref="CongestionOps.Of"/>).</summary>
    private byte _caKey;

    /// <summary>icsk_ca_priv: the algorithm's per-connection state, its own type, made when it needs it.</summary>
    internal object? CaPriv { get; set; }

    /// <summary>The part of icsk_ca_priv kept in the socket (<see cref="CaInline"/>).</summary>
    internal CaInline CaInline;

    /// <summary>icsk_ca_ops.</summary>
    internal CongestionOps CaOps => CongestionOps.Of(_caKey);

    /// <summary>tp->snd_cwnd.</summary>
    internal int SndCwnd
    {
        get => _cwnd;
        set => _cwnd = value;
    }

    /// <summary>tp->snd_ssthresh (int.MaxValue: TCP_INFINITE_SSTHRESH).</summary>
    internal int SndSsthresh
    {
        get => _ssthresh;
        set => _ssthresh = value;
    }

    /// <summary>tp->snd_cwnd_cnt: segments acknowledged toward the next increase in congestion avoidance.</summary>
    internal int SndCwndCnt
    {
        get => _cwndCounter;
        set => _cwndCounter = value;
    }

    /// <summary>tp->prior_cwnd: the window when the current (or last) reduction began.</summary>
    internal int PriorCwnd => _loss?.PriorCwnd ?? 0;

    /// <summary>tcp_in_slow_start.</summary>
    internal bool InSlowStart => _cwnd < _ssthresh;

    /// <summary>tcp_is_cwnd_limited.</summary>
    internal bool CwndLimited => IsCwndLimited;

    internal SeqNum SndUna => _sndUna;

    internal SeqNum SndNxt => _sndNxt;

    /// <summary>tcp_mstamp's low 32 bits: the time in µs (bictcp_clock_us).</summary>
    internal uint ClockMicroseconds => unchecked((uint)(_stack.NowNanoseconds / 1000));

    /// <summary>tcp_jiffies32.</summary>
    internal uint Jiffies32 => unchecked((uint)Jiffies.At(_stack.NowNanoseconds));

    /// <summary>tp->lsndtime in jiffies.</summary>
    internal uint LastSendJiffies => unchecked((uint)Jiffies.At(_lastDataSentAt == Never ? 0 : _lastDataSentAt));

    /// <summary>sk_pacing_rate (bytes a second).</summary>
    internal long PacingRateBytesPerSecond => PacingRate;

    /// <summary>sk_gso_max_size.</summary>
    internal int GsoMaxSize => GsoCaps.MaxSize;

    /// <summary>
    /// sk_pacing_status != SK_PACING_NONE: SO_MAX_PACING_RATE or an algorithm that asks for pacing set it (the fq qdisc,
    /// which would too, is not modelled).
    /// </summary>
    internal bool PacingNeeded => PacingRequested;

    /// <summary>tcp_assign_congestion_control: TCP_CONGESTION if the application set it, else net.ipv4.tcp_congestion_control now.</summary>
    private void AssignCongestionControl() =>
        _caKey = (CongestionOps.Find(_options.CongestionControl ?? _stack.Sysctls.TcpCongestionControl) ?? Cubic.Instance).Key;

    /// <summary>tcp_init_congestion_control, from tcp_init_transfer when the connection is established.</summary>
    private void InitCongestionControl() => CaOps.Init(this);

    /// <summary>
    /// tcp_set_congestion_control for TCP_CONGESTION in new options: ENOENT for a name no algorithm has; another
    /// algorithm starts afresh (tcp_reinit_congestion_control: its state cleared, and initialised at once unless the
    /// socket is closed or listening); the same one is left alone.
    /// </summary>
    private Errno SetCongestionControl(SocketOptions options)
    {
        if (options.CongestionControl is not { } name)
        {
            return Errno.None;
        }

        if (CongestionOps.Find(name) is not { } ops)
        {
            return Errno.ENOENT;
        }

        if (ops.Key != _caKey)
        {
            _caKey = ops.Key;
            CaPriv = null;
            if (_state is not (TcpState.Closed or TcpState.Listen or TcpState.SynSent))
            {
                ops.Init(this);
            }
        }

        return Errno.None;
    }

    /// <summary>tcp_set_ca_state: the algorithm hears of the new state first.</summary>
    private void SetCaState(CongestionState state)
    {
        CaOps.SetState(this, state);
        _caState = state;
    }

    /// <summary>tcp_ca_event.</summary>
    private void CongestionEvent(CaEvent caEvent) => CaOps.CwndEvent(this, caEvent);

    /// <summary>tcp_cong_control: the algorithm's cong_control hook if it has one, else the window arithmetic below.</summary>
    private void CongestionControl(SeqNum ack, int delivered, AckFlags flags, int newlyLost, in RateSample rate)
    {
        var ops = CaOps;
        if (ops.HasCongControl)
        {
            ops.CongControl(this, ack, flags, in rate);
            return;
        }

        WindowArithmetic(ack, delivered, flags, newlyLost);
    }

    /// <summary>
    /// tcp_cong_control without a cong_control hook: in fast recovery PRR sets the window (tcp_cwnd_reduction);
    /// otherwise, if the ACK delivered data in order (tcp_may_raise_cwnd; with more reordering than tcp_reordering,
    /// on any forward progress), tcp_cong_avoid: the algorithm's cong_avoid, then snd_cwnd_stamp.
    /// </summary>
    internal void WindowArithmetic(SeqNum ack, int delivered, AckFlags flags, int newlyLost)
    {
        if (_caState == CongestionState.Recovery)
        {
            ReduceCongestionWindow(delivered, (flags & AckFlags.SndUnaAdvanced) != 0, newlyLost);
            return;
        }

        bool reorderingHigh = _loss is { } loss && loss.Reordering > _stack.Sysctls.TcpReordering;
        bool mayRaise = (flags & (reorderingHigh ? AckFlags.ForwardProgress : AckFlags.DataAcked)) != 0;
        if (mayRaise)
        {
            CaOps.CongAvoid(this, ack, delivered);
            StampCwnd();
        }
    }
}
