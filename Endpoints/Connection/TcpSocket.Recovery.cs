using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Loss recovery as Linux 6.x does it (tcp_input.c's tcp_fastretrans_alert, tcp_enter_recovery,
/// tcp_cwnd_reduction, tcp_enter_loss; tcp_output.c's tcp_xmit_retransmit_queue): the congestion state machine
/// (Open, Disorder, Recovery, Loss), deciding which outstanding segments are lost (RACK with SACK, NewReno
/// without: TcpSocket.Rack), undoing a reduction shown spurious and F-RTO after an RTO (TcpSocket.Undo), and
/// retransmitting every lost segment as the congestion window allows — in fast recovery paced by proportional
/// rate reduction (RFC 6937), after an RTO in slow start from one segment. Not modelled: SACK reneging beyond
/// clearing the marks at an RTO, ECN and the CWR state.
/// </summary>
internal sealed partial class TcpSocket
{
    private bool InLossState => _caState == CongestionState.Loss;

    /// <summary>tcp_any_retrans_done: a retransmission is in flight, or the first segment was ever retransmitted.</summary>
    private bool AnyRetransmissionDone => (_inFlight.Count > 0 && _inFlight[0].Retransmitted) || RetransmissionsOut > 0;

    /// <summary>tcp_left_out: segments SACKed (duplicate ACKs without SACK) or presumed lost.</summary>
    private int LeftOut => (_sackOk ? 0 : _dupAcks) + SackedOut + LostOut;

    /// <summary>tcp_time_to_recover: loss detection has marked at least one segment lost.</summary>
    private bool TimeToRecover => LostOut > 0;

    /// <summary>
    /// tcp_fastretrans_alert for one dubious ACK: end fast recovery once high_seq is acknowledged (undoing it if
    /// it proves spurious), try the partial and D-SACK undos, mark what is lost, and enter fast recovery when
    /// something is; in the Loss state F-RTO and the Loss undo (<see cref="ProcessLoss"/>) decide.
    /// <paramref name="rexmit"/> says what <see cref="TransmitRecovery"/> sends once the window is set.
    /// </summary>
    private void FastRetransmitAlert(SeqNum priorSndUna, int duplicateAcks, ref AckFlags flags, ref Rexmit rexmit, Segment? ack = null)
    {
        bool advanced = (flags & AckFlags.SndUnaAdvanced) != 0;
        if ((flags & AckFlags.SackReneging) != 0 && advanced)
        {
            // tcp_check_sack_reneging: give the receiver max(RTT/2, 10 ms) to send the SACKs again, each in whole
            // jiffies rounded up (usecs_to_jiffies, msecs_to_jiffies: 10 ms is 3 jiffies, 12 ms, at HZ 250).
            ArmRetransmitTimer(RetransmitTimerMode.Rto, Math.Max(Jiffies.RoundUp(_rtt.SmoothedNanoseconds / 2), Jiffies.RoundUp(10_000_000)));
            flags &= ~AckFlags.SetTransmitTimer;
            return;
        }

        if (_caState == CongestionState.Open)
        {
            _retransStamp = Never;
        }
        else if (_sndUna >= _recoveryPoint && _caState == CongestionState.Recovery)
        {
            if (TryUndoRecovery(ack))
            {
                return;
            }

            EndCongestionWindowReduction();
        }

        switch (_caState)
        {
            case CongestionState.Recovery:
                if (advanced && TryUndoPartial(priorSndUna, ack))
                {
                    return;
                }

                if (TryUndoDsack())
                {
                    TryToOpen();
                }

                IdentifyPacketLoss(ref flags);
                if (_caState != CongestionState.Recovery)
                {
                    if (!TimeToRecover)
                    {
                        return;
                    }

                    EnterRecovery(); // undone, but a loss is evident: a new recovery
                }

                break;
            case CongestionState.Loss:
                ProcessLoss(flags, duplicateAcks, ref rexmit, ack);
                IdentifyPacketLoss(ref flags);
                if (!(_caState == CongestionState.Open || (flags & AckFlags.LostRetransmission) != 0))
                {
                    return;
                }

                goto default;
            default:
                if (_caState <= CongestionState.Disorder)
                {
                    TryUndoDsack();
                }

                IdentifyPacketLoss(ref flags);
                if (!TimeToRecover)
                {
                    TryToOpen();
                    return;
                }

                EnterRecovery();
                break;
        }

        rexmit = Rexmit.Lost;
    }

    /// <summary>tcp_identify_packet_loss: RACK (which may arm its timer instead of the RTO) with SACK, NewReno without.</summary>
    private void IdentifyPacketLoss(ref AckFlags flags)
    {
        if (PacketsOut == 0)
        {
            return;
        }

        if (!_sackOk)
        {
            MarkRenoLoss((flags & AckFlags.SndUnaAdvanced) != 0);
            return;
        }

        int retransmissionsBefore = RetransmissionsOut;
        if (RackMarkLost())
        {
            flags &= ~AckFlags.SetTransmitTimer;
        }

        if (retransmissionsBefore > RetransmissionsOut)
        {
            flags |= AckFlags.LostRetransmission;
        }
    }

    /// <summary>
    /// tcp_newreno_mark_lost, for a peer without SACK: the first unacknowledged segment is lost after
    /// tp->reordering duplicate ACKs, and again after each partial ACK in fast recovery (RFC 6582).
    /// </summary>
    private void MarkRenoLoss(bool advanced)
    {
        bool due = _caState == CongestionState.Recovery ? advanced : _caState < CongestionState.Recovery && _dupAcks >= Reordering;
        if (!due || _inFlight.Count == 0 || _inFlight[0].Lost || (_inFlight[0].Flags & TcpFlags.Syn) != 0)
        {
            return;
        }

        MarkLost(0);
    }

    /// <summary>tcp_try_to_open: no loss; Disorder while anything is SACKed, lost or retransmitted, else Open.</summary>
    private void TryToOpen()
    {
        if (!AnyRetransmissionDone)
        {
            _retransStamp = Never;
        }

        TryKeepOpen();
    }

    /// <summary>tcp_try_keep_open.</summary>
    private void TryKeepOpen()
    {
        var state = LeftOut > 0 || AnyRetransmissionDone ? CongestionState.Disorder : CongestionState.Open;
        if (_caState != state)
        {
            SetCaState(state);
            _recoveryPoint = _sndNxt;
        }
    }

    /// <summary>
    /// tcp_enter_recovery and tcp_init_cwnd_reduction: the undo marker is set, ssthresh is what the congestion
    /// control says (Reno halves the window, CUBIC keeps 0.7 of it), PRR starts counting, high_seq is snd_nxt.
    /// </summary>
    private void EnterRecovery()
    {
        var loss = LossState;
        if (!AnyRetransmissionDone)
        {
            _retransStamp = Never;
        }

        _stack.Counters.SackRecoveries += _sackOk ? 1 : 0;
        loss.PriorSsthresh = 0;
        InitUndo();
        if (_caState != CongestionState.Recovery)
        {
            loss.PriorSsthresh = CurrentSsthresh();
            _recoveryPoint = _sndNxt;
            _tlpOutstanding = false;
            _cwndCounter = 0;
            loss.PriorCwnd = _cwnd;
            loss.PrrDelivered = 0;
            loss.PrrOut = 0;
            _ssthresh = CaOps.Ssthresh(this);
        }

        SetCaState(CongestionState.Recovery);
    }

    /// <summary>
    /// tcp_end_cwnd_reduction: recovery ends with the window at ssthresh, unless it was undone; an algorithm with
    /// cong_control (BBR) keeps its own window, and hears no CA_EVENT_COMPLETE_CWR.
    /// </summary>
    private void EndCongestionWindowReduction()
    {
        if (CaOps.HasCongControl)
        {
            return;
        }

        if (_ssthresh < int.MaxValue && LossState.HasUndoMarker)
        {
            _cwnd = Math.Max(_ssthresh, 2);
        }

        StampCwnd();
        CongestionEvent(CaEvent.CompleteCwr);
    }

    /// <summary>tcp_current_ssthresh: in fast recovery ssthresh; otherwise at least three quarters of the window.</summary>
    private int CurrentSsthresh() =>
        _caState == CongestionState.Recovery ? _ssthresh : Math.Max(_ssthresh, (_cwnd >> 1) + (_cwnd >> 2));

    /// <summary>
    /// tcp_cwnd_reduction (RFC 6937): while more is in flight than ssthresh, send in proportion to what was
    /// delivered (ssthresh / prior_cwnd of it); below ssthresh, catch up by what was delivered (slow start
    /// reduction bound). At least one segment on entering recovery: the fast retransmission.
    /// </summary>
    private void ReduceCongestionWindow(int delivered, bool advanced, int newlyLost)
    {
        var loss = LossState;
        if (delivered <= 0 || loss.PriorCwnd == 0)
        {
            return;
        }

        int inFlight = PacketsInFlight;
        int delta = _ssthresh - inFlight;
        loss.PrrDelivered += delivered;
        int sendCount;
        if (delta < 0)
        {
            sendCount = (int)((((long)_ssthresh * loss.PrrDelivered) + loss.PriorCwnd - 1) / loss.PriorCwnd) - loss.PrrOut;
        }
        else
        {
            sendCount = Math.Max(loss.PrrDelivered - loss.PrrOut, delivered);
            if (advanced && newlyLost == 0)
            {
                sendCount++;
            }

            sendCount = Math.Min(delta, sendCount);
        }

        sendCount = Math.Max(sendCount, loss.PrrOut == 0 ? 1 : 0);
        _cwnd = inFlight + sendCount;
    }

    /// <summary>
    /// tcp_xmit_recovery, once the window is set: F-RTO's new data (then retransmissions only if none could
    /// go), or the lost segments.
    /// </summary>
    private void TransmitRecovery(Rexmit rexmit)
    {
        if (rexmit == Rexmit.None || _state is TcpState.SynSent)
        {
            return;
        }

        if (rexmit == Rexmit.New)
        {
            PushPendingData(nagleOff: true);
            if (_sndNxt > _recoveryPoint)
            {
                return;
            }

            LossState.Frto = false;
        }

        RetransmitLostSegments();
    }

    /// <summary>
    /// tcp_xmit_retransmit_queue: retransmits the segments presumed lost, oldest first, while the congestion
    /// window has room, stopping at the first the host or the peer's window does not let out; a
    /// retransmitted first segment restarts the RTO (unless the reordering timer is what is pending).
    /// </summary>
    private void RetransmitLostSegments(bool reorderTimerPending = false)
    {
        if (_loss is null || PacketsOut == 0 || _state is TcpState.SynSent or TcpState.SynReceived)
        {
            return;
        }

        int inFlight = PacketsInFlight;
        bool restartRto = false;
        reorderTimerPending |= _retransmitMode == RetransmitTimerMode.ReorderTimeout;
        for (int i = 0; i < _inFlight.Count && inFlight < _cwnd && !PacingHolds(); i++)
        {
            var sent = _inFlight[i];
            if (!sent.Lost || sent.Sacked || sent.RetransmissionOut)
            {
                continue;
            }

            var status = Retransmit(i, InLossState ? RetransmissionKind.Timeout : RetransmissionKind.Fast);
            StampFirstRetransmission();
            if (status != SendStatus.Sent)
            {
                break;
            }

            if (InLossState)
            {
                _stack.Counters.SlowStartRetransmits++;
            }
            else
            {
                _stack.Counters.FastRetransmits++;
            }

            inFlight++;
            if (_caState == CongestionState.Recovery)
            {
                _loss.PrrOut++;
            }

            restartRto |= i == 0 && !reorderTimerPending;
        }

        if (restartRto)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, _rto);
        }
    }

    /// <summary>
    /// tcp_enter_loss (with tcp_timeout_mark_lost): on an RTO everything outstanding is presumed lost but what
    /// was SACKed and what was sent less than RACK's RTT ago; if the first segment was SACKed the peer reneged
    /// and every SACK mark goes. ssthresh is cut (and the undo marker set) once per episode, the window
    /// restarts from what is still in flight plus one, and the Loss state lasts until everything sent so far
    /// is acknowledged. F-RTO judges the next ACKs unless this RTO follows a fast recovery's.
    /// </summary>
    private void EnterLoss()
    {
        var loss = LossState;
        bool newRecovery = _caState < CongestionState.Recovery;
        TimeoutMarkLost();
        bool freshEpisode = _caState <= CongestionState.Disorder || _recoveryPoint <= _sndUna || (_caState == CongestionState.Loss && _retransmits == 0);
        if (freshEpisode)
        {
            loss.PriorSsthresh = CurrentSsthresh();
            loss.PriorCwnd = _cwnd;
            _ssthresh = CaOps.Ssthresh(this);
            CongestionEvent(CaEvent.Loss);
            InitUndo();
        }

        _cwnd = PacketsInFlight + 1;
        _cwndCounter = 0;
        StampCwnd();
        if (_caState <= CongestionState.Disorder && SackedOut >= _stack.Sysctls.TcpReordering)
        {
            loss.Reordering = Math.Min(loss.Reordering, _stack.Sysctls.TcpReordering);
        }

        SetCaState(CongestionState.Loss);
        _recoveryPoint = _sndNxt;
        _tlpOutstanding = false;
        _dupAcks = 0;
        loss.Frto = _stack.Sysctls.TcpFrto != 0 && (newRecovery || _retransmits > 0);
    }

    /// <summary>tcp_timeout_mark_lost.</summary>
    private void TimeoutMarkLost()
    {
        long now = _stack.NowNanoseconds;
        bool reneged = _inFlight.Count > 0 && _inFlight[0].Sacked;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            if (reneged)
            {
                var sent = _inFlight[i];
                sent.Sacked = false;
                StoreSent(i, sent);
            }
            else if (i > 0 && _rackRtt - (now - _inFlight[i].SentAt) > 0)
            {
                continue; // sent less than RACK's RTT ago: not lost yet
            }

            MarkLost(i);
        }
    }

    /// <summary>
    /// __tcp_retransmit_skb's window rule: a segment wholly beyond the peer's window is not sent again,
    /// unless it is the first unacknowledged one (it then serves as a window probe); one reaching past the
    /// window is cut to it (to whole segments when the window holds one), the rest staying queued. False
    /// when the segment must wait.
    /// </summary>
    private bool FitRetransmissionToWindow(int index)
    {
        var sent = _inFlight[index];
        int mss = CurrentMss;
        long available = (_sndUna + (int)_sndWnd) - sent.Seq;
        if (available <= 0)
        {
            if (sent.Seq != _sndUna)
            {
                return false;
            }

            available = mss;
        }

        int allowed = mss;
        if (allowed > available)
        {
            allowed = (int)(available / mss * mss);
            allowed = allowed == 0 ? (int)available : allowed;
        }

        if (sent.DataLength > allowed)
        {
            SplitSentSegment(index, allowed);
        }

        return true;
    }

    /// <summary>tcp_fragment in the retransmission queue: the first <paramref name="length"/> bytes become their own segment; FIN and PSH stay on the rest.</summary>
    private void SplitSentSegment(int index, int length)
    {
        var head = _inFlight[index];
        var tail = head;
        tail.Seq = head.Seq + length;
        head.End = tail.Seq;
        head.Flags &= ~(TcpFlags.Fin | TcpFlags.Psh);
        StoreSent(index, head);
        InsertSent(index + 1, tail);
    }

    /// <summary>What tcp_xmit_recovery is to send after an ACK (tcp_input.c's REXMIT_*).</summary>
    private enum Rexmit : byte
    {
        /// <summary>REXMIT_NONE: nothing for loss recovery.</summary>
        None,

        /// <summary>REXMIT_LOST: retransmit the segments marked lost.</summary>
        Lost,

        /// <summary>REXMIT_NEW: F-RTO, send new data rather than retransmit.</summary>
        New,
    }
}
