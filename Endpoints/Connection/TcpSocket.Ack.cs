using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The ACK field (RFC 9293 3.10.7.4, "fifth, check the ACK field"; Linux's tcp_ack).</summary>
internal sealed partial class TcpSocket
{
    /// <summary>Processes the ACK; false when the segment must be discarded.</summary>
    private bool ProcessAck(Segment segment)
    {
        var ack = segment.Ack;
        if (ack > _sndNxt)
        {
            _stack.Drop(segment, "ACK for data not yet sent");
            SendChallengeAck(segment);
            return false;
        }

        if (ack < _sndUna)
        {
            bool tooOld = _maxWindow > 0 && ack < _sndUna - (int)_maxWindow;
            if (tooOld || _state != TcpState.Established)
            {
                SendChallengeAck(segment);
                return false;
            }

            return true;
        }

        _lastAckReceivedTime = _stack.NowNanoseconds;
        _probesOut = 0;
        uint window = (uint)segment.Window << _sndWscale;
        bool windowChanged = UpdateWindow(segment, window);
        int newlySacked = MarkSacked(segment);
        if (ack > _sndUna)
        {
            AcknowledgeUpTo(ack, segment, newlySacked);
        }
        else
        {
            bool duplicate = segment.PayloadLength == 0 && !segment.IsFin && !windowChanged && PacketsOut > 0;
            OnAckWithoutProgress(duplicate, newlySacked);
        }

        if (_sndWnd > 0 && _retransmitMode == RetransmitTimerMode.ZeroWindowProbe)
        {
            Timers.Cancel(TimerExpired.Retransmit);
            _retransmitMode = RetransmitTimerMode.None;
            _backoff = 0;
        }

        return AfterAck(segment);
    }

    /// <summary>tcp_ack_update_window: take the peer's window if the segment is newer (RFC 9293's SND.WL1/SND.WL2 rule).</summary>
    private bool UpdateWindow(Segment segment, uint window)
    {
        bool mayUpdate = segment.Ack > _sndUna || segment.Seq > _sndWl1 || (segment.Seq == _sndWl1 && (window > _sndWnd || window == 0));
        if (!mayUpdate)
        {
            return false;
        }

        _sndWl1 = segment.Seq;
        _sndWl2 = segment.Ack;
        bool changed = _sndWnd != window;
        _sndWnd = window;
        _maxWindow = Math.Max(_maxWindow, window);
        return changed;
    }

    /// <summary>
    /// snd_una advances: trim the queues, sample the RTT, follow the loss-recovery state, grow the window,
    /// re-arm the timers, retransmit what is lost, then send new data.
    /// </summary>
    private void AcknowledgeUpTo(SeqNum ack, Segment segment, int newlySacked = 0)
    {
        var previous = _sndUna;
        long now = _stack.NowNanoseconds;
        long firstAckedSentAt = -1;
        bool anyRetransmittedAcked = false;
        int ackedSegments = 0;
        while (_inFlight.Count > 0 && _inFlight[0].End <= ack)
        {
            var acked = _inFlight[0];
            if (acked.Retransmitted)
            {
                anyRetransmittedAcked = true;
            }
            else if (firstAckedSentAt < 0)
            {
                firstAckedSentAt = acked.SentAt;
            }

            RackAdvance(acked);
            _inFlight.RemoveAt(0);
            // An acknowledged SYN or SYN-ACK does not grow the window (cwnd is still 10 after the handshake).
            ackedSegments += (acked.Flags & TcpFlags.Syn) != 0 ? 0 : 1;
        }

        if (_inFlight.Count == 0 && _state == TcpState.Established && previous != _iss)
        {
            // Data acknowledged and nothing outstanding: give the array back, as an idle socket holds no
            // sk_buff (a million idle connections would otherwise keep 150 bytes each). Not after the SYN,
            // whose data follows at once, nor while closing, when the socket is about to go.
            _inFlight.Capacity = 0;
        }

        var dataStart = _iss + 1;
        long consumed = Clamp(ack, dataStart, _writeSeq) - Clamp(previous, dataStart, _writeSeq);
        if (consumed > 0)
        {
            _sendQueue.Consume(consumed);
        }

        _sndUna = ack;
        _retransmits = 0;
        if (!_inFlight.Exists(s => s.Retransmitted))
        {
            _retransStamp = Never;
        }

        SampleRtt(segment, firstAckedSentAt, anyRetransmittedAcked, now);
        OnLossIndications(advanced: true, ackedSegments + newlySacked, duplicate: false);
        if (ackedSegments > 0)
        {
            GrowCongestionWindow(ackedSegments + newlySacked);
        }

        if (_tlpOutstanding && ack >= _tlpHighSeq)
        {
            _tlpOutstanding = false;
        }

        _dupAcks = 0;
        RearmAfterAck();
        RetransmitLostSegments();
        if (PacketsOut == 0)
        {
            _loss = null;
        }

        ServePendingSends();
    }

    private static long Clamp(SeqNum value, SeqNum low, SeqNum high) =>
        value <= low ? 0 : value >= high ? high - low : value - low;

    /// <summary>tcp_ack_update_rtt: the send time of the oldest newly acknowledged, never retransmitted segment (Karn); else TSecr.</summary>
    private void SampleRtt(Segment segment, long firstAckedSentAt, bool anyRetransmittedAcked, long now)
    {
        long rtt = -1;
        if (firstAckedSentAt >= 0 && !anyRetransmittedAcked)
        {
            rtt = now - firstAckedSentAt;
        }
        else if (_tsOk && segment.Options.HasTimestamps && segment.Options.TsEcr != 0)
        {
            long deltaMilliseconds = unchecked((int)(TsVal - segment.Options.TsEcr));
            if (deltaMilliseconds >= 0)
            {
                rtt = Math.Max(1, deltaMilliseconds) * 1_000_000;
            }
        }

        if (rtt < 0)
        {
            return;
        }

        _rtt.Sample(rtt, _sndUna.Value, _sndNxt.Value);
        _rto = _rtt.RtoNanoseconds;
        _backoff = 0;
    }

    /// <summary>
    /// Slow start and congestion avoidance per delivered (ACKed or SACKed) segment, outside fast recovery,
    /// where PRR sets the window (a Reno-like model; Linux's default here is BBR or CUBIC), and only while the
    /// window is in use (tcp_reno_cong_avoid's tcp_is_cwnd_limited).
    /// </summary>
    private void GrowCongestionWindow(int ackedSegments)
    {
        if (_inRecovery || !IsCwndLimited)
        {
            return;
        }

        for (int i = 0; i < ackedSegments; i++)
        {
            if (_cwnd < _ssthresh)
            {
                _cwnd++;
            }
            else if (++_cwndCounter >= _cwnd)
            {
                _cwndCounter = 0;
                _cwnd++;
            }
        }
    }

    /// <summary>Marks the segments the peer's SACK blocks cover (tcp_sacktag_write_queue); returns how many are newly SACKed.</summary>
    private int MarkSacked(Segment segment)
    {
        if (!_sackOk || segment.Options.SackBlocks is not { Length: > 0 } blocks)
        {
            return 0;
        }

        int newlySacked = 0;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            var sent = _inFlight[i];
            if (!sent.Sacked && Array.Exists(blocks, b => sent.Seq >= b.Left && sent.End <= b.Right))
            {
                _loss ??= new LossRecovery();
                sent.Sacked = true;
                sent.Lost = false;
                _inFlight[i] = sent;
                RackAdvance(sent);
                newlySacked++;
            }
        }

        return newlySacked;
    }

    /// <summary>
    /// An ACK that does not advance snd_una: a duplicate ACK (counted for a peer without SACK), new SACK
    /// blocks, or an ACK during recovery may reveal losses (tcp_fastretrans_alert), which are then
    /// retransmitted (tcp_xmit_recovery).
    /// </summary>
    private void OnAckWithoutProgress(bool duplicate, int newlySacked)
    {
        if (!duplicate && newlySacked == 0 && _loss is null && !_inRecovery)
        {
            return;
        }

        if (duplicate)
        {
            _dupAcks++;
        }

        int delivered = newlySacked + (duplicate && !_sackOk ? 1 : 0);
        OnLossIndications(advanced: false, delivered, duplicate);
        RetransmitLostSegments();
    }

    /// <summary>After new data is acknowledged: a loss probe or the RTO if anything is still out, nothing otherwise.</summary>
    private void RearmAfterAck()
    {
        if (PacketsOut == 0)
        {
            if (_retransmitMode is RetransmitTimerMode.Rto or RetransmitTimerMode.LossProbe)
            {
                Timers.Cancel(TimerExpired.Retransmit);
                _retransmitMode = RetransmitTimerMode.None;
            }

            return;
        }

        ScheduleLossProbeOrRto(advancingRto: true);
    }

    /// <summary>The state changes an ACK of our FIN causes (tcp_rcv_state_process's FIN_WAIT1, CLOSING and LAST_ACK cases).</summary>
    private bool AfterAck(Segment segment)
    {
        bool finAcked = FinSent && _sndUna == _writeSeq + 1;
        if (!finAcked)
        {
            return true;
        }

        switch (_state)
        {
            case TcpState.FinWait1:
                SetState(TcpState.FinWait2, "our FIN was acknowledged");
                _sendShutdown = true;
                if (!_orphaned)
                {
                    // A lingering close() wakes up; it resumes once this segment is processed, as the
                    // process does after the softirq (it may carry the peer's FIN too).
                    if (_orphanPending)
                    {
                        Self.Tell(LingerSatisfied.Instance, ActorRefs.NoSender);
                    }

                    return true;
                }

                long timeout = FinTimeout();
                bool peerFinNow = segment.IsFin && segment.Seq == _rcvNxt;
                if (timeout > TimeWaitDecision.TimeWaitLengthNanoseconds || peerFinNow)
                {
                    StartKeepaliveTimer(peerFinNow ? timeout : timeout - TimeWaitDecision.TimeWaitLengthNanoseconds);
                    return true;
                }

                EnterTimeWait(TimeWaitSubstate.FinWait2, timeout);
                return false;
            case TcpState.Closing:
                EnterTimeWait(TimeWaitSubstate.TimeWait, TimeWaitDecision.TimeWaitLengthNanoseconds);
                return false;
            case TcpState.LastAck:
                Done(Errno.None, "our FIN was acknowledged in LAST-ACK");
                return false;
            default:
                return true;
        }
    }

    /// <summary>tcp_fin_time: tcp_fin_timeout (or TCP_LINGER2), at least 3.5 RTO.</summary>
    private long FinTimeout()
    {
        long timeout = (_options.Linger2Seconds ?? _stack.Sysctls.TcpFinTimeout) * 1_000_000_000L;
        long floor = (_rto << 2) - (_rto >> 1);
        return Math.Max(timeout, floor);
    }
}
