using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The loss-recovery state a connection needs once it has seen a SACK, a loss or a retransmission (but a tail-loss
/// probe's, whose few fields are the socket's): the
/// scoreboard's counters (sacked_out, lost_out, retrans_out: all zero until then), RACK's reordering window
/// (tcp_recovery.c; what RACK notes on every ACK is on the socket), the reordering the path
/// has shown (tp->reordering, tp->reord_seen), the undo bookkeeping (undo_marker, undo_retrans, prior_ssthresh,
/// prior_cwnd), F-RTO (tp->frto) and proportional rate reduction's counters (RFC 6937, tcp_cwnd_reduction); also
/// the socket members that stay zero until such an event (high_seq, the RTO count, SACK compression's
/// counters), which the socket reads through properties of their own names.
/// Linux keeps these in every tcp_sock; a socket here allocates them on the first such event and keeps them
/// (what was learnt about the path outlives the episode), so a clean connection carries none.
/// </summary>
internal sealed class LossRecovery(int reordering)
{
    /// <summary>TCP_RACK_RECOVERY_THRESH: recoveries a widened reordering window persists for.</summary>
    public const int RecoveryThreshold = 16;

    /// <summary>tp->sacked_out: segments in the retransmission queue tagged SACKed (TCPCB_SACKED_ACKED).</summary>
    public int SackedOut { get; set; }

    /// <summary>tp->lost_out: segments in the retransmission queue tagged lost (TCPCB_LOST).</summary>
    public int LostOut { get; set; }

    /// <summary>tp->retrans_out: segments in the retransmission queue whose retransmission is in flight (TCPCB_SACKED_RETRANS).</summary>
    public int RetransOut { get; set; }

    /// <summary>In place of tp->highest_sack: the end of the highest SACKed segment still queued (meaningful while <see cref="SackedOut"/> &gt; 0).</summary>
    public SeqNum HighestSackEnd { get; set; }

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

    /// <summary>tp->lost: segments marked lost over the connection's life (a lost retransmission counts again).</summary>
    public int LostCount { get; set; }

    /// <summary>tp->high_seq: snd_nxt when the episode began (the socket's _recoveryPoint).</summary>
    public SeqNum RecoveryPoint { get; set; }

    /// <summary>tp->total_rto (the socket's _totalRto): RTO expiries over the connection's life.</summary>
    public int TotalRto { get; set; }

    /// <summary>tp->compressed_ack: duplicate ACKs held by SACK compression (the socket's _compressedAcks).</summary>
    public int CompressedAcks { get; set; }

    /// <summary>tp->dup_ack_counter (the socket's _dupAckCounter).</summary>
    public int DupAckCounter { get; set; }

    /// <summary>tp->compressed_ack_rcv_nxt (the socket's _compressedAckRcvNxt).</summary>
    public SeqNum CompressedAckRcvNxt { get; set; }

    /// <summary>prr_delivered: segments delivered (ACKed or SACKed) since fast recovery began.</summary>
    public int PrrDelivered { get; set; }

    /// <summary>prr_out: segments sent (new or retransmitted) since fast recovery began.</summary>
    public int PrrOut { get; set; }
}
