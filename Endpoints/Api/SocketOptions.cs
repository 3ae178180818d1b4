using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>SO_LINGER: whether close() lingers, and for how long (0 means abort with RST).</summary>
public readonly record struct Linger(bool Enabled, int Seconds)
{
    public static Linger Off => default;

    public static Linger Abort => new(true, 0);
}

/// <summary>The socket options an application can set (setsockopt), with Linux's defaults.</summary>
public sealed record SocketOptions
{
    public static SocketOptions Default { get; } = new();

    /// <summary>SO_REUSEADDR.</summary>
    public bool ReuseAddress { get; init; }

    /// <summary>SO_REUSEPORT.</summary>
    public bool ReusePort { get; init; }

    /// <summary>SO_LINGER.</summary>
    public Linger Linger { get; init; }

    /// <summary>SO_KEEPALIVE.</summary>
    public bool KeepAlive { get; init; }

    /// <summary>TCP_KEEPIDLE in seconds, or null for net.ipv4.tcp_keepalive_time.</summary>
    public int? KeepIdleSeconds { get; init; }

    /// <summary>TCP_KEEPINTVL in seconds, or null for net.ipv4.tcp_keepalive_intvl.</summary>
    public int? KeepIntervalSeconds { get; init; }

    /// <summary>TCP_KEEPCNT, or null for net.ipv4.tcp_keepalive_probes.</summary>
    public int? KeepCount { get; init; }

    /// <summary>TCP_NODELAY (disables Nagle).</summary>
    public bool NoDelay { get; init; }

    /// <summary>TCP_SYNCNT, or null for net.ipv4.tcp_syn_retries.</summary>
    public int? SynCount { get; init; }

    /// <summary>TCP_LINGER2 in seconds (orphaned FIN_WAIT2 lifetime), or null for net.ipv4.tcp_fin_timeout.</summary>
    public int? Linger2Seconds { get; init; }

    /// <summary>TCP_USER_TIMEOUT, or null for none.</summary>
    public Duration? UserTimeout { get; init; }

    /// <summary>SO_RCVBUF in bytes as set (Linux doubles it), or null for tcp_rmem's default.</summary>
    public int? ReceiveBuffer { get; init; }

    /// <summary>SO_SNDBUF in bytes as set (Linux doubles it), or null for tcp_wmem's default.</summary>
    public int? SendBuffer { get; init; }

    /// <summary>
    /// SO_MAX_PACING_RATE in bytes a second (sk_max_pacing_rate), or null for none (~0UL). Setting a rate also turns
    /// on TCP's internal pacing (sk_pacing_status SK_PACING_NEEDED), which stays on for the socket's life.
    /// </summary>
    public long? MaxPacingRate { get; init; }

    /// <summary>
    /// TCP_CONGESTION: the congestion control's name (reno, cubic, bbr), or null for net.ipv4.tcp_congestion_control
    /// when the socket is made. An unknown name fails the call with ENOENT, as Linux's setsockopt does.
    /// </summary>
    public string? CongestionControl { get; init; }
}
