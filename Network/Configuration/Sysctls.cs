namespace TcpActors.Network;

/// <summary>
/// A host's <c>net.*</c> settings, typed, with Linux 6.x names and defaults (those read on the kernel of
/// these machines, Linux 6.18, in a fresh network namespace). Each host has its own copy. Settable by
/// name through <see cref="SysctlRegistry"/>, which validates ranges the way the kernel's proc handlers do.
/// </summary>
public sealed class Sysctls
{
    /// <summary>net.ipv4.tcp_syn_retries: SYN retransmissions before connect() fails ETIMEDOUT.</summary>
    public int TcpSynRetries { get; set; } = 6;

    /// <summary>net.ipv4.tcp_syn_linear_timeouts: leading SYN retransmissions at a fixed 1 s (Linux 6.x).</summary>
    public int TcpSynLinearTimeouts { get; set; } = 4;

    /// <summary>net.ipv4.tcp_synack_retries: SYN-ACK retransmissions before a request socket is dropped.</summary>
    public int TcpSynackRetries { get; set; } = 5;

    /// <summary>net.ipv4.tcp_retries1: retransmissions before the route is re-checked (no visible effect modelled).</summary>
    public int TcpRetries1 { get; set; } = 3;

    /// <summary>net.ipv4.tcp_retries2: the time budget (as a count of doubling RTOs) before an established connection times out.</summary>
    public int TcpRetries2 { get; set; } = 15;

    /// <summary>net.ipv4.tcp_orphan_retries: the same budget for orphaned sockets; 0 means 8.</summary>
    public int TcpOrphanRetries { get; set; }

    /// <summary>net.ipv4.tcp_fin_timeout: seconds an orphaned FIN_WAIT2 lives.</summary>
    public int TcpFinTimeout { get; set; } = 60;

    /// <summary>net.ipv4.tcp_keepalive_time: idle seconds before the first keepalive probe.</summary>
    public int TcpKeepaliveTime { get; set; } = 7200;

    /// <summary>net.ipv4.tcp_keepalive_intvl: seconds between keepalive probes.</summary>
    public int TcpKeepaliveIntvl { get; set; } = 75;

    /// <summary>net.ipv4.tcp_keepalive_probes: unanswered probes before the connection is dropped.</summary>
    public int TcpKeepaliveProbes { get; set; } = 9;

    /// <summary>net.ipv4.tcp_tw_reuse: 0 never, 1 always, 2 loopback only (default).</summary>
    public int TcpTwReuse { get; set; } = 2;

    /// <summary>net.ipv4.tcp_tw_reuse_delay: milliseconds after entering TIME_WAIT before reuse (Linux 6.x).</summary>
    public int TcpTwReuseDelay { get; set; } = 1000;

    /// <summary>net.ipv4.tcp_rfc1337: 1 ignores RSTs in TIME_WAIT (no assassination).</summary>
    public int TcpRfc1337 { get; set; }

    /// <summary>net.ipv4.tcp_max_tw_buckets: TIME_WAIT sockets kept at most; more close at once (TCPTimeWaitOverflow).</summary>
    public int TcpMaxTwBuckets { get; set; } = 131072;

    /// <summary>net.ipv4.tcp_abort_on_overflow: 1 answers an overflowing third ACK with RST.</summary>
    public int TcpAbortOnOverflow { get; set; }

    /// <summary>net.ipv4.tcp_timestamps: RFC 7323 timestamps (1 on).</summary>
    public int TcpTimestamps { get; set; } = 1;

    /// <summary>net.ipv4.tcp_sack: selective acknowledgements.</summary>
    public int TcpSack { get; set; } = 1;

    /// <summary>net.ipv4.tcp_window_scaling.</summary>
    public int TcpWindowScaling { get; set; } = 1;

    /// <summary>net.ipv4.tcp_syncookies (1: only when the SYN queue overflows).</summary>
    public int TcpSyncookies { get; set; } = 1;

    /// <summary>net.ipv4.tcp_max_syn_backlog: SYN queue bound.</summary>
    public int TcpMaxSynBacklog { get; set; } = 2048;

    /// <summary>net.ipv4.tcp_early_retrans: 3 enables RACK-TLP's tail loss probe.</summary>
    public int TcpEarlyRetrans { get; set; } = 3;

    /// <summary>net.ipv4.tcp_pacing_ss_ratio (0..1000, default 200): sk_pacing_rate in percent of mss × cwnd / srtt in slow start (tcp_update_pacing_rate).</summary>
    public int TcpPacingSsRatio { get; set; } = 200;

    /// <summary>net.ipv4.tcp_pacing_ca_ratio (0..1000, default 120): the same percentage in congestion avoidance (cwnd at least half ssthresh).</summary>
    public int TcpPacingCaRatio { get; set; } = 120;

    /// <summary>net.ipv4.tcp_frto: F-RTO (RFC 5682, the SACK-enhanced variant) after an RTO; 0 off, 1 and 2 on.</summary>
    public int TcpFrto { get; set; } = 2;

    /// <summary>net.ipv4.tcp_reordering: the reordering (in segments) assumed until more is seen.</summary>
    public int TcpReordering { get; set; } = 3;

    /// <summary>net.ipv4.tcp_max_reordering: the most reordering a connection may learn.</summary>
    public int TcpMaxReordering { get; set; } = 300;

    /// <summary>net.ipv4.tcp_recovery: RACK flags (1 RACK loss detection, 2 static reordering window, 4 no duplicate-ACK threshold).</summary>
    public int TcpRecovery { get; set; } = 1;

    /// <summary>
    /// net.ipv4.tcp_challenge_ack_limit: RFC 5961 challenge ACKs a namespace sends per second (after the per-socket
    /// tcp_invalid_ratelimit); int.MaxValue, the default since Linux 6.0, is no limit.
    /// </summary>
    public int TcpChallengeAckLimit { get; set; } = int.MaxValue;

    /// <summary>net.ipv4.tcp_invalid_ratelimit: milliseconds between ACKs sent for invalid segments (TIME_WAIT, out of window).</summary>
    public int TcpInvalidRatelimit { get; set; } = 500;

    /// <summary>net.ipv4.tcp_rmem: min, default, max receive buffer in bytes.</summary>
    public (int Min, int Default, int Max) TcpRmem { get; set; } = (4096, 131072, 33554432);

    /// <summary>net.ipv4.tcp_wmem: min, default, max send buffer in bytes.</summary>
    public (int Min, int Default, int Max) TcpWmem { get; set; } = (4096, 16384, 4194304);

    /// <summary>
    /// net.ipv4.tcp_congestion_control: the algorithm a new socket takes (reno, cubic or bbr), read when a socket is
    /// made (tcp_assign_congestion_control) unless TCP_CONGESTION names one. The default is bbr, as on the kernel this
    /// simulator reproduces (built with CONFIG_DEFAULT_TCP_CONG="bbr"; every new network namespace starts with it):
    /// docs/adr/0004-bbr-default.md. Upstream's usual build default is cubic; set it for such a kernel.
    /// </summary>
    public string TcpCongestionControl { get; set; } = "bbr";

    /// <summary>net.ipv4.tcp_slow_start_after_idle.</summary>
    public int TcpSlowStartAfterIdle { get; set; } = 1;

    /// <summary>
    /// net.ipv4.tcp_moderate_rcvbuf: receive-buffer autotuning (tcp_rcvbuf_grow grows sk_rcvbuf, up to tcp_rmem's
    /// maximum, for a socket without SO_RCVBUF); 0 leaves the buffer at tcp_rmem's default.
    /// </summary>
    public int TcpModerateRcvbuf { get; set; } = 1;

    /// <summary>
    /// net.ipv4.tcp_comp_sack_delay_ns: the longest a SACK-carrying duplicate ACK is held for compression (1 ms); the
    /// delay is 5 % of the round trip below that (__tcp_ack_snd_check).
    /// </summary>
    public int TcpCompSackDelayNs { get; set; } = 1_000_000;

    /// <summary>net.ipv4.tcp_comp_sack_nr: how many duplicate ACKs one compressed ACK may stand for (44; 0 turns compression off).</summary>
    public int TcpCompSackNr { get; set; } = 44;

    /// <summary>net.ipv4.ip_local_port_range: ephemeral ports, inclusive.</summary>
    public (int Low, int High) IpLocalPortRange { get; set; } = (32768, 60999);

    /// <summary>net.ipv4.ip_local_reserved_ports: ports connect() and bind(0) never choose.</summary>
    public IReadOnlySet<int> IpLocalReservedPorts { get; set; } = new SortedSet<int>();

    /// <summary>net.ipv4.ip_autobind_reuse: bind(0) may share SO_REUSEADDR ports.</summary>
    public int IpAutobindReuse { get; set; }

    /// <summary>net.ipv4.ip_forward: route packets between interfaces.</summary>
    public int IpForward { get; set; }

    /// <summary>net.ipv4.ip_default_ttl.</summary>
    public int IpDefaultTtl { get; set; } = 64;

    /// <summary>net.ipv4.icmp_ratelimit: milliseconds of token per ICMP error sent to one destination (icmpv4_xrlim_allow).</summary>
    public int IcmpRatelimit { get; set; } = 1000;

    /// <summary>net.ipv4.icmp_ratemask: the ICMP types rate-limited, one bit per type (6168: destination unreachable, source quench, time exceeded, parameter problem).</summary>
    public int IcmpRatemask { get; set; } = 6168;

    /// <summary>
    /// net.core.rmem_max: the most SO_RCVBUF may ask for; sock_setsockopt caps the value to it before doubling it.
    /// 4 MB on this kernel (a fresh namespace reads 4194304; there it is read-only, init_net's value).
    /// </summary>
    public int NetCoreRmemMax { get; set; } = 4194304;

    /// <summary>net.core.wmem_max: the most SO_SNDBUF may ask for, as <see cref="NetCoreRmemMax"/> for the send buffer.</summary>
    public int NetCoreWmemMax { get; set; } = 4194304;

    /// <summary>net.ipv4.icmp_msgs_per_sec: the host-wide refill rate of ICMP error credit (icmp_global_allow).</summary>
    public int IcmpMsgsPerSec { get; set; } = 1000;

    /// <summary>net.ipv4.icmp_msgs_burst: the host-wide ICMP error credit's ceiling.</summary>
    public int IcmpMsgsBurst { get; set; } = 50;

    /// <summary>net.core.somaxconn: the cap on listen() backlogs.</summary>
    public int Somaxconn { get; set; } = 4096;

    /// <summary>The effective orphan budget: tcp_orphan_retries, where 0 means 8 (tcp_orphan_retries() in tcp_timer.c).</summary>
    public int EffectiveOrphanRetries => TcpOrphanRetries == 0 ? 8 : TcpOrphanRetries;

    public Sysctls Clone()
    {
        var copy = (Sysctls)MemberwiseClone();
        copy.IpLocalReservedPorts = new SortedSet<int>(IpLocalReservedPorts);
        return copy;
    }
}
