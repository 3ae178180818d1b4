using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The counters tcp_info reports that nothing else in the socket needs (tcp_sock's segs_out, data_segs_out,
/// bytes_sent and bytes_retrans of __tcp_transmit_skb and __tcp_retransmit_skb; segs_in and data_segs_in of
/// tcp_segs_in; bytes_acked of tcp_snd_una_update; bytes_received of tcp_rcv_nxt_update), and tcp_get_info itself.
/// </summary>
internal sealed partial class TcpSocket
{
    private ulong _bytesSent;
    private ulong _bytesRetrans;
    private ulong _bytesAcked;
    private ulong _bytesReceived;
    private uint _segsOut;
    private uint _segsIn;
    private uint _dataSegsOut;
    private uint _dataSegsIn;

    /// <summary>The jiffy the connection was established (tcp_finish_connect / tcp_create_openreq_child stamp lsndtime and lrcvtime with it).</summary>
    private uint _establishedJiffy;

    /// <summary>A request socket (a listener's child before the third ACK): Linux's request sock, whose segments the child does not count.</summary>
    private bool IsRequest => _state == TcpState.SynReceived && _listener is not null;

    private void MarkEstablished() => _establishedJiffy = unchecked((uint)Jiffies.At(_stack.NowNanoseconds));

    /// <summary>__tcp_transmit_skb's counting: every segment (a GSO packet as its segments), and those with data and their bytes.</summary>
    private void CountSent(Segment segment, bool retransmission)
    {
        if (IsRequest)
        {
            return;
        }

        _segsOut += (uint)segment.GsoSegs;
        if (segment.PayloadLength > 0)
        {
            _dataSegsOut += (uint)segment.GsoSegs;
            _bytesSent += (uint)segment.PayloadLength;
            _bytesRetrans += retransmission ? (uint)segment.PayloadLength : 0;
        }
    }

    /// <summary>
    /// tcp_segs_in for a segment that reached this socket (a repeated SYN stays with the request sock in Linux); a
    /// request socket's first SYN counts as the child's first segment (tcp_create_openreq_child).
    /// </summary>
    private void CountReceived(Segment segment)
    {
        if (_state == TcpState.Listen || (IsRequest && segment.IsSyn && !segment.HasAck && _segsIn > 0))
        {
            return;
        }

        _segsIn += (uint)segment.GsoSegs;
        _dataSegsIn += segment.PayloadLength > 0 ? (uint)segment.GsoSegs : 0;
    }

    /// <summary>
    /// tcp_snd_una_update and tcp_rcv_nxt_update: what one segment moved snd_una and rcv_nxt. The SYN of an active
    /// opener counts as acknowledged (tcp_ack acknowledges it); a request socket's SYN-ACK does not (the child starts
    /// with snd_una past it), and the peer's SYN never counts as received (rcv_nxt starts past it).
    /// </summary>
    private void CountAdvance(TcpState stateBefore, bool requestBefore, SeqNum sndUnaBefore, SeqNum rcvNxtBefore)
    {
        if (stateBefore is TcpState.Listen or TcpState.Closed)
        {
            return;
        }

        long acked = _sndUna - sndUnaBefore;
        if (acked > 0)
        {
            _bytesAcked += (ulong)(acked - (requestBefore && sndUnaBefore == _iss ? 1 : 0));
        }

        long received = _rcvNxt - rcvNxtBefore;
        if (stateBefore != TcpState.SynSent && received > 0)
        {
            _bytesReceived += (ulong)received;
        }
    }

    /// <summary>tcp_get_info: what the socket reports to ss -i (a listener only its window, reordering and pacing).</summary>
    private TcpInfo InfoOf(long now)
    {
        string congestionControl = CaOps.Name; // INET_DIAG_CONG: the socket's own icsk_ca_ops, not the namespace default
        if (_state == TcpState.Listen)
        {
            return new TcpInfo
            {
                CongestionControl = congestionControl,
                CongestionWindow = _cwnd,
                Reordering = _stack.Sysctls.TcpReordering,
                PacingRate = RateForTcpInfo(PacingRate),
                MaxPacingRate = RateForTcpInfo(MaxPacingRate),
                Unacked = _listen?.AcceptQueue.Count ?? 0,
            };
        }

        uint nowJiffy = unchecked((uint)Jiffies.At(now));
        return new TcpInfo
        {
            CongestionControl = congestionControl,
            Timestamps = _tsOk,
            Sack = _sackOk,
            WindowScale = _wscaleOk,
            SendWindowScale = _wscaleOk ? _sndWscale : 0,
            ReceiveWindowScale = _wscaleOk ? _rcvWscale : 0,
            RtoMicros = _rto / 1000,
            Backoff = _backoff,
            RttMicros = _rtt.SmoothedMicros8 >> 3,
            RttVarMicros = _rtt.MdevMicros4 >> 2,
            AtoMicros = Math.Min(_ato, Jiffies.DelackMax) / 1000,
            SendMss = BoundedMss,
            ReceiveMss = _rcvMss,
            PathMtu = PathMtu(_tuple.RemoteAddress),
            AdvertisedMss = AdvertisedMssLessOptions,
            CongestionWindow = _cwnd,
            SlowStartThreshold = _ssthresh,
            BytesSent = _bytesSent,
            BytesRetransmitted = _bytesRetrans,
            BytesAcked = _bytesAcked,
            BytesReceived = _bytesReceived,
            SegmentsOut = _segsOut,
            SegmentsIn = _segsIn,
            DataSegmentsOut = _dataSegsOut,
            DataSegmentsIn = _dataSegsIn,
            LastDataSentMillis = AgeMillis(nowJiffy, _lastDataSentAt),
            LastDataReceivedMillis = AgeMillis(nowJiffy, _lastReceiveTime),
            LastAckReceivedMillis = JiffiesToMillis(nowJiffy - unchecked((uint)Jiffies.At(_lastAckReceivedTime))),
            PacingRate = RateForTcpInfo(PacingRate),
            MaxPacingRate = RateForTcpInfo(MaxPacingRate),
            DeliveryRate = DeliveryRate,
            Delivered = _delivered,
            AppLimited = _rateAppLimited,
            BusyMicros = BusyMicros(nowJiffy),
            Unacked = PacketsOut,
            Retransmissions = RetransmissionsOut,
            TotalRetransmissions = _totalRetransmissions,
            Lost = LostOut,
            Sacked = SackedOut,
            DsackDuplicates = _dsackDuplicates,
            Reordering = _loss?.Reordering ?? _stack.Sysctls.TcpReordering,
            ReorderSeen = _loss?.ReorderSeen ?? 0,
            ReceiveRttMicros = _rcvRttUs >> 3,
            ReceiveSpace = _rcvqSpace,
            ReceiveSlowStartThreshold = _rcvSsthresh,
            NotSent = Math.Max(0, (_writeSeq + (_finQueued ? 1 : 0)) - _sndNxt),
            MinRttMicros = _rtt.MinRtt == long.MaxValue ? null : _rtt.MinRtt / 1000,
            SendWindow = _sndWnd,
            Bbr = CaOps.Info(this),
        };
    }

    /// <summary>The age of a data event in ms as tcp_get_info counts it (jiffies); before any, since establishment.</summary>
    private long AgeMillis(uint nowJiffy, long at) =>
        JiffiesToMillis(nowJiffy - (at == Never ? _establishedJiffy : unchecked((uint)Jiffies.At(at))));

    private static long JiffiesToMillis(uint jiffies) => (long)jiffies * 1000 / Jiffies.Hz;
}
