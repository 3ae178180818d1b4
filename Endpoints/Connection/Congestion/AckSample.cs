namespace TcpActors.Endpoints;

/// <summary>
/// struct ack_sample, what tcp_clean_rtx_queue hands pkts_acked: the segments this ACK acknowledged cumulatively and
/// the RTT of the newest segment it (S)ACKed in µs (ca_rtt_us, the difference of the two µs stamps; −1 without a
/// sample, as after Karn's rule).
/// </summary>
internal readonly record struct AckSample(int PacketsAcked, long RttMicroseconds);
