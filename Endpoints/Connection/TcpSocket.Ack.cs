using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The ACK field (RFC 9293 3.10.7.4, "fifth, check the ACK field"; Linux's tcp_ack).</summary>
internal sealed partial class TcpSocket
{
    /// <summary>Processes the ACK (tcp_ack); false when the segment must be discarded.</summary>
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
            // RFC 5961 5.2: an ACK further below snd_una than the peer could have seen is challenged; Linux bounds
            // that distance by what was ever acknowledged too (min(max_window, bytes_acked)), so on a young
            // connection an ACK of the ISN is too old (56-challenge-ack). Any other old ACK is accepted, in the
            // closing states too (Linux 6.9's "accept old ack during closing"), and the segment goes on.
            long distance = (long)Math.Min(_maxWindow, _bytesAcked);
            bool tooOld = ack < _sndUna - (int)distance;
            if (tooOld || _state == TcpState.SynReceived)
            {
                SendChallengeAck(segment);
                return false;
            }

            OnOldAck(segment);
            return true;
        }

        _lastAckReceivedTime = _stack.NowNanoseconds;
        _probesOut = 0;
        int priorPacketsOut = PacketsOut;
        var flags = ack > _sndUna ? AckFlags.SndUnaAdvanced : AckFlags.None;
        flags |= segment.PayloadLength > 0 || segment.IsFin ? AckFlags.Data : AckFlags.None;
        uint window = (uint)segment.Window << _sndWscale;
        flags |= UpdateWindow(segment, window) ? AckFlags.WindowUpdate : AckFlags.None;
        var tag = new SackTag(_sndNxt) { PriorFack = HighestSackEnd(), Rate = new RateSample { PriorInFlight = PacketsInFlight } };
        flags |= TagSackBlocks(segment, _sndUna, ref tag);
        OnAck(ack, segment, flags, tag);

        if (priorPacketsOut == 0)
        {
            AckProbe();
        }

        return AfterAck(segment);
    }

    /// <summary>tcp_ack_update_window: take the peer's window if the segment is newer (RFC 9293's SND.WL1/SND.WL2 rule); true when it may (FLAG_WIN_UPDATE).</summary>
    private bool UpdateWindow(Segment segment, uint window)
    {
        bool mayUpdate = segment.Ack > _sndUna || segment.Seq > _sndWl1 || (segment.Seq == _sndWl1 && (window > _sndWnd || window == 0));
        if (!mayUpdate)
        {
            return false;
        }

        _sndWl1 = segment.Seq;
        _sndWl2 = segment.Ack;
        _sndWnd = window;
        _maxWindow = Math.Max(_maxWindow, window);
        return true;
    }

    /// <summary>snd_una advances in a handshake (the SYN or SYN-ACK acknowledged): the general ACK path, without SACK.</summary>
    private void AcknowledgeUpTo(SeqNum ack, Segment segment) =>
        OnAck(ack, segment, AckFlags.SndUnaAdvanced | AckFlags.WindowUpdate, new SackTag(_sndNxt) { PriorFack = HighestSackEnd(), Rate = new RateSample { PriorInFlight = PacketsInFlight } });

    /// <summary>
    /// tcp_ack after the window and SACK blocks are taken: trim the retransmission queue, sample the RTT, let
    /// the loss-recovery state machine judge the ACK (tcp_fastretrans_alert, only for a "dubious" one), re-arm
    /// the loss probe or RTO, grow or reduce the congestion window, retransmit or (F-RTO) send new data, then
    /// serve blocked writers.
    /// </summary>
    private void OnAck(SeqNum ack, Segment segment, AckFlags flags, SackTag tag)
    {
        var priorSndUna = _sndUna;
        if (PacketsOut == 0)
        {
            // tcp_ack's no_queue: a D-SACK may still undo a reduction.
            if ((flags & AckFlags.DsackingAck) != 0)
            {
                var ignored = Rexmit.None;
                FastRetransmitAlert(priorSndUna, 0, ref flags, ref ignored);
            }

            return;
        }

        if ((flags & AckFlags.SndUnaAdvanced) != 0)
        {
            _retransmits = 0;
        }

        flags |= CleanRetransmissionQueue(ack, segment, ref tag);
        UpdateReorderWindow(tag);
        if (_tlpOutstanding && ack >= _tlpHighSeq)
        {
            _tlpOutstanding = false;
        }

        var rexmit = Rexmit.None;
        int lostBefore = _loss?.LostCount ?? 0;
        if (AckIsDubious(flags))
        {
            bool duplicate = (flags & (AckFlags.SndUnaAdvanced | AckFlags.NotDuplicate | AckFlags.DsackingAck)) == 0;
            _dupAcks += duplicate ? 1 : 0;
            FastRetransmitAlert(priorSndUna, duplicate ? 1 : 0, ref flags, ref rexmit, segment);
            tag.Delivered += duplicate && !_sackOk ? 1 : 0;
        }

        if ((flags & AckFlags.SndUnaAdvanced) != 0)
        {
            _dupAcks = 0;
        }

        if ((flags & AckFlags.SetTransmitTimer) != 0)
        {
            RearmAfterAck();
        }

        int newlyLost = (_loss?.LostCount ?? 0) - lostBefore;
        RateGen(tag.Delivered + ((flags & AckFlags.SynAcked) != 0 ? 1 : 0), newlyLost, sackReneging: false, ref tag.Rate);
        if (!(_state == TcpState.SynReceived && _listener is not null))
        {
            // A listener's child holds no SYN-ACK in its queue on Linux (the request socket sent it): tcp_ack takes the
            // no_queue path for the handshake's last ACK, and tcp_cong_control never sees it.
            CongestionControl(ack, tag.Delivered, flags, newlyLost, in tag.Rate);
        }
        TransmitRecovery(rexmit);
        if ((flags & AckFlags.SndUnaAdvanced) != 0)
        {
            ServePendingSends();
        }
    }

    /// <summary>tcp_ack_is_dubious: a duplicate ACK, SACK or D-SACK news, or any ACK outside the Open state.</summary>
    private bool AckIsDubious(AckFlags flags) =>
        (flags & AckFlags.NotDuplicate) == 0 || (flags & AckFlags.CongestionAlert) != 0 || _caState != CongestionState.Open;

    /// <summary>
    /// An ACK below snd_una (tcp_ack's old_ack): it acknowledges nothing new, but its SACK blocks may still say
    /// what arrived, and a D-SACK may show a retransmission spurious.
    /// </summary>
    private void OnOldAck(Segment segment)
    {
        if (!_sackOk || segment.Options.SackBlocks is not { Length: > 0 })
        {
            return;
        }

        var tag = new SackTag(_sndNxt);
        var flags = TagSackBlocks(segment, _sndUna, ref tag);
        var rexmit = Rexmit.None;
        FastRetransmitAlert(_sndUna, 0, ref flags, ref rexmit);
        TransmitRecovery(rexmit);
    }

    /// <summary>
    /// tcp_clean_rtx_queue: drops what the ACK covers, noting whether never-retransmitted data sent before
    /// high_seq was among it (F-RTO's evidence), whether a hole below the highest SACK was filled by an
    /// original (reordering), the RTT (Karn: only from never-retransmitted segments; else the SACKed ones,
    /// else the timestamp echo), and whether snd_una stopped at a SACKed segment (reneging).
    /// </summary>
    private AckFlags CleanRetransmissionQueue(SeqNum ack, Segment segment, ref SackTag tag)
    {
        var previous = _sndUna;
        var priorFack = tag.PriorFack;
        long now = _stack.NowNanoseconds;
        long firstAckedSentAt = -1;
        long lastAckedSentAt = -1;
        var reord = _sndNxt;
        var flags = AckFlags.None;
        int packetsAcked = 0;
        while (_inFlight.Count > 0 && _inFlight[0].End <= ack)
        {
            var acked = _inFlight[0];
            packetsAcked++;
            if (acked.Retransmitted)
            {
                flags |= AckFlags.RetransmittedDataAcked;
            }
            else if (!acked.Sacked)
            {
                lastAckedSentAt = acked.SentAt;
                firstAckedSentAt = firstAckedSentAt < 0 ? acked.SentAt : firstAckedSentAt;
                reord = acked.Seq < reord ? acked.Seq : reord;
                flags |= acked.End <= _recoveryPoint ? AckFlags.OriginalSackedOrAcked : AckFlags.None;
            }

            if (!acked.Sacked)
            {
                tag.Delivered += (acked.Flags & TcpFlags.Syn) != 0 ? 0 : 1;
                tag.NoteDelivered(acked.SentAt);
                if (!SpuriouslyRetransmitted(acked, segment))
                {
                    RackAdvance(acked);
                }
            }

            RateSkbDelivered(ref acked, ref tag.Rate);

            RemoveFirstSent();
            if ((acked.Flags & TcpFlags.Syn) != 0)
            {
                flags |= AckFlags.SynAcked;
                _retransStamp = Never; // the SYN's send time, or its first retransmission's
            }
            else
            {
                flags |= AckFlags.DataAcked;
            }
        }

        var dataStart = _iss + 1;
        long consumed = Clamp(ack, dataStart, _writeSeq) - Clamp(previous, dataStart, _writeSeq);
        if (consumed > 0)
        {
            Sending.Consume(consumed);
        }

        _sndUna = ack;
        if (_inFlight.Count == 0)
        {
            ChronoStopBusy();
        }

        flags |= _inFlight.Count > 0 && _inFlight[0].Sacked ? AckFlags.SackReneging : AckFlags.None;
        long ackedRtt = firstAckedSentAt >= 0 && (flags & AckFlags.RetransmittedDataAcked) == 0 ? now - firstAckedSentAt : -1;
        long ackedLastRtt = ackedRtt >= 0 ? now - lastAckedSentAt : -1;
        long sackRtt = tag.FirstSackedSentAt >= 0 ? now - tag.FirstSackedSentAt : -1;
        long lastRtt = tag.LastSackedSentAt >= 0 ? now - tag.LastSackedSentAt : ackedLastRtt;
        long caRtt = tag.LastSackedSentAt >= 0 ? MicrosecondsBetween(tag.LastSackedSentAt, now) : ackedRtt >= 0 ? MicrosecondsBetween(lastAckedSentAt, now) : -1;
        bool sampled = SampleRtt(segment, ackedRtt >= 0 ? ackedRtt : sackRtt, lastRtt, (flags & AckFlags.Acked) != 0, now, ref caRtt);
        tag.Rate.RttUs = caRtt;
        if ((flags & AckFlags.Acked) != 0)
        {
            flags |= AckFlags.SetTransmitTimer;
            if (_sackOk && reord < priorFack)
            {
                CheckSackReordering(reord, byTimestamp: false);
            }
        }
        else if (_inFlight.Count > 0 && sampled && sackRtt >= 0 && sackRtt > now - _inFlight[0].SentAt)
        {
            // Do not re-arm the RTO from a SACK of data sent after the head was last (re)sent.
            flags |= AckFlags.SetTransmitTimer;
        }

        CaOps.PktsAcked(this, new AckSample(packetsAcked, caRtt));
        return flags;
    }

    /// <summary>tcp_stamp_us_delta: the difference of two µs stamps (each a time in ns cut to µs), as the kernel's skb and tcp_mstamp are.</summary>
    private static long MicrosecondsBetween(long earlierNanoseconds, long laterNanoseconds) => (laterNanoseconds / 1000) - (earlierNanoseconds / 1000);

    private static long Clamp(SeqNum value, SeqNum low, SeqNum high) =>
        value <= low ? 0 : value >= high ? high - low : value - low;

    /// <summary>
    /// tcp_ack_update_rtt: the RTT of the oldest newly acknowledged, never retransmitted segment (Karn), else
    /// of the oldest newly SACKed one, else the timestamp echo if data was acknowledged; the last delivered
    /// segment's RTT feeds the minimum-RTT filter (and, in µs, the congestion control: ca_rtt_us, which the timestamp
    /// echo replaces when it is the only sample). False when there was no sample.
    /// </summary>
    private bool SampleRtt(Segment segment, long rtt, long lastRtt, bool acked, long now, ref long caRttMicroseconds)
    {
        if (rtt < 0 && acked && _tsOk && segment.Options.HasTimestamps && segment.Options.TsEcr != 0)
        {
            long deltaMilliseconds = unchecked((int)(TsVal - segment.Options.TsEcr));
            if (deltaMilliseconds >= 0)
            {
                rtt = Math.Max(1, deltaMilliseconds) * 1_000_000;
                lastRtt = rtt;
                caRttMicroseconds = rtt / 1000;
            }
        }

        if (rtt < 0)
        {
            return false;
        }

        _rtt.SampleMinRtt(lastRtt >= 0 ? lastRtt : rtt, now);
        _rtt.Sample(rtt, _sndUna.Value, _sndNxt.Value);
        _rto = _rtt.RtoNanoseconds;
        _backoff = 0;
        return true;
    }

    /// <summary>tcp_skb_spurious_retrans: a retransmitted segment whose ACK echoes a timestamp older than its last transmission (the original was acknowledged).</summary>
    private bool SpuriouslyRetransmitted(in SentSegment sent, Segment segment) =>
        sent.Retransmitted && EchoedBefore(segment, sent.SentAt);

    /// <summary>tcp_tsopt_ecr_before: the segment echoes a timestamp from before <paramref name="nanoseconds"/>.</summary>
    private bool EchoedBefore(Segment segment, long nanoseconds) =>
        _tsOk && segment.Options.HasTimestamps && segment.Options.TsEcr != 0
        && unchecked((int)(segment.Options.TsEcr - (_stack.ClockMillisecondsOf(nanoseconds) + _tsOffset))) < 0;

    /// <summary>tcp_set_xmit_timer after an ACK: a loss probe or the RTO if anything is still out, nothing otherwise.</summary>
    private void RearmAfterAck()
    {
        if (PacketsOut == 0)
        {
            if (_retransmitMode is RetransmitTimerMode.Rto or RetransmitTimerMode.LossProbe or RetransmitTimerMode.ReorderTimeout)
            {
                CancelTimer(TimerExpired.Retransmit);
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
