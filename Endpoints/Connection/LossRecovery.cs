using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The loss-recovery state a connection needs once it has seen a SACK, a duplicate ACK or a retransmission:
/// RACK's most recently sent delivered segment and reordering window (tcp_recovery.c), the reordering the path
/// has shown (tp->reordering, tp->reord_seen), the undo bookkeeping (undo_marker, undo_retrans, prior_ssthresh,
/// prior_cwnd), F-RTO (tp->frto) and proportional rate reduction's counters (RFC 6937, tcp_cwnd_reduction).
/// Linux keeps these in every tcp_sock; a socket here allocates them on the first such event and keeps them
/// (what was learnt about the path outlives the episode), so a clean connection carries none.
/// </summary>
internal sealed class LossRecovery(int reordering)
{
    /// <summary>TCP_RACK_RECOVERY_THRESH: recoveries a widened reordering window persists for.</summary>
    public const int RecoveryThreshold = 16;

    /// <summary>rack.mstamp: when the most recently sent of the delivered segments was sent (long.MinValue: none yet).</summary>
    public long RackSentAt { get; set; } = long.MinValue;

    /// <summary>In place of rack.end_seq: its transmission order, to order segments sent at the same instant.</summary>
    public uint RackOrder { get; set; }

    /// <summary>rack.rtt_us: the RTT of the most recently delivered segment (in nanoseconds).</summary>
    public long RackRtt { get; set; }

    /// <summary>rack.advanced: a segment was delivered since RACK last looked for losses.</summary>
    public bool RackAdvanced { get; set; }

    /// <summary>rack.reo_wnd_steps: the reordering window in quarters of min_rtt, grown by D-SACKs.</summary>
    public int ReorderWindowSteps { get; set; } = 1;

    /// <summary>rack.reo_wnd_persist: recoveries the widened window still lasts.</summary>
    public int ReorderWindowPersist { get; set; }

    /// <summary>rack.dsack_seen: a D-SACK arrived after reordering was seen; widen the window on this ACK.</summary>
    public bool DsackSeen { get; set; }

    /// <summary>When the window was last widened (rack.last_delivered, as the time of that ACK): a D-SACK for a segment sent before then is the same round's.</summary>
    public long ReorderWindowWidenedAt { get; set; } = long.MinValue;

    /// <summary>tp->reordering: how far (in segments) the path has been seen to reorder; tcp_reordering at first.</summary>
    public int Reordering { get; set; } = reordering;

    /// <summary>tp->reord_seen: reordering events seen.</summary>
    public int ReorderSeen { get; set; }

    /// <summary>tp->undo_marker is set: the cwnd reduction of this episode may still be undone.</summary>
    public bool HasUndoMarker { get; set; }

    /// <summary>tp->undo_marker: snd_una when the episode began.</summary>
    public SeqNum UndoMarker { get; set; }

    /// <summary>tp->undo_retrans: retransmissions of the episode not yet shown spurious by a D-SACK (−1: none made).</summary>
    public int UndoRetransmissions { get; set; } = -1;

    /// <summary>tp->prior_ssthresh: ssthresh (or 3/4 of cwnd) before the reduction, 0 when the reduction must stay.</summary>
    public int PriorSsthresh { get; set; }

    /// <summary>prior_cwnd: the congestion window when the episode began (PRR's base and the undo's).</summary>
    public int PriorCwnd { get; set; }

    /// <summary>tp->frto: F-RTO (RFC 5682) is judging whether this RTO was spurious.</summary>
    public bool Frto { get; set; }

    /// <summary>tp->total_retrans: segments retransmitted over the connection's life.</summary>
    public int TotalRetransmissions { get; set; }

    /// <summary>tp->dsack_dups: segments D-SACKed over the connection's life.</summary>
    public int DsackDuplicates { get; set; }

    /// <summary>tp->lost: segments marked lost over the connection's life (a lost retransmission counts again).</summary>
    public int LostCount { get; set; }

    /// <summary>tp->tlp_retrans: the outstanding loss probe was a retransmission (not new data).</summary>
    public bool TailProbeRetransmitted { get; set; }

    /// <summary>prr_delivered: segments delivered (ACKed or SACKed) since fast recovery began.</summary>
    public int PrrDelivered { get; set; }

    /// <summary>prr_out: segments sent (new or retransmitted) since fast recovery began.</summary>
    public int PrrOut { get; set; }
}
