using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Delivery-rate estimation as net/ipv4/tcp_rate.c does it (Linux 6.x): every transmission stamps its segment with
/// the socket's delivered count and the times that count was reached (tcp_rate_skb_sent); every segment an ACK
/// (S)ACKs may start the ACK's sample (tcp_rate_skb_delivered: the most recently sent one wins); after the ACK,
/// tcp_rate_gen turns the sample into delivered segments over the longer of the send and ACK phases, drops
/// intervals shorter than the minimum RTT, and keeps the socket's delivery rate for tcp_info (the last sample
/// that was not application-limited, or a higher application-limited one). tcp_rate_check_app_limited marks a
/// "bubble" when send() finds nothing to send, so samples taken before the bubble is ACKed count as app-limited.
/// </summary>
internal sealed partial class TcpSocket
{
    // tcp_sock's rate fields: delivered (segments delivered, SYN included), the time it was last raised and the
    // send time of the most recently delivered segment (µs), app_limited (0: not limited; else delivered count
    // that ends the bubble), and the rate tcp_info reports (rate_delivered over rate_interval_us). tcp_init_sock
    // starts with a bubble until the first ACK (app_limited ~0U) and the reported rate app-limited.
    private uint _delivered;
    private long _deliveredMstamp;
    private long _firstTxMstamp;
    private uint _appLimited = uint.MaxValue;
    private uint _rateDelivered;
    private uint _rateIntervalUs;
    private bool _rateAppLimited { get => Has(SocketFlags.RateAppLimited); set => Set(SocketFlags.RateAppLimited, value); } // true at first: _flags starts with it

    /// <summary>tcp_rate_skb_sent: stamps a segment about to be (re)transmitted; one sent into an empty flight starts a new phase.</summary>
    private void RateSkbSent(ref SentSegment sent, long sentAtNanoseconds)
    {
        if (PacketsOut == 0)
        {
            long stamp = sentAtNanoseconds / 1000;
            _firstTxMstamp = stamp;
            _deliveredMstamp = stamp;
        }

        sent.TxFirstTxMstamp = _firstTxMstamp;
        sent.TxDeliveredMstamp = _deliveredMstamp;
        sent.TxDelivered = _delivered;
        sent.TxAppLimited = _appLimited != 0;
    }

    /// <summary>
    /// tcp_rate_skb_delivered: a segment the ACK covers or SACKs sets the sample if it is the first or was sent after
    /// the one that set it (tcp_skb_sent_after: later stamp, or same stamp and higher end). A SACKed segment is
    /// marked off (its stamp cleared) so that its later cumulative ACK does not count it again.
    /// </summary>
    private void RateSkbDelivered(ref SentSegment sent, ref RateSample rate)
    {
        if (sent.TxDeliveredMstamp == 0)
        {
            return;
        }

        long sentAt = sent.SentAt / 1000;
        if (rate.PriorDelivered == 0 || sentAt > _firstTxMstamp || (sentAt == _firstTxMstamp && sent.End > rate.LastEndSeq))
        {
            rate.PriorDelivered = sent.TxDelivered;
            rate.PriorMstamp = sent.TxDeliveredMstamp;
            rate.IsAppLimited = sent.TxAppLimited;
            rate.IsRetrans = sent.Retransmitted;
            rate.LastEndSeq = sent.End;
            _firstTxMstamp = sentAt;
            rate.IntervalUs = sentAt - sent.TxFirstTxMstamp;
        }

        if (sent.Sacked)
        {
            sent.TxDeliveredMstamp = 0;
        }
    }

    /// <summary>
    /// tcp_count_delivered then tcp_rate_gen, after an ACK: adds the newly delivered segments, ends an
    /// application-limited bubble once it is delivered, and completes the sample; an invalid one (no timing, or SACK
    /// reneging) has delivered and interval −1; one shorter than the minimum RTT only interval −1. The socket keeps
    /// the rate unless the sample is app-limited and slower than what it has.
    /// </summary>
    private void RateGen(int delivered, int lost, bool sackReneging, ref RateSample rate)
    {
        _delivered += (uint)delivered;
        if (_appLimited != 0 && (int)(_delivered - _appLimited) > 0)
        {
            _appLimited = 0;
        }

        long now = NowMicroseconds;
        if (delivered > 0)
        {
            _deliveredMstamp = now;
        }

        rate.AckedSacked = delivered;
        rate.Losses = lost;
        if (rate.PriorMstamp == 0 || sackReneging)
        {
            rate.Delivered = -1;
            rate.IntervalUs = -1;
            return;
        }

        rate.Delivered = (int)(_delivered - rate.PriorDelivered);
        rate.DeliveredCe = 0;
        long sendUs = rate.IntervalUs;
        long ackUs = now - rate.PriorMstamp;
        rate.IntervalUs = Math.Max(sendUs, ackUs);
        rate.SendIntervalUs = sendUs;
        rate.ReceiveIntervalUs = ackUs;
        if (rate.IntervalUs < MinRttMicros)
        {
            rate.IntervalUs = -1;
            return;
        }

        if (!rate.IsAppLimited || (ulong)rate.Delivered * _rateIntervalUs >= (ulong)_rateDelivered * (ulong)rate.IntervalUs)
        {
            _rateDelivered = (uint)rate.Delivered;
            _rateIntervalUs = (uint)rate.IntervalUs;
            _rateAppLimited = rate.IsAppLimited;
        }
    }

    /// <summary>
    /// tcp_rate_check_app_limited (tcp_sendmsg_locked, before the new data is queued): less than an MSS unsent, the
    /// window not full and every lost segment retransmitted means the application is the limit; the bubble lasts
    /// until what is now in flight has been delivered. (The kernel also asks that nothing of the socket wait in a
    /// qdisc or the NIC, sk_wmem_alloc below one skb: the simulator hands segments to the link at once.)
    /// </summary>
    private void CheckAppLimited()
    {
        int inFlight = PacketsInFlight;
        if (_writeSeq - _sndNxt < BoundedMss && inFlight < _cwnd && LostOut <= RetransmissionsOut)
        {
            uint bubble = _delivered + (uint)inFlight;
            _appLimited = bubble != 0 ? bubble : 1;
        }
    }

    /// <summary>tcp_min_rtt in microseconds (~0U before a sample).</summary>
    private long MinRttMicros => _rtt.MinRtt == long.MaxValue ? uint.MaxValue : _rtt.MinRtt / 1000;

    /// <summary>tcp_compute_delivery_rate: rate_delivered segments of mss_cache bytes over rate_interval_us, in bytes a second (0 without a sample).</summary>
    private long DeliveryRate => _rateDelivered != 0 && _rateIntervalUs != 0 ? (long)((ulong)_rateDelivered * (ulong)BoundedMss * 1_000_000UL / _rateIntervalUs) : 0;
}
