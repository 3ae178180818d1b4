using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>Segment text and FIN ("seventh, process the segment text"; "eighth, check the FIN bit"), and when to ACK.</summary>
internal sealed partial class TcpSocket
{
    private const int MaxQuickAcks = 16;

    private void ProcessData(Segment segment)
    {
        if (segment.PayloadLength == 0 && !segment.IsFin)
        {
            return;
        }

        switch (_state)
        {
            case TcpState.CloseWait or TcpState.Closing or TcpState.LastAck when segment.Seq >= _rcvNxt:
                _stack.Drop(segment, "data after the peer's FIN");
                return;
            case TcpState.CloseWait or TcpState.Closing or TcpState.LastAck or TcpState.FinWait1 or TcpState.FinWait2
                when _receiveShutdown && segment.PayloadLength > 0 && (segment.EndSeq - (segment.IsFin ? 1 : 0)) > _rcvNxt:
                // RFC 1122 4.2.2.13: data for a socket that can no longer read is answered with a reset.
                _stack.Counters.AbortOnData++;
                _stack.SendReset(segment);
                Done(Errno.ECONNRESET, "data arrived after close() or shutdown(SHUT_RD)");
                return;
        }

        QueueData(segment);
    }

    /// <summary>
    /// tcp_data_queue: in order, duplicate (D-SACK, ACK now), partial overlap, or out of order (queued, SACK, ACK now).
    /// A D-SACK still pending from an earlier segment is dropped first: only this segment's duplicates are reported.
    /// </summary>
    private void QueueData(Segment segment)
    {
        var seq = segment.Seq;
        var end = segment.EndSeq;
        _receiveQueue?.ForgetDuplicateSack();
        if (end <= _rcvNxt)
        {
            // A retransmission of what we have: D-SACK it and ACK at once (RFC 2883).
            if (_sackOk)
            {
                Receiving.Sacks.SetDuplicate(seq, end);
            }

            EnterQuickAckMode(MaxQuickAcks);
            ScheduleAckForStaleSegment();
            return;
        }

        long window = Math.Max(0, (_rcvWup + (int)_rcvWnd) - _rcvNxt);
        if (window == 0 && segment.PayloadLength > 0)
        {
            _stack.Drop(segment, "zero receive window");
            EnterQuickAckMode(MaxQuickAcks);
            ScheduleAckForStaleSegment();
            return;
        }

        if (segment.PayloadLength > 0 && !ScheduleReceiveMemory(segment, inOrder: seq <= _rcvNxt))
        {
            return;
        }

        var data = PayloadOf(segment);
        if (seq > _rcvNxt)
        {
            // tcp_data_queue_ofo: with SACK the window may grow on held data (tcp_grow_window; a buffer of its
            // own is charged only after that), without it it must not, so that the duplicate ACKs stay
            // duplicates and fast retransmit starts.
            var held = Receiving.AddOutOfOrder(seq, data, segment.IsFin, _sackOk, out int merged);
            _stack.Counters.OutOfOrderMerged += merged;
            if (held == OutOfOrderOutcome.AlreadyHeld)
            {
                _stack.Drop(segment, "out-of-order data held already");
            }
            else if (_sackOk && data.Length > 0)
            {
                GrowReceiveWindow(data.Length, held == OutOfOrderOutcome.Queued ? SkbTruesize.OfSegment(data.Length) : 0);
            }

            if (!_orphaned && (_listener is null || _accepted))
            {
                // tcp_data_queue_ofo ends with tcp_rcvbuf_grow at the same space: room for the span held out of order.
                GrowReceiveBuffer(_rcvqSpace);
            }

            // inet_csk_schedule_ack, not an immediate ACK: __tcp_ack_snd_check sends it at once in quick-ACK mode or
            // for the first duplicates at this rcv_nxt, and compresses the rest (TcpSocket.SackCompression.cs).
            _ackAnswersStaleSegment = true;
            ScheduleAck(now: false);
            return;
        }

        if (seq < _rcvNxt)
        {
            int overlap = _rcvNxt - seq;
            if (_sackOk)
            {
                Receiving.Sacks.SetDuplicate(seq, _rcvNxt);
            }

            data = data.Slice(overlap, data.Length - overlap);
        }

        AcceptInOrder(data, segment);
    }

    /// <summary>tcp_data_queue's in-order path: queue, then what the out-of-order queue holds from here on (tcp_ofo_queue), a FIN of either included.</summary>
    private void AcceptInOrder(ByteChunk data, Segment segment)
    {
        bool hadOutOfOrder = OutOfOrderHeld > 0;
        bool heldFin = false;
        if (data.Length > 0)
        {
            var queue = Receiving;
            queue.AppendInOrder(data);
            _rcvNxt += data.Length;
            var queuedUpTo = _rcvNxt;
            _rcvNxt = queue.DrainOutOfOrder(_rcvNxt, _sackOk, out heldFin);
            if (hadOutOfOrder && (queue.OutOfOrderCount == 0 || heldFin))
            {
                _ackNow = true;
            }

            OnDataReceived(segment, queuedUpTo);
        }

        ScheduleAck(now: false);
        bool finInOrder = heldFin || (segment.IsFin && segment.EndSeq - 1 <= _rcvNxt);
        if (finInOrder)
        {
            OnFin();
        }

        DeliverToApplication();
    }

    private static ByteChunk PayloadOf(Segment segment) =>
        segment.Payload.IsEmpty ? ByteChunk.OfLength(segment.PayloadLength) : ByteChunk.Of(segment.Payload);

    /// <summary>tcp_fin: the peer will send no more; what follows depends on our state.</summary>
    private void OnFin()
    {
        _rcvNxt += 1;
        _finReceived = true;
        _receiveShutdown = true;
        _done = true;
        _receiveQueue?.DiscardOutOfOrder();
        switch (_state)
        {
            case TcpState.SynReceived or TcpState.Established:
                SetState(TcpState.CloseWait, "FIN received");
                _pingpong = true;
                break;
            case TcpState.FinWait1:
                SendAck();
                SetState(TcpState.Closing, "FIN received in FIN-WAIT-1 (simultaneous close)");
                break;
            case TcpState.FinWait2:
                SendAck();
                EnterTimeWait(TimeWaitSubstate.TimeWait, TimeWaitDecision.TimeWaitLengthNanoseconds);
                break;
        }
    }

    /// <summary>
    /// tcp_event_data_recv: measure the peer's MSS (from the GSO size of a super-segment) and the round trip (from
    /// <paramref name="queuedUpTo"/>, rcv_nxt before held data joined), adapt the delayed-ACK timeout, grow the window.
    /// </summary>
    private void OnDataReceived(Segment segment, SeqNum queuedUpTo)
    {
        int length = segment.PayloadLength;
        long now = _stack.NowNanoseconds;
        MeasureReceiveMss(segment);
        MeasureReceiveRtt(queuedUpTo);
        if (_ato == 0)
        {
            IncreaseQuickAcks(MaxQuickAcks);
            _ato = Jiffies.AtoMin;
        }
        else
        {
            long gap = (now - _lastReceiveTime) / Jiffies.Nanoseconds * Jiffies.Nanoseconds;
            if (gap <= Jiffies.AtoMin / 2)
            {
                _ato = (_ato >> 1) + (Jiffies.AtoMin / 2);
            }
            else if (gap < _ato)
            {
                _ato = Math.Min((_ato >> 1) + gap, _rto);
            }
            else if (gap > _rto)
            {
                IncreaseQuickAcks(MaxQuickAcks);
            }
        }

        _lastReceiveTime = now;
        if (length >= 128)
        {
            GrowReceiveWindow(length);
        }
    }

    /// <summary>
    /// tcp_measure_rcv_mss: a larger segment updates rcv_mss and the buffer's data-to-memory ratio
    /// (scaling_ratio), and with it the window clamp (tcp_set_window_clamp, Linux 6.16+). A GSO super-segment
    /// counts as its gso_size (skb_shinfo(skb)->gso_size), so rcv_mss stays the sender's MSS, while the ratio is
    /// that of the whole sk_buff (skb->len over its truesize). A shorter segment that does not look like a steady
    /// smaller MSS marks the pending ACK pushed (ICSK_ACK_PUSHED, a second one PUSHED2), which lets a read send it at
    /// once (<see cref="AfterApplicationRead"/>).
    /// </summary>
    private void MeasureReceiveMss(Segment segment)
    {
        int skbLength = segment.PayloadLength;
        int length = segment.GsoSize > 0 ? segment.GsoSize : skbLength;
        int lastSegmentSize = _lastSegmentSize;
        _lastSegmentSize = 0;
        if (length < _rcvMss)
        {
            // Sized with its TCP header: a segment of at least the default MSS, or of the minimum one without
            // PSH/FIN/SYN/URG (TCP_REMNANT), is taken for a full one of a smaller MSS, as is its size seen twice running.
            int withHeader = length + segment.HeaderLength;
            const TcpFlags remnant = TcpFlags.Fin | TcpFlags.Urg | TcpFlags.Syn | TcpFlags.Psh;
            if (withHeader >= 536 + 20 || (withHeader >= 88 + 20 && (segment.Flags & remnant) == 0))
            {
                int size = withHeader - (_tsOk ? 32 : 20);
                _lastSegmentSize = size;
                if (size == lastSegmentSize)
                {
                    _rcvMss = size;
                    return;
                }
            }

            _ackPushed = (byte)(_ackPushed == 0 ? AckPushed : AckPushed | AckPushed2);
            return;
        }

        // Linux (6.2+) also marks a full segment with PSH pushed here. Not modelled: in the bulk transfers of 43 and 54
        // it moves the receiver's ACK parity against the kernel's where the autotuning window updates start one
        // segment apart (docs/fidelity.md, "Receive buffer").

        if (length != _rcvMss)
        {
            int ratio = Math.Max(1, skbLength * 256 / SkbTruesize.OfSegment(skbLength));
            if (ratio != _scalingRatio)
            {
                _scalingRatio = ratio;
                SetWindowClamp((uint)Math.Max(MinimumWindowClamp, (long)ReceiveBuffer * ratio / 256));
            }
        }

        _rcvMss = Math.Min(length, AdvertisedMssLessOptions);
    }

    /// <summary>
    /// tcp_set_window_clamp: a smaller clamp pulls rcv_ssthresh down with it; a larger one lets
    /// rcv_ssthresh catch up with the window already offered (min(rcv_wnd, clamp)).
    /// </summary>
    private void SetWindowClamp(uint clamp)
    {
        if (clamp == _windowClamp)
        {
            return;
        }

        bool shrinking = clamp < _windowClamp;
        _windowClamp = clamp;
        _rcvSsthresh = shrinking ? Math.Min(_rcvSsthresh, clamp) : Math.Max(Math.Min(_rcvWnd, clamp), _rcvSsthresh);
    }

    /// <summary>
    /// tcp_grow_window: rcv_ssthresh grows towards min(window_clamp, free space) by two MSS (or twice the
    /// segment) per segment whose memory cost would still fit the buffer at this ratio of data to memory.
    /// <paramref name="uncharged"/>: memory already counted that Linux charges only after this check.
    /// </summary>
    private void GrowReceiveWindow(int length, int uncharged = 0)
    {
        long free = Math.Max(0, WindowFromSpace(ReceiveBuffer - ReceiveMemory + uncharged));
        long room = Math.Min(_windowClamp, free) - _rcvSsthresh;
        if (room <= 0)
        {
            return;
        }

        int truesize = SkbTruesize.OfSegment(length);
        long increment = WindowFromSpace(truesize) <= length ? 2L * AdvertisedMssLessOptions : SlowGrowIncrement(length, truesize);
        if (increment == 0)
        {
            return;
        }

        increment = Math.Max(increment, 2L * length);
        _rcvSsthresh = (uint)(_rcvSsthresh + Math.Min(room, increment));
        _quickAcks |= 1;
    }

    /// <summary>__tcp_grow_window: halve the segment's cost and the buffer's maximum until the cost fits the data or the window is too large.</summary>
    private long SlowGrowIncrement(int length, int truesize)
    {
        long cost = WindowFromSpace(truesize) >> 1;
        long window = WindowFromSpace(_stack.Sysctls.TcpRmem.Max) >> 1;
        while (_rcvSsthresh <= window)
        {
            if (cost <= length)
            {
                return 2L * _rcvMss;
            }

            cost >>= 1;
            window >>= 1;
        }

        return 0;
    }

    /// <summary>
    /// tcp_init_buffer_space, when the connection is established: the send buffer sized for the initial window
    /// (<see cref="InitSendBufferSpace"/>); the window clamp is the full space
    /// less one segment (net.ipv4.tcp_app_win's reservation), and rcv_ssthresh starts no higher; that is
    /// why a 200-byte segment does not open the window (63 stays 63) while a 1000-byte one, which
    /// changes the ratio and so the clamp, does (63 → 66 → 69).
    /// </summary>
    private void InitBufferSpace()
    {
        MarkEstablished();
        InitSendBufferSpace();
        long maximum = WindowFromSpace(ReceiveBuffer);
        int advmss = AdvertisedMssLessOptions;
        long clamp = Math.Min(_windowClamp, maximum);
        if (clamp > 2L * advmss && clamp + advmss > maximum)
        {
            clamp = Math.Max(2L * advmss, maximum - advmss);
        }

        _windowClamp = (uint)clamp;
        _rcvSsthresh = Math.Min(_rcvSsthresh, _windowClamp);
        InitReceiveSpace();
    }

    /// <summary>tcp_win_from_space: the part of some buffer memory that can be window, at the current scaling ratio.</summary>
    private long WindowFromSpace(long space) => space * _scalingRatio / 256;

    /// <summary>tcp_space: the free receive-buffer memory as window.</summary>
    private long FreeSpace => Math.Max(0, WindowFromSpace(ReceiveBuffer - ReceiveMemory));

    private void IncreaseQuickAcks(int maximum)
    {
        int quickAcks = (int)(_rcvWnd / (uint)(2 * Math.Max(1, _rcvMss)));
        if (quickAcks == 0)
        {
            quickAcks = 2;
        }

        _quickAcks = Math.Max(_quickAcks, Math.Min(quickAcks, maximum));
    }

    /// <summary>tcp_enter_quickack_mode: ACK the next segments at once and leave interactive (ping-pong) mode.</summary>
    private void EnterQuickAckMode(int maximum)
    {
        IncreaseQuickAcks(maximum);
        _pingpong = false;
        _ato = Jiffies.AtoMin;
    }

    private void ScheduleAck(bool now)
    {
        _ackScheduled = true;
        _ackNow |= now;
    }

    /// <summary>__tcp_ack_snd_check: ACK now (two full segments, quick-ACK mode, or forced), else delay it, or with data held out of order send or compress it (<see cref="HoldForSackCompression"/>).</summary>
    private void AckIfDue()
    {
        if (!_ackScheduled || _state is TcpState.Closed or TcpState.TimeWait)
        {
            return;
        }

        bool twoSegments = (_rcvNxt - _rcvWup) > _rcvMss && ComputeWindow() >= _rcvWnd;
        bool quickAckMode = _quickAcks > 0 && !_pingpong;
        if (!twoSegments && !quickAckMode && !_ackNow)
        {
            if (OutOfOrderHeld == 0)
            {
                ScheduleDelayedAck();
                return;
            }

            if (HoldForSackCompression())
            {
                return;
            }
        }

        SendAck(_ackAnswersStaleSegment ? AckTrigger.StaleSegment : AckTrigger.Owed);
    }

    /// <summary>
    /// tcp_send_delayed_ack: the ACK waits ato (40 ms once data has arrived), bounded by the RTT and 200 ms
    /// in ping-pong mode. A connection that never received data has ato 0: the timer is due at once and
    /// fires at the next tick, which is why a FIN on such a connection is ACKed about a jiffy later
    /// (1.5 ms in tests/reference/kernel/08-shutdown-shut-rdwr.txt and 14-*) rather than 40 ms later.
    /// </summary>
    private void ScheduleDelayedAck()
    {
        long now = _stack.NowNanoseconds;
        long ato = _ato == 0 ? Jiffies.Nanoseconds : _ato;
        if (ato > Jiffies.AtoMin)
        {
            long maxAto = _pingpong ? Jiffies.DelackMax : 500_000_000;
            if (_rtt.HasSample)
            {
                maxAto = Math.Min(maxAto, Math.Max(Jiffies.RoundUp(_rtt.SmoothedNanoseconds), Jiffies.AtoMin));
            }

            ato = Math.Min(ato, maxAto);
        }

        long deadline = now + ato;
        if (IsTimerActive(TimerExpired.DelayedAck))
        {
            if (_delayedAckDeadline <= now + (ato >> 2))
            {
                SendAck();
                return;
            }

            deadline = Math.Min(deadline, _delayedAckDeadline);
        }

        _delayedAckDeadline = deadline;
        StartSingleTimer(TimerExpired.DelayedAck, TimerExpired.DelayedAck, new Runtime.Duration(deadline - now));
    }

    /// <summary>tcp_event_ack_sent: an ACK went out (alone or on data): leave quick-ACK mode gradually, cancel the delayed ACK.</summary>
    private void AckSent()
    {
        if (_quickAcks > 0)
        {
            int packets = _ackScheduled ? 1 : 0;
            if (packets >= _quickAcks)
            {
                _quickAcks = 0;
                _ato = Jiffies.AtoMin;
            }
            else
            {
                _quickAcks -= packets;
            }
        }

        _ackScheduled = false;
        _ackNow = false;
        _ackPushed = 0;
        _ackAnswersStaleSegment = false;
        _receiveQueue?.ForgetDuplicateSack();
        CancelTimer(TimerExpired.DelayedAck);
        EndSackCompression();
    }

    /// <summary>tcp_event_data_sent: a reply within ato of the last data received makes the connection interactive (ping-pong).</summary>
    private void DataSent()
    {
        if (_lastReceiveTime != Never && _stack.NowNanoseconds - _lastReceiveTime < _ato)
        {
            _pingpong = true;
        }
    }
}
