using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Undoing a congestion-window reduction the evidence shows needless (tcp_input.c's tcp_try_undo_*), and F-RTO
/// (RFC 5682, the SACK-enhanced variant, tcp_process_loss).
/// <para>
/// Linux keeps, from the start of each episode (undo_marker = snd_una), the number of retransmissions not yet
/// shown spurious (undo_retrans): each D-SACK for one of them takes one off. When none is left, or the peer
/// echoes a timestamp older than the first retransmission (the original got through: tcp_packet_delayed),
/// the reduction was a mistake and ssthresh and cwnd go back to what they were (tcp_undo_cwnd_reduction).
/// </para>
/// <para>
/// After an RTO, F-RTO does not go on retransmitting on the first ACK that advances: it sends new data
/// instead (step 2b). If the next ACK advances over data never retransmitted and sent before the RTO, the
/// original segments are getting through and the RTO was spurious: it is undone and the connection goes back
/// to Open (step 3b, TCPSpuriousRTOs). If it brings a duplicate ACK or a SACK instead, the loss was real and
/// recovery goes on conventionally (step 3a).
/// </para>
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>tcp_process_loss: an ACK in the Loss state.</summary>
    private void ProcessLoss(AckFlags flags, int duplicateAcks, ref Rexmit rexmit, Segment? ack)
    {
        var loss = LossState;
        bool advanced = (flags & AckFlags.SndUnaAdvanced) != 0;
        bool recovered = _sndUna >= _recoveryPoint;
        if (advanced && TryUndoLoss(frtoUndo: false, ack))
        {
            return;
        }

        if (loss.Frto)
        {
            if ((flags & AckFlags.OriginalSackedOrAcked) != 0 && TryUndoLoss(frtoUndo: true, ack))
            {
                return; // step 3b: never-retransmitted data was delivered, the RTO was spurious
            }

            if (_sndNxt > _recoveryPoint)
            {
                if ((flags & AckFlags.DataSacked) != 0 || duplicateAcks > 0)
                {
                    loss.Frto = false; // step 3a: the loss was real
                }
            }
            else if (advanced && !recovered)
            {
                _recoveryPoint = _sndNxt;
                if (SendHeadPending && _sndUna + (int)_sndWnd > _sndNxt)
                {
                    rexmit = Rexmit.New; // step 2b: new data, once the window is set
                    return;
                }

                loss.Frto = false;
            }
        }

        if (recovered)
        {
            TryUndoRecovery(ack);
            return;
        }

        rexmit = Rexmit.Lost;
    }

    /// <summary>tcp_try_undo_loss: undo an RTO's reduction (always when F-RTO says it was spurious); back to Open.</summary>
    private bool TryUndoLoss(bool frtoUndo, Segment? ack)
    {
        if (!frtoUndo && !MayUndo(ack))
        {
            return false;
        }

        UndoCongestionWindowReduction(unmarkLoss: true);
        _stack.Counters.LossUndos++;
        _stack.Counters.SpuriousRtos += frtoUndo ? 1 : 0;
        _retransmits = 0;
        if (NonSackPreventingReopen())
        {
            return true;
        }

        if (frtoUndo || _sackOk)
        {
            SetCaState(CongestionState.Open);
        }

        return true;
    }

    /// <summary>
    /// tcp_try_undo_recovery: high_seq is acknowledged; if nothing needed retransmitting, the reduction goes.
    /// The connection reopens (a peer without SACK keeps the state until data beyond high_seq is acknowledged).
    /// </summary>
    private bool TryUndoRecovery(Segment? ack)
    {
        var loss = LossState;
        if (MayUndo(ack))
        {
            bool inLoss = _caState == CongestionState.Loss;
            UndoCongestionWindowReduction(unmarkLoss: false);
            _stack.Counters.LossUndos += inLoss ? 1 : 0;
            _stack.Counters.FullUndos += inLoss ? 0 : 1;
        }
        else if (loss.ReorderWindowPersist > 0)
        {
            loss.ReorderWindowPersist--;
        }

        if (NonSackPreventingReopen())
        {
            return true;
        }

        SetCaState(CongestionState.Open);
        return false;
    }

    /// <summary>tcp_try_undo_dsack: D-SACKs have shown every retransmission of the episode needless.</summary>
    private bool TryUndoDsack()
    {
        if (_loss is not { } loss || !loss.HasUndoMarker || loss.UndoRetransmissions != 0)
        {
            return false;
        }

        loss.ReorderWindowPersist = Math.Min(LossRecovery.RecoveryThreshold, loss.ReorderWindowPersist + 1);
        UndoCongestionWindowReduction(unmarkLoss: false);
        _stack.Counters.DsackUndos++;
        return true;
    }

    /// <summary>
    /// tcp_try_undo_partial: a partial ACK in fast recovery echoes a timestamp from before the first
    /// retransmission — the hole was filled by the delayed original, so this was reordering. With
    /// retransmissions still out, only stop retransmitting (true); otherwise undo.
    /// </summary>
    private bool TryUndoPartial(SeqNum priorSndUna, Segment? ack)
    {
        var loss = LossState;
        if (!loss.HasUndoMarker || !PacketDelayed(ack))
        {
            return false;
        }

        CheckSackReordering(priorSndUna, byTimestamp: true);
        if (RetransmissionsOut > 0)
        {
            return true;
        }

        if (!AnyRetransmissionDone)
        {
            _retransStamp = Never;
        }

        UndoCongestionWindowReduction(unmarkLoss: true);
        _stack.Counters.PartialUndos++;
        TryKeepOpen();
        return false;
    }

    /// <summary>
    /// tcp_undo_cwnd_reduction: ssthresh and cwnd back to what they were before the episode (the congestion
    /// control's undo_cwnd: for Reno and CUBIC at least prior_cwnd), the lost marks cleared if asked; RACK looks at the queue again.
    /// </summary>
    private void UndoCongestionWindowReduction(bool unmarkLoss)
    {
        var loss = LossState;
        if (unmarkLoss)
        {
            for (int i = 0; i < _inFlight.Count; i++)
            {
                var sent = _inFlight[i];
                sent.Lost = false;
                StoreSent(i, sent);
            }
        }

        if (loss.PriorSsthresh != 0)
        {
            _cwnd = CaOps.UndoCwnd(this);
            _ssthresh = Math.Max(_ssthresh, loss.PriorSsthresh);
        }

        loss.HasUndoMarker = false;
        _rackAdvanced = true;
        StampCwnd();
    }

    /// <summary>tcp_may_undo: an undo marker, and no retransmission left unexplained or the original shown delivered.</summary>
    private bool MayUndo(Segment? ack)
    {
        var loss = LossState;
        return loss.HasUndoMarker && (loss.UndoRetransmissions == 0 || PacketDelayed(ack));
    }

    /// <summary>
    /// tcp_packet_delayed: the ACK echoes a timestamp from before the first retransmission; or nothing was
    /// retransmitted at all (but for the cases where Linux clears the stamp although it retransmitted).
    /// </summary>
    private bool PacketDelayed(Segment? ack)
    {
        if (_retransStamp != Never)
        {
            return ack is not null && EchoedBefore(ack, _retransStamp);
        }

        if (!_sackOk && _sndUna >= _recoveryPoint)
        {
            return false;
        }

        return _state != TcpState.SynSent;
    }

    /// <summary>tcp_is_non_sack_preventing_reopen: without SACK, hold the state until data beyond high_seq is acknowledged (RFC 6582).</summary>
    private bool NonSackPreventingReopen()
    {
        if (_sackOk || _sndUna != _recoveryPoint)
        {
            return false;
        }

        if (!AnyRetransmissionDone)
        {
            _retransStamp = Never;
        }

        return true;
    }

    /// <summary>
    /// tcp_init_undo: the episode starts at snd_una; the retransmissions already in flight (and a loss
    /// probe's) may yet be D-SACKed; −1 rather than 0, which would mean "undo now".
    /// </summary>
    private void InitUndo()
    {
        var loss = LossState;
        loss.HasUndoMarker = true;
        loss.UndoMarker = _sndUna;
        int retransmissions = RetransmissionsOut + (_tlpOutstanding && _tailProbeRetransmitted ? 1 : 0);
        loss.UndoRetransmissions = retransmissions == 0 ? -1 : retransmissions;
    }
}
