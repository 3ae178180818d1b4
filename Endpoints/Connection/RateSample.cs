using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// One ACK's delivery-rate sample, shaped like Linux's struct rate_sample (include/net/tcp.h) so that a congestion
/// control that models bandwidth (BBR) can consume it: tcp_rate_skb_delivered fills the prior_* fields from the most
/// recently sent segment the ACK delivered, tcp_rate_gen the rest. Times are in microseconds as Linux keeps them.
/// A sample without timing (<see cref="Delivered"/> and <see cref="IntervalUs"/> −1) is not a rate.
/// </summary>
internal struct RateSample
{
    public RateSample()
    {
    }

    /// <summary>prior_mstamp: when the delivered count <see cref="PriorDelivered"/> was reached (0: no sample).</summary>
    public long PriorMstamp;

    /// <summary>prior_delivered: tp->delivered when the segment that set this sample was sent.</summary>
    public uint PriorDelivered;

    /// <summary>prior_delivered_ce: the same for CE-marked deliveries (always 0: the simulator has no ECN).</summary>
    public uint PriorDeliveredCe;

    /// <summary>delivered: segments delivered over the interval (−1: no sample).</summary>
    public int Delivered = -1;

    /// <summary>delivered_ce: CE-marked segments delivered over the interval (0 without ECN).</summary>
    public int DeliveredCe;

    /// <summary>interval_us: the longer of the send and ACK phases (−1: no valid sample).</summary>
    public long IntervalUs = -1;

    /// <summary>snd_interval_us: the send phase, from the first to the last send of the window.</summary>
    public long SendIntervalUs;

    /// <summary>rcv_interval_us: the ACK phase, from prior_mstamp to this ACK.</summary>
    public long ReceiveIntervalUs;

    /// <summary>rtt_us: the RTT of the last (S)ACKed segment (tcp_ack_update_rtt's ca_rtt_us), −1 when none.</summary>
    public long RttUs = -1;

    /// <summary>losses: segments newly marked lost on this ACK.</summary>
    public int Losses;

    /// <summary>acked_sacked: segments newly ACKed or SACKed on this ACK.</summary>
    public int AckedSacked;

    /// <summary>prior_in_flight: tcp_packets_in_flight before this ACK.</summary>
    public int PriorInFlight;

    /// <summary>last_end_seq: end_seq of the segment that set the prior_* fields (the tie-break of tcp_skb_sent_after).</summary>
    public SeqNum LastEndSeq;

    /// <summary>is_app_limited: the segment was sent while the application, not the network, limited sending.</summary>
    public bool IsAppLimited;

    /// <summary>is_retrans: the segment that set the sample had been retransmitted.</summary>
    public bool IsRetrans;

    /// <summary>is_ack_delayed: the ACK may have been delayed (FLAG_ACK_MAYBE_DELAYED).</summary>
    public bool IsAckDelayed;

    /// <summary>The sample is a rate: delivered and interval both known.</summary>
    public readonly bool IsValid => Delivered >= 0 && IntervalUs > 0;
}
