using System.Runtime.CompilerServices;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>Building and sending segments: options, window, data, FIN, ACK, RST.</summary>
internal sealed partial class TcpSocket
{
    /// <summary>The acknowledgement number and window field of the last segment with ACK that left (null: none yet).</summary>
    private (SeqNum Ack, ushort Window)? _lastAckSent
    {
        get => Has(SocketFlags.LastAckSentKnown) ? (_lastAckSentAck, _lastAckSentWindow) : null;
        set
        {
            Set(SocketFlags.LastAckSentKnown, value.HasValue);
            (_lastAckSentAck, _lastAckSentWindow) = value.GetValueOrDefault();
        }
    }

    // _lastAckSent's parts, unwrapped (a nullable pair would take 12 bytes, padded to 16).
    private SeqNum _lastAckSentAck;
    private ushort _lastAckSentWindow;

    /// <summary>
    /// The ACK owed now answers a segment that advanced nothing (out of order, a duplicate, a zero window):
    /// set where tcp_data_queue asks for an immediate ACK, cleared when any ACK leaves (<see cref="AckSent"/>).
    /// </summary>
    private bool _ackAnswersStaleSegment { get => Has(SocketFlags.AckAnswersStaleSegment); set => Set(SocketFlags.AckAnswersStaleSegment, value); }

    /// <summary>Why a bare ACK goes out.</summary>
    private enum AckTrigger : byte
    {
        /// <summary>It is owed: data or a FIN arrived in order, the delayed-ACK timer fired, a read opened the window.</summary>
        Owed,

        /// <summary>
        /// tcp_send_dupack and the challenge ACK: a segment arrived that advanced nothing (out-of-order data, a
        /// duplicate, a retransmitted FIN, a segment outside the window, an invalid RST, SYN or ACK).
        /// </summary>
        StaleSegment,
    }
    /// <summary>Sends a SYN (connect) or a SYN-ACK (request socket), with the options Linux puts on it.</summary>
    private void SendSyn(bool withAck, bool retransmission)
    {
        var flags = withAck ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Syn;
        var options = new TcpOptions
        {
            Mss = (ushort)_advMss,
            SackPermitted = _sackOk,
            HasTimestamps = _tsOk,
            TsVal = _tsOk ? TsVal : 0,
            TsEcr = _tsOk ? _tsRecent : 0,
            HasWindowScale = _wscaleOk,
            WindowScale = _rcvWscale,
        };
        if (withAck && _tsOk && _listener is not null)
        {
            NoteSynAckTsVal(options.TsVal);
        }

        var segment = NewSegment(_iss, flags, ByteChunk.Empty, options, (ushort)Math.Min(_rcvWnd, ushort.MaxValue), ipId: withAck ? (ushort)0 : NextIpId());
        if (retransmission)
        {
            _stack.PublishRetransmission(_tuple, _iss, 0, withAck ? RetransmissionKind.SynAck : RetransmissionKind.Syn);
        }

        Transmit(segment, retransmission);
    }

    /// <summary>
    /// Sends a bare ACK now (tcp_send_ack), which also satisfies any delayed ACK. One that answers a stale
    /// segment and repeats the acknowledgement number and window of the last segment sent is a duplicate
    /// ACK (RFC 5681 section 2's definition, seen from the receiver), and is marked so on the segment: a
    /// changed window makes it a window update, a new acknowledgement number an ordinary ACK.
    /// </summary>
    private void SendAck(AckTrigger trigger = AckTrigger.Owed)
    {
        var options = RegularOptions();
        // A request socket's ACK (tcp_v4_reqsk_send_ack) offers rsk_rcv_wnd >> rcv_wscale and changes nothing.
        ushort window = _listener is not null && _state == TcpState.SynReceived
            ? (ushort)Math.Min(_rcvWnd >> _rcvWscale, ushort.MaxValue)
            : SelectWindow();
        bool duplicate = trigger == AckTrigger.StaleSegment && _lastAckSent is { } last && last.Ack == _rcvNxt && last.Window == window;
        var segment = NewSegment(_sndNxt, TcpFlags.Ack, ByteChunk.Empty, options, window, NextIpId(), duplicate);
        AckSent();
        Transmit(segment, retransmission: false);
    }

    /// <summary>tcp_data_queue's immediate ACK for a segment that advanced nothing (out of order, a duplicate, refused).</summary>
    private void ScheduleAckForStaleSegment()
    {
        _ackAnswersStaleSegment = true;
        ScheduleAck(now: true);
    }

    /// <summary>Sends a segment from this socket; one with ACK that left is the previous ACK the next duplicate ACK repeats.</summary>
    private SendStatus Transmit(Segment segment, bool retransmission)
    {
        CountSent(segment, retransmission);
        var status = _stack.Transmit(segment, retransmission);
        PacingSegmentSent(segment, status);
        if (status == SendStatus.Sent && segment.HasAck)
        {
            _lastAckSent = (segment.Ack, segment.Window);
        }

        return status;
    }

    /// <summary>
    /// tcp_send_challenge_ack (RFC 5961): an in-window RST, a SYN, an ACK of unsent or too old data. Rate-limited per
    /// socket (tcp_invalid_ratelimit) whatever the segment carries, then per namespace (tcp_challenge_ack_limit).
    /// </summary>
    private void SendChallengeAck(Segment trigger)
    {
        if (OutOfWindowAckRateLimited())
        {
            _stack.Drop(trigger, "challenge ACK rate-limited (tcp_invalid_ratelimit)");
            return;
        }

        if (!_stack.ChallengeAckLimit.TryTake(_stack.Sysctls.TcpChallengeAckLimit, _stack.NowNanoseconds))
        {
            _stack.Drop(trigger, "challenge ACK over the namespace's tcp_challenge_ack_limit");
            return;
        }

        _stack.Counters.ChallengeAcks++;
        SendAck(AckTrigger.StaleSegment);
    }

    /// <summary>
    /// The ACK tcp_send_dupack sends for a segment out of the window or failing PAWS, rate-limited per socket by
    /// tcp_oow_rate_limited, which lets segments with data (and no SYN) through: they cannot be part of an ACK loop.
    /// </summary>
    private void SendOutOfWindowAck(Segment trigger)
    {
        bool carriesData = trigger.SequenceLength != 0 && !trigger.IsSyn;
        if (!carriesData && OutOfWindowAckRateLimited())
        {
            _stack.Drop(trigger, "invalid segment; ACK rate-limited (tcp_invalid_ratelimit)");
            return;
        }

        SendAck(AckTrigger.StaleSegment);
    }

    /// <summary>__tcp_oow_rate_limited: true within tcp_invalid_ratelimit of the last such ACK, else stamps now.</summary>
    private bool OutOfWindowAckRateLimited()
    {
        long now = _stack.NowNanoseconds;
        if (_lastOutOfWindowAck != 0 && now - _lastOutOfWindowAck < _stack.Sysctls.TcpInvalidRatelimit * 1_000_000L)
        {
            return true;
        }

        _lastOutOfWindowAck = Math.Max(now, 1);
        return false;
    }

    /// <summary>
    /// tcp_send_active_reset: R. with seq = snd_nxt, ack = rcv_nxt, our window and timestamps, and the SACK blocks
    /// held, as tcp_transmit_skb adds them (38-probe-sack-keepalive).
    /// </summary>
    private void SendActiveReset()
    {
        var segment = NewSegment(_sndNxt, TcpFlags.Rst | TcpFlags.Ack, ByteChunk.Empty, RegularOptions(), SelectWindow(), NextIpId());
        Transmit(segment, retransmission: false);
    }

    /// <summary>
    /// tcp_write_xmit: sends the write queue's sk_buffs as the windows allow, each cut to the MSS, or with GSO to
    /// one GSO packet of up to half the congestion window (<see cref="CwndQuota"/>, <see cref="MssSplitPoint"/>) (a
    /// cut leaves PSH to the last piece, as tso_fragment does) and never merged with the next; the FIN on the
    /// last data segment when it is queued (else alone). An sk_buff whose first MSS does not fit the peer's
    /// window waits (tcp_snd_wnd_test; the probe timer then sends a piece, <see cref="WriteWakeup"/>), except
    /// that the rest of one cut in this round may fill the window (tcp_mss_split_point). Nagle's rule in
    /// Minshall's form (one small segment outstanding at a time) holds a short last sk_buff unless TCP_NODELAY.
    /// </summary>
    /// <remarks>
    /// Most calls (after every ACK) find nothing to send: they are answered here, inline, with what the loop
    /// below would do for an empty queue (only the window validation of a cwnd-limited flight).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PushPendingData(bool nagleOff = false)
    {
        if (_state is not (TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.LastAck or TcpState.Closing))
        {
            return;
        }

        if (_writeQueue.IsEmpty && !(_finQueued && _sndNxt == _writeSeq))
        {
            if (PacketsInFlight >= _cwnd)
            {
                ValidateCwnd(true);
            }

            return;
        }

        WritePending(nagleOff);
    }

    /// <summary><see cref="PushPendingData"/> with something queued: the tcp_write_xmit loop.</summary>
    private void WritePending(bool nagleOff)
    {
        bool sentNew = false;
        bool cwndLimited = false;
        int inFlight = PacketsInFlight;
        SeqNum? cutSkbEnd = null;
        while (true)
        {
            bool finPending = _finQueued && _sndNxt == _writeSeq && !FinSent;
            if ((_writeQueue.IsEmpty && !finPending) || PacingHolds())
            {
                break;
            }

            if (inFlight >= _cwnd && !finPending)
            {
                cwndLimited = true;
                break;
            }

            int mss = CurrentMss;
            var skb = _writeQueue.IsEmpty ? default : _writeQueue.Head;
            int skbLength = _writeQueue.IsEmpty ? 0 : skb.End - _sndNxt;
            int length = Math.Min(skbLength, mss);
            int windowRoom = (_sndUna + (int)_sndWnd) - _sndNxt;
            if (length > 0 && length > windowRoom)
            {
                if (cutSkbEnd != skb.End || windowRoom <= 0)
                {
                    ArmZeroWindowProbe();
                    break;
                }

                length = windowRoom;
            }
            else if (skbLength > mss && GsoEnabled)
            {
                // tso_segs > 1: one GSO packet of up to tcp_tso_segs segments and the cwnd quota, cut by tso_fragment.
                int maxSegs = Math.Min(CwndQuota(inFlight), TsoSegs(mss));
                length = Math.Min(skbLength, MssSplitPoint(skbLength, _writeQueue.Count == 1, mss, maxSegs, nagleOff));
            }

            bool lastOfData = _sndNxt + length == _writeSeq;
            bool withFin = _finQueued && lastOfData && !FinSent;
            bool lastSkb = _writeQueue.Count == 1;
            if (length > 0 && skbLength < mss && lastSkb && !withFin && !nagleOff && NagleHolds())
            {
                break;
            }

            cutSkbEnd = length < skbLength ? skb.End : null;
            if (!SendData(length, withFin, skb.Push && _sndNxt + length == skb.End, mss))
            {
                break;
            }

            sentNew = true;
            inFlight += Math.Max(1, (length + mss - 1) / mss);
        }

        cwndLimited |= inFlight >= _cwnd;
        if (sentNew || cwndLimited)
        {
            ValidateCwnd(cwndLimited);
        }

        if (sentNew)
        {
            ScheduleLossProbeOrRto();
        }
    }

    private bool FinSent => _finQueued && _sndNxt == _writeSeq + 1;

    /// <summary>
    /// Nagle with Minshall's variant (tcp_nagle_check, tcp_minshall_check): hold a small segment while the
    /// last small one sent (snd_sml: a segment shorter than the MSS of its time) is unacknowledged.
    /// </summary>
    private bool NagleHolds() =>
        !_options.NoDelay && PacketsOut > 0 && _sndSml is { } small && small > _sndUna && small <= _sndNxt;

    /// <summary>
    /// tcp_current_mss: the peer's MSS (less the timestamp option), bounded to half the largest window the
    /// peer has offered (tcp_bound_to_half_wnd), so that on loopback, with a 65483-byte MSS and a 119 KB
    /// window, a large write goes out in 60928-byte segments as on Linux; less the SACK blocks the next
    /// segment will carry (tcp_established_options), so that it still fits the MTU.
    /// </summary>
    private int CurrentMss => BoundedMss - SackOptionLength;

    /// <summary>mss_cache as tcp_sync_mss leaves it: the MSS bounded to half the largest window offered (tcp_bound_to_half_wnd).</summary>
    private int BoundedMss
    {
        get
        {
            long cutoff = _maxWindow > 536 ? _maxWindow >> 1 : _maxWindow;
            return cutoff > 0 && _mssCache > cutoff ? (int)Math.Max(cutoff, 68 - (_tsOk ? 32 : 20)) : _mssCache;
        }
    }

    /// <summary>The SACK option the next segment carries: 4 bytes and 8 a block (<see cref="RegularOptions"/>).</summary>
    private int SackOptionLength
    {
        get
        {
            if (!_sackOk || _receiveQueue is not { HasSackBlocks: true } queue)
            {
                return 0;
            }

            return 4 + (8 * Math.Min(queue.Sacks.PendingBlocks, MaximumSackBlocks));
        }
    }

    /// <summary>The SACK blocks that fit the 40 bytes of options: 3 beside timestamps, else 4 (TCP_NUM_SACKS).</summary>
    private int MaximumSackBlocks => _tsOk ? 3 : 4;

    /// <summary>
    /// Sends one new segment, or a GSO packet of several (<paramref name="length"/> over <paramref name="mss"/>): one
    /// segment on the wire carrying gso_size, whose PSH and FIN belong to its last part, kept in the retransmission
    /// queue as MSS-sized pieces sent at one instant; false if the host refused it locally (then it stays unsent, as
    /// in tcp_write_xmit).
    /// </summary>
    private bool SendData(int length, bool withFin, bool push, int mss)
    {
        var flags = TcpFlags.Ack;
        if (length > 0 && push)
        {
            flags |= TcpFlags.Psh;
        }

        if (withFin)
        {
            flags |= TcpFlags.Fin;
        }

        int segs = length > mss ? (length + mss - 1) / mss : 1;
        var payload = length > 0 ? Sending.Slice(_sndNxt - _sndUna, length) : ByteChunk.Empty;
        var segment = NewSegment(_sndNxt, flags, payload, RegularOptions(), SelectWindow(), NextIpId());
        if (segs > 1)
        {
            // ip_select_ident_segs: each segment the packet stands for takes an IP ID.
            segment = segment with { GsoSize = mss };
            _ipId += (ushort)(segs - 1);
        }

        // tcp_event_data_sent runs only for a packet with data (skb->len != the header's length), not a bare FIN, in
        // __tcp_transmit_skb before the packet is handed down (so before pacing stamps it, and whether or not it leaves).
        if (length > 0 && PacketsInFlight == 0)
        {
            CongestionEvent(CaEvent.TxStart); // before lsndtime moves
        }

        var status = Transmit(segment, retransmission: false);
        if (status != SendStatus.Sent)
        {
            // An OUTPUT rule or a full queue refused it: nothing is in flight; the probe timer retries
            // (tcp_check_probe_timer), and tcp_retries2 probes later the connection gives up.
            ArmZeroWindowProbe();
            return false;
        }

        long now = _stack.NowNanoseconds;
        for (int i = 0; i < segs; i++)
        {
            var start = _sndNxt + (i * mss);
            bool last = i == segs - 1;
            var end = last ? segment.EndSeq : start + mss;
            var pieceFlags = last ? flags : flags & ~(TcpFlags.Psh | TcpFlags.Fin);
            var piece = new SentSegment { Seq = start, End = end, Flags = pieceFlags, SentAt = now, Order = ++_sendOrder };
            RateSkbSent(ref piece, now);
            _inFlight.Add(piece, _stack.SentSegments);
        }

        _sndNxt = segment.EndSeq;
        _writeQueue.Sent(_sndNxt, _stack.UnsentSkbs);
        if (length < segs * mss)
        {
            // tcp_minshall_update: the packet ends in a part shorter than the MSS.
            _sndSml = _sndNxt;
        }

        if (_caState == CongestionState.Recovery && _loss is { } loss)
        {
            loss.PrrOut += segs;
        }

        AckSent();
        if (length > 0)
        {
            // The rest of tcp_event_data_sent: lsndtime, and the ping-pong mark of a reply within ato.
            DataSent();
            _lastDataSentAt = now;
        }

        NewDataSentWhileWriterWaits();
        return true;
    }

    /// <summary>
    /// Sends again the segment at <paramref name="index"/> of the retransmission queue, with its original
    /// boundaries but never beyond the peer's window (<see cref="FitRetransmissionToWindow"/>); null when
    /// the window kept it back.
    /// </summary>
    private SendStatus? Retransmit(int index, RetransmissionKind kind)
    {
        if ((_inFlight[index].Flags & TcpFlags.Syn) == 0 && !FitRetransmissionToWindow(index))
        {
            return null;
        }

        var original = _inFlight[index];
        int length = original.DataLength;
        var payload = length > 0 ? Sending.Slice(original.Seq - _sndUna, length) : ByteChunk.Empty;
        var flags = original.Flags;
        Segment segment;
        if ((flags & TcpFlags.Syn) != 0)
        {
            SendSyn(withAck: (flags & TcpFlags.Ack) != 0, retransmission: true);
            segment = null!;
        }
        else
        {
            segment = NewSegment(original.Seq, flags, payload, RegularOptions(), SelectWindow(), NextIpId());
            AckSent();
            if (length > 0 && PacketsInFlight == 0)
            {
                CongestionEvent(CaEvent.TxStart); // tcp_event_data_sent for a retransmission into an empty flight (after an RTO)
            }

            _lastDataSentAt = length > 0 ? _stack.NowNanoseconds : _lastDataSentAt;
            _stack.PublishRetransmission(_tuple, original.Seq, length, kind);
        }

        // tcp_retransmit_skb (R: in flight again, counted for the undo) or, for the loss probe,
        // __tcp_retransmit_skb alone (tlp_retrans); the lost mark stays until the segment is (S)ACKed.
        _totalRetransmissions++;
        original.SentAt = _stack.NowNanoseconds;
        original.Order = ++_sendOrder;
        RateSkbSent(ref original, original.SentAt);
        original.Retransmitted = true;
        if (kind == RetransmissionKind.LossProbe)
        {
            _tailProbeRetransmitted = true;
        }
        else
        {
            original.RetransmissionOut = true;
            var loss = LossState;
            loss.UndoRetransmissions = Math.Max(loss.UndoRetransmissions, 0) + 1;
        }

        StoreSent(index, original);
        if (segment is null)
        {
            return SendStatus.Sent;
        }

        var status = Transmit(segment, retransmission: true);
        if (status != SendStatus.Sent)
        {
            _stack.Counters.RetransmitFailures++;
        }

        return status;
    }

    /// <summary>
    /// A probe for a zero window or a keepalive (tcp_xmit_probe_skb): an ACK with seq = snd_una − 1, no data. It
    /// leaves through tcp_transmit_skb like any ACK: with the SACK blocks held (and a pending D-SACK), and counting
    /// as the ACK sent (tcp_event_ack_sent) (38-probe-sack).
    /// </summary>
    private void SendProbe()
    {
        var segment = NewSegment(_sndUna - 1, TcpFlags.Ack, ByteChunk.Empty, RegularOptions(), SelectWindow(), NextIpId());
        AckSent();
        Transmit(segment, retransmission: false);
    }

    /// <summary>
    /// tcp_established_options: timestamps, and the SACK blocks held (a pending D-SACK first) on every segment
    /// tcp_transmit_skb builds: data, ACKs, probes and the active reset alike.
    /// </summary>
    private TcpOptions RegularOptions()
    {
        var options = _tsOk ? TcpOptions.Timestamps(TsVal, _tsRecent) : default;
        if (_sackOk && _receiveQueue is { HasSackBlocks: true } queue)
        {
            options = options with { SackBlocks = queue.Sacks.Option(MaximumSackBlocks) };
        }

        return options;
    }

    private Segment NewSegment(SeqNum seq, TcpFlags flags, ByteChunk payload, TcpOptions options, ushort window, ushort ipId, bool duplicateAck = false) => new()
    {
        Source = _tuple.LocalAddress,
        Destination = _tuple.RemoteAddress,
        SourcePort = _tuple.LocalPort,
        DestinationPort = _tuple.RemotePort,
        Seq = seq,
        Ack = (flags & TcpFlags.Ack) != 0 ? _rcvNxt : default,
        Flags = flags,
        Window = window,
        Options = options,
        PayloadLength = payload.Length,
        Payload = payload.Bytes,
        IpId = ipId,
        Ttl = (byte)_stack.Sysctls.IpDefaultTtl,
        DuplicateAck = duplicateAck,
    };

    private ushort NextIpId() => _ipId++;

    /// <summary>
    /// tcp_select_window: the window to advertise now, never shrinking what was offered (the right edge
    /// stays put); records rcv_wnd and rcv_wup. With window scaling the value is aligned up to the scale
    /// unit, so 64240 bytes with wscale 10 shows as 63 and 65160 as 64, as on the wire. The one exception:
    /// when in-order data was just refused for memory (ICSK_ACK_NOMEM), the window offered is zero.
    /// </summary>
    private ushort SelectWindow()
    {
        if (_ackNoMemory)
        {
            _ackNoMemory = false;
            _rcvWnd = 0;
            _rcvWup = _rcvNxt;
            return 0;
        }

        long current = Math.Max(0, (_rcvWup + (int)_rcvWnd) - _rcvNxt);
        long proposed = ComputeWindow();
        if (proposed < current)
        {
            proposed = Align(current);
        }

        _rcvWnd = (uint)proposed;
        _rcvWup = _rcvNxt;
        long limited = Math.Min(proposed, (long)ushort.MaxValue << _rcvWscale);
        return (ushort)(limited >> _rcvWscale);
    }

    /// <summary>__tcp_select_window: free buffer space, capped by rcv_ssthresh, aligned to the scale unit.</summary>
    private long ComputeWindow()
    {
        long allowed = (long)ReceiveBuffer * _scalingRatio / 256;
        long full = Math.Min(_windowClamp, allowed);
        long mss = Math.Min(_rcvMss, full);
        long free = Math.Max(0, (ReceiveBuffer - ReceiveMemory) * _scalingRatio / 256);
        if (free < full / 2)
        {
            _quickAcks = 0;
            free = free >> _rcvWscale << _rcvWscale;
            if (free < allowed / 16 || free < mss)
            {
                return 0;
            }
        }

        free = Math.Min(free, _rcvSsthresh);
        if (_rcvWscale != 0)
        {
            return Align(free);
        }

        long window = _rcvWnd;
        if (window <= free - mss || window > free)
        {
            window = mss > 0 ? free / mss * mss : free;
        }
        else if (mss == full && free > window + (full / 2))
        {
            window = free;
        }

        return window;
    }

    private long Align(long bytes)
    {
        long unit = 1L << _rcvWscale;
        return (bytes + unit - 1) / unit * unit;
    }
}
