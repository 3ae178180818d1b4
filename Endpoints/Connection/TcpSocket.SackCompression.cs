using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// SACK compression, the end of __tcp_ack_snd_check: outside quick-ACK mode, with out-of-order data held and SACK
/// on, the first three duplicate ACKs at one rcv_nxt (TCP_FASTRETRANS_THRESH, dup_ack_counter) leave at once so that
/// the sender can fast-retransmit; later ones are held (compressed_ack) for 5 % of the round trip (rcv_rtt_est, or
/// srtt if smaller), at most tcp_comp_sack_delay_ns, and one ACK then stands for them all, carrying the SACK blocks
/// of that moment (tcp_compressed_ack_kick). Any ACK sent meanwhile ends the compression (tcp_event_ack_sent), and
/// no more than tcp_comp_sack_nr are held. The kernel's hrtimer has 100 µs of slack (tcp_comp_sack_slack_ns); the
/// simulator fires it at the delay.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>TCP_FASTRETRANS_THRESH: duplicate ACKs at one rcv_nxt sent before compression starts.</summary>
    private const int SackCompressionThreshold = 3;

    /// <summary>tp->compressed_ack: duplicate ACKs held since the last ACK sent.</summary>
    private int _compressedAcks { get => _loss?.CompressedAcks ?? default; set { if (_loss is not null || value != default) { LossState.CompressedAcks = value; } } }

    /// <summary>tp->dup_ack_counter: duplicate ACKs sent at once at <see cref="_compressedAckRcvNxt"/>.</summary>
    private int _dupAckCounter { get => _loss?.DupAckCounter ?? default; set { if (_loss is not null || value != default) { LossState.DupAckCounter = value; } } }

    /// <summary>tp->compressed_ack_rcv_nxt: the rcv_nxt the counter counts at.</summary>
    private Network.SeqNum _compressedAckRcvNxt { get => _loss?.CompressedAckRcvNxt ?? default; set { if (_loss is not null || value != default) { LossState.CompressedAckRcvNxt = value; } } }

    /// <summary>Whether the ACK owed for out-of-order data is held for compression (false: send it now).</summary>
    private bool HoldForSackCompression()
    {
        var sysctls = _stack.Sysctls;
        if (!_sackOk || _compressedAcks >= sysctls.TcpCompSackNr)
        {
            return false;
        }

        if (_compressedAckRcvNxt != _rcvNxt)
        {
            _compressedAckRcvNxt = _rcvNxt;
            _dupAckCounter = 0;
        }

        if (_dupAckCounter < SackCompressionThreshold)
        {
            _dupAckCounter++;
            return false;
        }

        _compressedAcks++;
        if (!IsTimerActive(TimerExpired.CompressedAck))
        {
            // rtt in µs × 8 (rcv_rtt_est.rtt_us, srtt_us); × (NSEC_PER_USEC >> 3) / 20 is 5 % of it in ns.
            long rtt = _rcvRttUs;
            if (_rtt.HasSample && _rtt.SmoothedMicros8 < rtt)
            {
                rtt = _rtt.SmoothedMicros8;
            }

            long delay = Math.Min(sysctls.TcpCompSackDelayNs, rtt * 125 / 20);
            StartSingleTimer(TimerExpired.CompressedAck, TimerExpired.CompressedAck, new Duration(delay));
        }

        return true;
    }

    /// <summary>tcp_compressed_ack_kick: the held duplicate ACKs leave as one.</summary>
    private void OnCompressedAckTimer()
    {
        if (_compressedAcks > 0 && _state is not (TcpState.Closed or TcpState.TimeWait))
        {
            _compressedAcks--;
            SendAck(AckTrigger.Owed);
        }
    }

    /// <summary>tcp_event_ack_sent: an ACK went out; what was held is counted (TCPACKCompressed) and the timer stopped.</summary>
    private void EndSackCompression()
    {
        if (_compressedAcks > 0)
        {
            _stack.Counters.AcksCompressed += _compressedAcks;
            _compressedAcks = 0;
            CancelTimer(TimerExpired.CompressedAck);
        }
    }
}
