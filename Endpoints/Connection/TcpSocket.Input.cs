using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>Segment arrival, following RFC 9293 3.10.7 in the order Linux's tcp_rcv_state_process applies it.</summary>
internal sealed partial class TcpSocket
{
    private long _lastOutOfWindowAck;

    private void OnSegment(Segment segment)
    {
        var stateBefore = _state;
        bool requestBefore = IsRequest;
        var sndUnaBefore = _sndUna;
        var rcvNxtBefore = _rcvNxt;
        CountReceived(segment);
        Dispatch(segment);
        CountAdvance(stateBefore, requestBefore, sndUnaBefore, rcvNxtBefore);
    }

    /// <summary>The segment to the processing of the socket's state (tcp_v4_do_rcv, tcp_rcv_state_process).</summary>
    private void Dispatch(Segment segment)
    {
        switch (_state)
        {
            case TcpState.Listen:
                OnListenerSegment(segment);
                break;
            case TcpState.SynSent:
                OnSynSentSegment(segment);
                break;
            case TcpState.SynReceived when _listener is not null:
                OnRequestSegment(segment);
                break;
            case TcpState.Closed or TcpState.TimeWait:
                // Queued to us before we closed: the socket is gone, so answer as Linux would for no socket.
                _stack.Drop(segment, "segment for a closed socket");
                _stack.SendReset(segment);
                break;
            default:
                OnSynchronizedSegment(segment);
                break;
        }
    }

    /// <summary>SYN-SENT (tcp_rcv_synsent_state_process): the SYN-ACK, a reset, or a crossing SYN.</summary>
    private void OnSynSentSegment(Segment segment)
    {
        if (segment.HasAck && (segment.Ack <= _iss || segment.Ack > _sndNxt))
        {
            // "Previous FIN/ACK or RST/ACK might be ignored": before any retransmission, an unacceptable ACK (a
            // half-open connection's challenge ACK, 57-half-open-reconnect) brings the SYN's retransmission
            // forward to TCP_TIMEOUT_MIN, so that it follows the reset sent here.
            if (_retransmits == 0)
            {
                ArmRetransmitTimer(RetransmitTimerMode.Rto, Jiffies.TimeoutMin);
            }

            if (!segment.IsRst)
            {
                _stack.Drop(segment, "unacceptable ACK in SYN-SENT");
                _stack.SendReset(segment);
            }

            return;
        }

        if (segment.IsRst)
        {
            if (segment.HasAck)
            {
                _stack.Counters.InResets++;
                Reset("connection refused (RST in SYN-SENT)");
            }

            return;
        }

        if (!segment.IsSyn)
        {
            _stack.Drop(segment, "no SYN in SYN-SENT");
            return;
        }

        TakePeerSynOptions(segment);
        _irs = segment.Seq;
        _rcvNxt = segment.Seq + 1;
        _rcvWup = _rcvNxt;
        if (!segment.HasAck)
        {
            // Simultaneous open (RFC 9293 figure 8): answer with a SYN-ACK from SYN-RECV.
            SetState(TcpState.SynReceived, "simultaneous open");
            ClearSent();
            _sndNxt = _iss;
            _inFlight.Add(new SentSegment { Seq = _iss, End = _iss + 1, Flags = TcpFlags.Syn | TcpFlags.Ack, SentAt = _stack.NowNanoseconds }, _stack.SentSegments);
            _sndNxt = _iss + 1;
            SendSyn(withAck: true, retransmission: false);
            return;
        }

        if (_tsOk)
        {
            _tsRecent = segment.Options.TsVal;
            _tsRecentStamp = _stack.NowNanoseconds;
        }

        _sndWnd = segment.Window;
        _maxWindow = _sndWnd; // tcp_ack's window update on the SYN-ACK (unscaled) starts max_window
        _sndWl1 = segment.Seq;
        _sndWl2 = segment.Ack;
        AcknowledgeUpTo(segment.Ack, segment);
        FinishConnect();
        SendAck();
    }

    /// <summary>Every synchronized state: validation, then ACK, then data and FIN.</summary>
    private void OnSynchronizedSegment(Segment segment)
    {
        if (!ValidateIncoming(segment))
        {
            return;
        }

        if (!segment.HasAck)
        {
            _stack.Drop(segment, "no ACK flag");
            return;
        }

        if (_state == TcpState.SynReceived && !AcceptableInSynReceived(segment))
        {
            return;
        }

        if (!ProcessAck(segment))
        {
            return;
        }

        if (_state == TcpState.SynReceived)
        {
            FinishSimultaneousOpen(segment);
        }

        if (_state == TcpState.Closed)
        {
            return;
        }

        if (segment.PayloadLength > 0)
        {
            MeasureReceiveRttFromTimestamps(segment);
        }

        ProcessData(segment);
        if (_state is TcpState.Closed or TcpState.TimeWait)
        {
            return;
        }

        // tcp_data_snd_check: send what the ACK allows, then wake a writer waiting for send-buffer space.
        PushPendingData();
        CheckSendSpace();

        AckIfDue();
    }

    /// <summary>
    /// tcp_validate_incoming: PAWS, the sequence check, RST (RFC 5961: only an RST at exactly rcv_nxt
    /// resets, one elsewhere in the window draws a challenge ACK), and SYN in a synchronized state.
    /// </summary>
    private bool ValidateIncoming(Segment segment)
    {
        var seq = segment.Seq;
        var endSeq = segment.EndSeq;
        if (_tsOk && segment.Options.HasTimestamps && !segment.IsRst && PawsDiscard(segment) is var paws and not PawsVerdict.Accept)
        {
            // An RST is taken despite PAWS; a SYN is challenged; an old ACK is dropped without an answer (6.14+).
            if (segment.IsSyn)
            {
                _stack.Drop(segment, "PAWS: a SYN with an old timestamp; challenge ACK");
                SendChallengeAck(segment);
            }
            else if (paws == PawsVerdict.OldAck)
            {
                _stack.Counters.PawsOldAcks++;
                _stack.Drop(segment, "PAWS: an old ACK (below rcv_nxt)");
            }
            else
            {
                _stack.Counters.PawsRejected++;
                _stack.Drop(segment, "PAWS: timestamp older than ts_recent");
                SendDuplicateAck(segment);
            }

            return false;
        }

        long window = Math.Max(0, (_rcvWup + (int)_rcvWnd) - _rcvNxt);
        var windowEnd = _rcvNxt + (int)window;
        bool acceptable = endSeq >= _rcvWup && !(endSeq > windowEnd && (seq > windowEnd || UnreadBytes > 0));
        if (!acceptable)
        {
            if (segment.IsRst)
            {
                _stack.Drop(segment, "RST outside the window");
            }
            else if (segment.IsSyn)
            {
                SendChallengeAck(segment);
            }
            else
            {
                _stack.Drop(segment, "outside the receive window");
                SendDuplicateAck(segment);
            }

            return false;
        }

        if (segment.IsRst)
        {
            bool lastByte = seq == _rcvNxt - 1 && _finReceived && _state is TcpState.CloseWait or TcpState.LastAck or TcpState.Closing;
            if (seq == _rcvNxt || lastByte || IsHighestSackEdge(seq))
            {
                _stack.Counters.InResets++;
                Reset("reset by peer");
            }
            else
            {
                SendChallengeAck(segment);
            }

            return false;
        }

        if (segment.IsSyn && !IsCrossingSynAck(segment))
        {
            _stack.Drop(segment, "SYN in a synchronized state: challenge ACK (RFC 5961)");
            SendChallengeAck(segment);
            return false;
        }

        if (_tsOk && segment.Options.HasTimestamps && seq <= _rcvWup)
        {
            _tsRecent = segment.Options.TsVal;
            _tsRecentStamp = _stack.NowNanoseconds;
        }

        return true;
    }

    /// <summary>
    /// tcp_validate_incoming: an RST at the right edge of the highest SACK block the socket advertises resets it too
    /// (the peer may have seen only the data beyond a hole).
    /// </summary>
    private bool IsHighestSackEdge(SeqNum seq)
    {
        if (!_sackOk || _receiveQueue is not { HasSackBlocks: true } queue || queue.Sacks.Count == 0)
        {
            return false;
        }

        var sacks = queue.Sacks;
        var highest = sacks[0].Right;
        for (int i = 1; i < sacks.Count; i++)
        {
            highest = SeqNum.Max(highest, sacks[i].Right);
        }

        return seq == highest;
    }

    /// <summary>
    /// The peer's SYN-ACK of a simultaneous open (RFC 9293 3.5, figure 8), which tcp_validate_incoming lets
    /// through instead of challenging it: this socket connect()ed (not a listener's request) and is in SYN-RECV,
    /// and the SYN-ACK carries nothing else, repeats the SYN we hold (seq + 1 = rcv_nxt) and acknowledges ours.
    /// </summary>
    private bool IsCrossingSynAck(Segment segment) =>
        _state == TcpState.SynReceived && _listener is null && segment.HasAck
        && segment.SequenceLength == 1 && segment.Seq + 1 == _rcvNxt && segment.Ack == _sndNxt;

    /// <summary>
    /// SYN-RECV of a simultaneous open (tcp_rcv_state_process step 5): tcp_ack with FLAG_NO_CHALLENGE_ACK must
    /// accept the ACK, else the segment is answered with one reset (an ACK before snd_una or beyond snd_nxt).
    /// </summary>
    private bool AcceptableInSynReceived(Segment segment)
    {
        if (segment.Ack >= _sndUna && segment.Ack <= _sndNxt)
        {
            return true;
        }

        _stack.Drop(segment, "unacceptable ACK in SYN-RECV");
        _stack.SendReset(segment);
        return false;
    }

    /// <summary>
    /// tcp_rcv_state_process, TCP_SYN_RECV of a socket that connect()ed: ESTABLISHED and connect() returns; the
    /// window is taken from the segment, shifted even when it is the peer's SYN-ACK. The SYN of that SYN-ACK
    /// repeats one we have, so tcp_data_queue D-SACKs it and ACKs at once.
    /// </summary>
    private void FinishSimultaneousOpen(Segment segment)
    {
        _sndWnd = (uint)segment.Window << _sndWscale;
        _sndWl1 = segment.Seq;
        FinishConnect("our SYN-ACK acknowledged (simultaneous open)");
        if (segment.IsSyn)
        {
            QueueData(segment);
        }
    }

    /// <summary>tcp_paws_reject for a request or a connecting socket: the timestamp is older than ts_recent (within the 24-day wrap guard).</summary>
    private bool PawsReject(Segment segment) =>
        _tsRecent != 0 && unchecked((int)(_tsRecent - segment.Options.TsVal)) > 0;

    private enum PawsVerdict
    {
        Accept,
        Reject,
        OldAck,
    }

    /// <summary>
    /// tcp_paws_discard with tcp_disordered_ack_check (Linux 6.14+) for a synchronized socket: a timestamp up to one
    /// tick behind ts_recent passes (TCP_PAWS_WINDOW); an older one rejects the segment, unless it is a duplicate
    /// bare ACK at rcv_nxt that changes no window and lies in the replay window (rto × 1200 / HZ ticks), which is
    /// taken; a bare ACK below rcv_nxt is an old ACK, dropped without the duplicate ACK.
    /// </summary>
    private PawsVerdict PawsDiscard(Segment segment)
    {
        int behind = unchecked((int)(_tsRecent - segment.Options.TsVal));
        if (_tsRecent == 0 || behind <= 1)
        {
            return PawsVerdict.Accept;
        }

        if (!segment.HasAck || segment.SequenceLength != 0)
        {
            return PawsVerdict.Reject;
        }

        if (segment.Seq != _rcvNxt)
        {
            return segment.Seq < _rcvNxt ? PawsVerdict.OldAck : PawsVerdict.Reject;
        }

        uint window = (uint)segment.Window << _sndWscale;
        bool mayUpdateWindow = segment.Ack > _sndUna || segment.Seq > _sndWl1 || (segment.Seq == _sndWl1 && (window > _sndWnd || window == 0));
        long replay = _rto / Jiffies.Nanoseconds * 1200 / Jiffies.Hz;
        return segment.Ack != _sndUna || mayUpdateWindow || behind > replay ? PawsVerdict.Reject : PawsVerdict.Accept;
    }

    /// <summary>tcp_send_dupack: an immediate ACK, with a D-SACK block when the segment repeats data we have.</summary>
    private void SendDuplicateAck(Segment segment)
    {
        if (segment.SequenceLength > 0 && segment.Seq < _rcvNxt && _sackOk)
        {
            Receiving.Sacks.SetDuplicate(segment.Seq, SeqNum.Min(segment.EndSeq, _rcvNxt));
        }

        SendOutOfWindowAck(segment);
    }

    /// <summary>tcp_reset: the error the application sees depends on the state, then the connection is done.</summary>
    private void Reset(string reason)
    {
        var errno = _state switch
        {
            TcpState.SynSent => Errno.ECONNREFUSED,
            TcpState.CloseWait => Errno.EPIPE,
            _ => Errno.ECONNRESET,
        };
        if (_state is TcpState.Established or TcpState.CloseWait)
        {
            _stack.Counters.EstablishedResets++;
        }

        if (_state is TcpState.SynSent or TcpState.SynReceived)
        {
            _stack.Counters.AttemptFails++;
        }

        Done(errno, reason);
    }

    private Errno _softError { get => (Errno)_softErrorNumber; set => _softErrorNumber = checked((byte)value); }
    private byte _softErrorNumber; // an errno is below 256 (Linux's below 134): a byte, not the enum's int
}
