using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Receive-buffer autotuning, Linux's dynamic right-sizing (tcp_input.c, 6.18): the receiver estimates the round
/// trip (rcv_rtt_est: tcp_rcv_rtt_measure from the window, tcp_rcv_rtt_measure_ts from echoed timestamps), and
/// once per estimated round trip a read compares what the application consumed in it with rcvq_space.space
/// (tcp_rcv_space_adjust); more than before grows sk_rcvbuf to hold twice that plus the sender's growth
/// (tcp_rcvbuf_grow, with the fix of "tcp: fix too slow tcp_rcvbuf_grow() action" that 6.18 carries), and
/// window_clamp follows. rcv_ssthresh then opens towards the larger clamp segment by segment (tcp_grow_window).
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>TCP_INIT_CWND: rcvq_space.space starts at no more than ten segments.</summary>
    private const int InitialCongestionWindow = 10;

    // rcv_rtt_est: the receiver's RTT estimate in microseconds × 8 (0 until a sample), and the window-based
    // measurement in progress (the sequence number that ends it and when it started, in microseconds).
    private long _rcvRttUs;
    private SeqNum _rcvRttSeq;
    private long _rcvRttTime = Never;
    private uint _rcvRttLastTsecr;

    // rcvq_space: bytes consumed in the last measured round trip, and where and when this one started.
    private int _rcvqSpace;
    private SeqNum _rcvqSeq;
    private long _rcvqTime;

    /// <summary>copied_seq: the next byte the application will read (a FIN not yet read still counts in rcv_nxt).</summary>
    private SeqNum CopiedSeq => _rcvNxt - (int)(_receiveQueue?.UnreadBytes ?? 0) - (_finReceived && !_finConsumed ? 1 : 0);

    private long NowMicroseconds => _stack.NowNanoseconds / 1000;

    /// <summary>
    /// tcp_init_buffer_space's part for autotuning: the first round trip is measured from now, and rcvq_space.space
    /// starts at min(rcv_ssthresh, rcv_wnd, 10 × advmss).
    /// </summary>
    private void InitReceiveSpace()
    {
        _rcvqTime = NowMicroseconds;
        _rcvqSeq = CopiedSeq;
        _rcvqSpace = (int)Math.Min(Math.Min(_rcvSsthresh, _rcvWnd), (long)InitialCongestionWindow * AdvertisedMssLessOptions);
    }

    /// <summary>
    /// tcp_rcv_rtt_measure (tcp_event_data_recv, for in-order data): a measurement ends when rcv_nxt reaches the
    /// right edge of the window offered when it started, which the sender could fill only after a round trip;
    /// the next starts at once. <paramref name="rcvNxt"/>: rcv_nxt after this segment, before held data joined it.
    /// </summary>
    private void MeasureReceiveRtt(SeqNum rcvNxt)
    {
        long now = NowMicroseconds;
        if (_rcvRttTime != Never)
        {
            if (rcvNxt < _rcvRttSeq)
            {
                return;
            }

            UpdateReceiveRtt(Math.Max(1, now - _rcvRttTime), windowDependent: true);
        }

        _rcvRttSeq = rcvNxt + (int)_rcvWnd;
        _rcvRttTime = now;
    }

    /// <summary>
    /// tcp_rcv_rtt_measure_ts (ESTABLISHED, before the data is queued): the first segment of at least rcv_mss that
    /// echoes a new timestamp gives the time since that timestamp, in whole milliseconds (tcp_rtt_tsopt_us); a
    /// 0 ms sample is ignored (6.16's "tcp: remove zero TCP TS samples for autotuning"), as is one that went back.
    /// </summary>
    private void MeasureReceiveRttFromTimestamps(Segment segment)
    {
        if (!_tsOk || !segment.Options.HasTimestamps || _state != TcpState.Established)
        {
            return;
        }

        uint echoed = segment.Options.TsEcr;
        if (echoed == _rcvRttLastTsecr)
        {
            return;
        }

        _rcvRttLastTsecr = echoed;
        if (segment.EndSeq - segment.Seq < _rcvMss)
        {
            return;
        }

        uint milliseconds = unchecked(TsVal - echoed);
        if (milliseconds > 0 && milliseconds < int.MaxValue / 1000)
        {
            UpdateReceiveRtt(milliseconds * 1000L, windowDependent: false);
        }
    }

    /// <summary>
    /// tcp_rcv_rtt_update (6.16+): a smaller sample is taken at once; a larger one only from timestamps, and only
    /// while the application has read everything, smoothed by an eighth (rcv_rtt_est.rtt_us is eight times the RTT).
    /// </summary>
    private void UpdateReceiveRtt(long sampleUs, bool windowDependent)
    {
        long scaled = sampleUs << 3;
        if (_rcvRttUs == 0 || scaled < _rcvRttUs)
        {
            _rcvRttUs = scaled;
            return;
        }

        if (windowDependent || _rcvNxt != CopiedSeq)
        {
            return;
        }

        _rcvRttUs = _rcvRttUs - (_rcvRttUs >> 3) + sampleUs;
    }

    /// <summary>
    /// tcp_rcv_space_adjust, after the application copied the sk_buff that ends at <paramref name="copiedSeq"/>:
    /// once a round trip has passed since the last measure, the bytes consumed in it (less what still waits in the
    /// queue) grow the buffer if they exceed rcvq_space.space; a new measure starts either way.
    /// </summary>
    private void AdjustReceiveSpace(SeqNum copiedSeq)
    {
        long now = NowMicroseconds;
        if (_rcvRttUs == 0 || Math.Max(0, now - _rcvqTime) < (_rcvRttUs >> 3))
        {
            return;
        }

        int copied = (copiedSeq - _rcvqSeq) - (_rcvNxt - copiedSeq);
        if (copied > _rcvqSpace)
        {
            GrowReceiveBuffer(copied);
        }

        _rcvqSeq = copiedSeq;
        _rcvqTime = now;
    }

    /// <summary>
    /// tcp_rcvbuf_grow: rcvq_space.space becomes <paramref name="space"/>; unless autotuning is off
    /// (tcp_moderate_rcvbuf 0) or the application sized the buffer (SO_RCVBUF), the buffer is to hold twice the
    /// space (DRS is a round trip late), plus twice the relative growth since the last measure (slow start), plus
    /// the span of data held out of order, as memory at the current scaling ratio (tcp_space_from_win), up to
    /// tcp_rmem's maximum; if that is more than sk_rcvbuf, it becomes sk_rcvbuf and window_clamp its window.
    /// </summary>
    private void GrowReceiveBuffer(int space)
    {
        int previous = _rcvqSpace;
        _rcvqSpace = space;
        if (_stack.Sysctls.TcpModerateRcvbuf == 0 || ReceiveBufferLocked)
        {
            return;
        }

        uint window = unchecked((uint)space << 1);
        ulong grow = previous > 0 ? (ulong)window * unchecked((uint)(space - previous)) / (uint)previous : 0;
        window = unchecked(window + (uint)(grow << 1));
        if (_receiveQueue?.OutOfOrderEnd is { } end)
        {
            window = unchecked(window + (uint)(end - _rcvNxt));
        }

        long buffer = Math.Min(((long)window << 8) / _scalingRatio, _stack.Sysctls.TcpRmem.Max);
        if (buffer > ReceiveBuffer)
        {
            _receiveBufferGrown = (int)buffer;
            _windowClamp = (uint)WindowFromSpace(buffer);
        }
    }

    /// <summary>
    /// tcp_recvmsg's copy: up to <paramref name="max"/> bytes, sk_buff by sk_buff, with tcp_rcv_space_adjust after
    /// each. Only the first can start a new measure (the others come within the same instant), so the measure
    /// sees copied_seq at the end of the first sk_buff, with the rest of the read still counted as queued.
    /// </summary>
    private ByteChunk ReadAndAdjustSpace(ReceiveQueue queue, int max)
    {
        var start = CopiedSeq;
        long first = Math.Min(max, queue.UnreadInHeadBuffer);
        var data = queue.Read(max);
        if (data.Length > 0)
        {
            AdjustReceiveSpace(start + (int)first);
        }

        return data;
    }
}
