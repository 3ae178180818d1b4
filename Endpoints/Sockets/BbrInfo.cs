namespace TcpActors.Endpoints;

/// <summary>
/// struct tcp_bbr_info, what bbr_get_info reports to ss (INET_DIAG_BBRINFO): the bandwidth estimate in bytes a
/// second (bbr_bw × mss × 10^6 &gt;&gt; 24), min_rtt in µs (~0U before a sample), and the two gains in 1/256
/// (BBR_UNIT = 256 is 1.0; 0 before the first ACK the algorithm processed).
/// </summary>
public readonly record struct BbrInfo(ulong BandwidthBytesPerSecond, uint MinRttMicros, uint PacingGain, uint CwndGain);
