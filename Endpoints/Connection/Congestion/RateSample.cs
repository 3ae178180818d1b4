namespace TcpActors.Endpoints;

/// <summary>
/// What the simulator knows of Linux's struct rate_sample (net/ipv4/tcp_rate.c) when tcp_cong_control runs: the
/// segments newly delivered (ACKed or SACKed, acked_sacked), those newly marked lost (rs->losses) and the RTT of the
/// newest segment delivered (rs->rtt_us, −1 without one). The delivery-rate fields BBR needs (delivered,
/// interval_us, is_app_limited, prior_in_flight) are not modelled yet; whoever adds BBR extends this.
/// </summary>
internal readonly record struct RateSample(int AckedSacked, int Losses, long RttMicroseconds);
