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
    private byte _caKey { get => Field(CaKeyShift, 0xFF); set => SetField(CaKeyShift, 0xFF, value); }

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

    /// <summary>sk_max_pacing_rate (bytes a second; <see cref="UnlimitedPacingRate"/> when not set).</summary>
    internal long MaxPacingRateBytesPerSecond => MaxPacingRate;

    /// <summary>tp->delivered: segments delivered (ACKed or SACKed, the SYN included) over the connection's life.</summary>
    internal uint Delivered => _delivered;

    /// <summary>tp->delivered_mstamp: when <see cref="Delivered"/> last grew, in µs.</summary>
    internal long DeliveredMstamp => _deliveredMstamp;

    /// <summary>tp->lost: segments marked lost over the connection's life.</summary>
    internal uint Lost => (uint)(_loss?.LostCount ?? 0);

    /// <summary>tp->app_limited: 0, or the delivered count that ends an application-limited bubble.</summary>
    internal uint AppLimited
    {
        get => _appLimited;
        set => _appLimited = value;
    }

    /// <summary>tcp_packets_in_flight.</summary>
    internal int InFlight => PacketsInFlight;

    /// <summary>tp->srtt_us: the smoothed RTT in 1/8 µs (0 before the first sample).</summary>
    internal long SrttUs8 => _rtt.SmoothedMicros8;

    /// <summary>tcp_min_rtt in µs (~0U before a sample).</summary>
    internal uint MinRttUs => (uint)MinRttMicros;

    /// <summary>tp->mss_cache.</summary>
    internal int MssCache => BoundedMss;

    /// <summary>tp->tcp_mstamp: now, in µs.</summary>
    internal long MstampMicroseconds => NowMicroseconds;

    /// <summary>tp->tcp_clock_cache: now, in ns.</summary>
    internal long ClockNanoseconds => _stack.NowNanoseconds;

    /// <summary>tp->tcp_wstamp_ns: the earliest departure time pacing has reached (now for a socket that does not pace).</summary>
    internal long WstampNanoseconds => Math.Max(PacingRequested ? _pacingWstamp : 0, _stack.NowNanoseconds);

    /// <summary>icsk_ca_state.</summary>
    internal CongestionState CaState => _caState;

    /// <summary>get_random_u32_below: a number in [0, <paramref name="bound"/>) from the host's seeded congestion-control stream.</summary>
    internal uint RandomBelow(uint bound) => (uint)_stack.CongestionRandom.NextInt32((int)bound);

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

    /// <summary>
    /// tcp_init_transfer's window and tcp_init_congestion_control, when the connection is established: the window
    /// starts at TCP_INIT_CWND (whatever the ACK of the SYN did to it: BBR's cong_control sees that ACK before its
    /// init), then the algorithm's init.
    /// </summary>
    private void InitCongestionControl()
    {
        _cwnd = InitialCongestionWindow;
        CaOps.Init(this);
    }

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
            CaOps.Release(this);
            _caKey = ops.Key;
            if (_state is not (TcpState.Closed or TcpState.Listen or TcpState.SynSent))
            {
                ops.Init(this);
            }
        }

        return Errno.None;
    }

    /// <summary>tcp_cleanup_congestion_control from tcp_v4_destroy_sock: the dead socket's algorithm lets its state go.</summary>
    private void ReleaseCongestionControl() => CaOps.Release(this);

    /// <summary>tcp_set_ca_state: the algorithm hears of the new state first.</summary>
    private void SetCaState(CongestionState state)
    {
        CaOps.SetState(this, state);
        _caState = state;
    }

    /// <summary>tcp_ca_event.</summary>
    private void CongestionEvent(CaEvent caEvent) => CaOps.CwndEvent(this, caEvent);

    /// <summary>
    /// tcp_cong_control: the algorithm's cong_control hook if it has one (which sets the window and the pacing rate
    /// itself), else the window arithmetic below and tcp_update_pacing_rate.
    /// </summary>
    private void CongestionControl(SeqNum ack, int delivered, AckFlags flags, int newlyLost, in RateSample rate)
    {
        var ops = CaOps;
        if (ops.HasCongControl)
        {
            ops.CongControl(this, ack, flags, in rate);
            return;
        }

        WindowArithmetic(ack, delivered, flags, newlyLost);
        UpdatePacingRate();
    }

    /// <summary>
    /// tcp_update_pacing_rate where Linux calls it outside tcp_cong_control (a connection established): not for an
    /// algorithm with cong_control, which keeps sk_pacing_rate itself.
    /// </summary>
    private void UpdatePacingRateUnlessCongControl()
    {
        if (!CaOps.HasCongControl)
        {
            UpdatePacingRate();
        }
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
