using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// RACK loss detection (RFC 8985 as Linux's tcp_recovery.c does it): a segment is lost once a segment sent
/// after it has been delivered and it has stayed unacknowledged for the delivered one's RTT plus a reordering
/// window. The window is zero until reordering is seen while the connection recovers or three segments are
/// SACKed (so a loss is found at once, as with three duplicate ACKs); otherwise, and always once reordering
/// has been seen, it is a quarter of the minimum RTT per step (D-SACKs add steps), at most the smoothed RTT,
/// and a timer marks what was waiting when it runs out (tcp_rack_reo_timeout).
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>TCP_RACK_STATIC_REO_WND in net.ipv4.tcp_recovery: D-SACKs do not widen the window.</summary>
    private const int RackStaticReorderWindow = 0x2;

    /// <summary>TCP_RACK_NO_DUPTHRESH in net.ipv4.tcp_recovery: SACKed segments alone never zero the window.</summary>
    private const int RackNoDuplicateThreshold = 0x4;

    /// <summary>TCP_TIMEOUT_MIN_US: added to the reordering timer so that it fires after the window has passed.</summary>
    private const long ReorderTimerSlack = 2_000_000;

    private LossRecovery? _loss;

    /// <summary>rack.mstamp: when the most recently sent of the delivered segments was sent (long.MinValue: none yet).</summary>
    private long _rackSentAt = long.MinValue;

    /// <summary>rack.rtt_us: the RTT of the most recently delivered segment (in nanoseconds).</summary>
    private long _rackRtt;

    /// <summary>In place of rack.end_seq: the transmission order of rack.mstamp's segment, to order segments sent at the same instant.</summary>
    private uint _rackOrder;

    /// <summary>rack.advanced: a segment was delivered since RACK last looked for losses.</summary>
    private bool _rackAdvanced { get => Has(SocketFlags.RackAdvanced); set => Set(SocketFlags.RackAdvanced, value); }

    /// <summary>The loss-recovery state, created by the first loss, SACK, reordering or retransmission.</summary>
    private LossRecovery LossState => _loss ??= new LossRecovery(_stack.Sysctls.TcpReordering);

    /// <summary>tp->reordering: tcp_reordering until the loss-recovery state has learnt otherwise.</summary>
    private int Reordering => _loss?.Reordering ?? _stack.Sysctls.TcpReordering;

    /// <summary>
    /// tcp_rack_advance: remembers the most recently sent of the delivered segments and the RTT of the one just
    /// delivered. A retransmitted segment delivered within min_rtt of its retransmission is ambiguous (the
    /// original may be what arrived) and is left out.
    /// </summary>
    private void RackAdvance(in SentSegment delivered)
    {
        long rtt = _stack.NowNanoseconds - delivered.SentAt;
        if (delivered.Retransmitted && rtt < _rtt.MinRtt)
        {
            return;
        }

        _rackAdvanced = true;
        _rackRtt = rtt;
        if (SentAfter(delivered.SentAt, delivered.Order, _rackSentAt, _rackOrder))
        {
            _rackSentAt = delivered.SentAt;
            _rackOrder = delivered.Order;
        }
    }

    /// <summary>
    /// tcp_skb_sent_after: whether a transmission at (<paramref name="at"/>, <paramref name="order"/>) came after one at
    /// (<paramref name="otherAt"/>, <paramref name="otherOrder"/>); at one virtual instant, the order of transmission decides.
    /// </summary>
    private static bool SentAfter(long at, uint order, long otherAt, uint otherOrder) =>
        at > otherAt || (at == otherAt && order > otherOrder);

    /// <summary>tcp_rack_reo_wnd, in nanoseconds.</summary>
    private long ReorderWindow()
    {
        if ((_loss?.ReorderSeen ?? 0) == 0)
        {
            if (_caState >= CongestionState.Recovery)
            {
                return 0;
            }

            if (SackedOut >= Reordering && (_stack.Sysctls.TcpRecovery & RackNoDuplicateThreshold) == 0)
            {
                return 0;
            }
        }

        long minRtt = _rtt.MinRtt == long.MaxValue ? long.MaxValue / 1024 : _rtt.MinRtt;
        return Math.Min((minRtt >> 2) * (_loss?.ReorderWindowSteps ?? 1), _rtt.SmoothedNanoseconds);
    }

    /// <summary>
    /// tcp_rack_detect_loss: marks lost every segment (not SACKed, not lost and waiting for its retransmission)
    /// sent before RACK's segment whose time is up; returns the longest any other must still wait (0: none).
    /// </summary>
    private long RackDetectLoss()
    {
        long window = ReorderWindow();
        long now = _stack.NowNanoseconds;
        long wait = 0;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            var sent = _inFlight[i];
            if (sent.Sacked || (sent.Lost && !sent.RetransmissionOut) || !SentAfter(_rackSentAt, _rackOrder, sent.SentAt, sent.Order) || (sent.Flags & TcpFlags.Syn) != 0)
            {
                continue;
            }

            long remaining = _rackRtt + window - (now - sent.SentAt);
            if (remaining <= 0)
            {
                MarkLost(i);
            }
            else
            {
                wait = Math.Max(wait, remaining);
            }
        }

        return wait;
    }

    /// <summary>
    /// tcp_rack_mark_lost: after a delivery, look for losses; if some segments must wait out the reordering
    /// window, arm the reordering timer (in place of the loss probe or RTO, never beyond the RTO). True when
    /// the timer was armed.
    /// </summary>
    private bool RackMarkLost()
    {
        if (!_rackAdvanced)
        {
            return false;
        }

        _rackAdvanced = false;
        long wait = RackDetectLoss();
        if (wait == 0)
        {
            return false;
        }

        ArmRetransmitTimer(RetransmitTimerMode.ReorderTimeout, Math.Min(Jiffies.RoundUp(wait + ReorderTimerSlack), _rto));
        return true;
    }

    /// <summary>
    /// tcp_rack_reo_timeout: the reordering window has passed. What is now found lost is retransmitted, in fast
    /// recovery (entered here if need be); then the RTO is armed from the oldest segment's transmission.
    /// </summary>
    private void OnReorderTimeout()
    {
        if (PacketsOut == 0)
        {
            return;
        }

        int before = PacketsInFlight;
        int lostBefore = _loss?.LostCount ?? 0;
        _ = RackDetectLoss();
        if (before != PacketsInFlight)
        {
            if (_caState != CongestionState.Recovery)
            {
                EnterRecovery();
                if (!CaOps.HasCongControl)
                {
                    ReduceCongestionWindow(1, advanced: false, LossState.LostCount - lostBefore);
                }
            }

            RetransmitLostSegments(reorderTimerPending: true);
        }

        if (_retransmitMode != RetransmitTimerMode.Rto)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, RtoRemainingInJiffies());
        }
    }

    /// <summary>
    /// tcp_mark_skb_lost: a segment neither SACKed nor lost becomes lost; a lost one whose retransmission was
    /// in flight has lost that retransmission (TCPLostRetransmit) and waits for another.
    /// </summary>
    private void MarkLost(int index)
    {
        var sent = _inFlight[index];
        if (sent.Sacked)
        {
            return;
        }

        var loss = LossState;
        if (sent.Lost)
        {
            if (sent.RetransmissionOut)
            {
                sent.RetransmissionOut = false;
                _stack.Counters.LostRetransmits++;
                loss.LostCount++;
            }
        }
        else
        {
            sent.Lost = true;
            loss.LostCount++;
        }

        StoreSent(index, sent);
    }

    /// <summary>
    /// tcp_check_sack_reordering: data below the highest SACK arrived late (<paramref name="lowSeq"/> is the
    /// lowest such sequence): tp->reordering grows to the distance in segments (up to tcp_max_reordering) and
    /// reordering is counted as seen, which from now on keeps RACK's reordering window open.
    /// </summary>
    private void CheckSackReordering(SeqNum lowSeq, bool byTimestamp)
    {
        var fack = HighestSackEnd();
        if (lowSeq >= fack)
        {
            return;
        }

        var loss = LossState;
        long metric = fack - lowSeq;
        int mss = _mssCache;
        if (mss > 0 && metric > (long)loss.Reordering * mss)
        {
            loss.Reordering = (int)Math.Min((metric + mss - 1) / mss, _stack.Sysctls.TcpMaxReordering);
        }

        loss.ReorderSeen++;
        if (byTimestamp)
        {
            _stack.Counters.TimestampReorders++;
        }
        else
        {
            _stack.Counters.SackReorders++;
        }
    }

    /// <summary>
    /// tcp_rack_update_reo_wnd: a D-SACK after reordering was seen (and a round after the last widening) adds a
    /// step to the reordering window, which then persists for 16 recoveries; after those it is one step again.
    /// </summary>
    private void UpdateReorderWindow(in SackTag tag)
    {
        if (_loss is not { } loss || (_stack.Sysctls.TcpRecovery & RackStaticReorderWindow) != 0 || tag.LatestDeliveredSentAt == long.MinValue)
        {
            return;
        }

        if (tag.LatestDeliveredSentAt < loss.ReorderWindowWidenedAt)
        {
            loss.DsackSeen = false;
        }

        if (loss.DsackSeen)
        {
            loss.ReorderWindowSteps = Math.Min(0xFF, loss.ReorderWindowSteps + 1);
            loss.DsackSeen = false;
            loss.ReorderWindowWidenedAt = _stack.NowNanoseconds;
            loss.ReorderWindowPersist = LossRecovery.RecoveryThreshold;
        }
        else if (loss.ReorderWindowPersist == 0)
        {
            loss.ReorderWindowSteps = 1;
        }
    }
}
