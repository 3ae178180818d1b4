namespace TcpActors.Endpoints;

/// <summary>
/// What the kernel's tcp_get_info (net/ipv4/tcp.c) reports of a socket, in struct tcp_info's units (microseconds,
/// milliseconds for the last_* ages, bytes a second for rates), plus the congestion control's name (INET_DIAG_CONG).
/// A listener reports only <see cref="CongestionControl"/>, <see cref="CongestionWindow"/>, <see cref="Reordering"/>,
/// the pacing rates and its accept queue as <see cref="Unacked"/>, as Linux does.
/// </summary>
public sealed record TcpInfo
{
    public string CongestionControl { get; init; } = "";

    /// <summary>The congestion control's own report (get_info; BBR's tcp_bbr_info), null for an algorithm without one.</summary>
    public BbrInfo? Bbr { get; init; }

    public bool Timestamps { get; init; }

    public bool Sack { get; init; }

    /// <summary>Window scaling negotiated: <see cref="SendWindowScale"/> and <see cref="ReceiveWindowScale"/> are meaningful.</summary>
    public bool WindowScale { get; init; }

    public int SendWindowScale { get; init; }

    public int ReceiveWindowScale { get; init; }

    /// <summary>tcpi_rto: icsk_rto, backoff included, µs.</summary>
    public long RtoMicros { get; init; }

    public int Backoff { get; init; }

    /// <summary>tcpi_rtt: srtt_us >> 3.</summary>
    public long RttMicros { get; init; }

    /// <summary>tcpi_rttvar: mdev_us >> 2.</summary>
    public long RttVarMicros { get; init; }

    /// <summary>tcpi_ato: the delayed-ACK timeout, at most the delayed-ACK maximum, µs (0 before any data arrived).</summary>
    public long AtoMicros { get; init; }

    /// <summary>tcpi_snd_mss: mss_cache.</summary>
    public int SendMss { get; init; }

    public int ReceiveMss { get; init; }

    /// <summary>tcpi_pmtu: the path MTU the socket uses.</summary>
    public int PathMtu { get; init; }

    public int AdvertisedMss { get; init; }

    public int CongestionWindow { get; init; }

    /// <summary>tcpi_snd_ssthresh (0x7fffffff while infinite).</summary>
    public int SlowStartThreshold { get; init; } = int.MaxValue;

    public ulong BytesSent { get; init; }

    public ulong BytesRetransmitted { get; init; }

    public ulong BytesAcked { get; init; }

    public ulong BytesReceived { get; init; }

    public uint SegmentsOut { get; init; }

    public uint SegmentsIn { get; init; }

    public uint DataSegmentsOut { get; init; }

    public uint DataSegmentsIn { get; init; }

    /// <summary>tcpi_last_data_sent, tcpi_last_data_recv, tcpi_last_ack_recv: ages in milliseconds, counted in jiffies.</summary>
    public long LastDataSentMillis { get; init; }

    public long LastDataReceivedMillis { get; init; }

    public long LastAckReceivedMillis { get; init; }

    /// <summary>tcpi_pacing_rate, bytes a second (null: ~0, unlimited).</summary>
    public long? PacingRate { get; init; }

    public long? MaxPacingRate { get; init; }

    /// <summary>tcpi_delivery_rate (tcp_compute_delivery_rate), bytes a second; 0 without a sample.</summary>
    public long DeliveryRate { get; init; }

    public uint Delivered { get; init; }

    /// <summary>tcpi_delivery_rate_app_limited.</summary>
    public bool AppLimited { get; init; }

    /// <summary>tcpi_busy_time: µs with data queued or in flight (tcp_chrono; 0 when not modelled).</summary>
    public long BusyMicros { get; init; }

    /// <summary>tcpi_unacked: packets_out (a listener's accept queue).</summary>
    public int Unacked { get; init; }

    /// <summary>tcpi_retrans: retrans_out.</summary>
    public int Retransmissions { get; init; }

    /// <summary>tcpi_total_retrans.</summary>
    public int TotalRetransmissions { get; init; }

    public int Lost { get; init; }

    public int Sacked { get; init; }

    public int DsackDuplicates { get; init; }

    public int Reordering { get; init; } = 3;

    public int ReorderSeen { get; init; }

    /// <summary>tcpi_rcv_rtt: rcv_rtt_est.rtt_us >> 3.</summary>
    public long ReceiveRttMicros { get; init; }

    public int ReceiveSpace { get; init; }

    public long ReceiveSlowStartThreshold { get; init; }

    /// <summary>tcpi_notsent_bytes: write_seq − snd_nxt.</summary>
    public long NotSent { get; init; }

    /// <summary>tcpi_min_rtt, µs (null before a sample: ~0U, which ss leaves out).</summary>
    public long? MinRttMicros { get; init; }

    public long SendWindow { get; init; }
}
