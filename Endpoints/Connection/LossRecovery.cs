using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The loss-recovery state a connection needs only once the peer has SACKed something or a loss was
/// declared: whether it is in the Loss state (after an RTO, until snd_una passes high_seq), RACK's most
/// recently sent delivered segment (tcp_rack_advance), and proportional rate reduction's counters
/// (RFC 6937, tcp_cwnd_reduction). Linux keeps these in every tcp_sock; a socket here allocates them on
/// the first loss and drops them once nothing is outstanding, so a clean connection carries none.
/// </summary>
internal sealed class LossRecovery
{
    /// <summary>icsk_ca_state == TCP_CA_Loss: what was outstanding at the RTO is presumed lost.</summary>
    public bool InLoss { get; set; }

    /// <summary>rack.mstamp: when the most recently sent of the delivered segments was sent (long.MinValue: none yet).</summary>
    public long RackSentAt { get; set; } = long.MinValue;

    /// <summary>rack.end_seq: its end, to order segments sent at the same instant.</summary>
    public SeqNum RackEnd { get; set; }

    /// <summary>prior_cwnd: the congestion window when fast recovery began.</summary>
    public int PriorCwnd { get; set; }

    /// <summary>prr_delivered: segments delivered (ACKed or SACKed) since fast recovery began.</summary>
    public int PrrDelivered { get; set; }

    /// <summary>prr_out: segments sent (new or retransmitted) since fast recovery began.</summary>
    public int PrrOut { get; set; }
}
