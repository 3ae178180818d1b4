using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Loss recovery as Linux 6.x does it (tcp_input.c's tcp_fastretrans_alert, tcp_rack_mark_lost,
/// tcp_cwnd_reduction; tcp_output.c's tcp_xmit_retransmit_queue): deciding which outstanding segments are
/// lost, entering fast recovery, and retransmitting every lost segment as the congestion window allows —
/// in fast recovery paced by proportional rate reduction (RFC 6937), after an RTO (the Loss state) in slow
/// start from one segment. Not modelled: RACK's reordering window and timer (a loss is declared at once
/// once three segments are SACKed or recovery has begun, as when Linux has seen no reordering), F-RTO and
/// the undo of spurious retransmissions, and SACK reneging beyond clearing the marks at an RTO.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>tp->reordering's default (net.ipv4.tcp_reordering): SACKed segments that make RACK's reordering window zero.</summary>
    private const int ReorderingThreshold = 3;

    private LossRecovery? _loss;

    private bool InLossState => _loss is { InLoss: true };

    /// <summary>
    /// tcp_packets_in_flight: segments sent and neither SACKed nor presumed lost (a lost segment that was
    /// retransmitted is in flight again).
    /// </summary>
    private int PacketsInFlight
    {
        get
        {
            if (_loss is null)
            {
                return PacketsOut;
            }

            int count = 0;
            foreach (var sent in _inFlight)
            {
                count += sent.Sacked || sent.Lost ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>
    /// tcp_rack_advance: remembers the most recently sent of the segments an ACK delivered. A retransmitted
    /// segment is left out: Linux takes it only when its RTT is above min_rtt (it could be the original the
    /// peer acknowledged), and without min_rtt here the ambiguity is resolved the safe way.
    /// </summary>
    private void RackAdvance(in SentSegment delivered)
    {
        if (_loss is not { } loss || delivered.Retransmitted)
        {
            return;
        }

        if (delivered.SentAt > loss.RackSentAt || (delivered.SentAt == loss.RackSentAt && delivered.End > loss.RackEnd))
        {
            loss.RackSentAt = delivered.SentAt;
            loss.RackEnd = delivered.End;
        }
    }

    /// <summary>
    /// tcp_fastretrans_alert for one ACK: leave fast recovery or the Loss state once high_seq is
    /// acknowledged, mark what is lost (RACK with SACK, NewReno without), enter fast recovery when
    /// something is, and in fast recovery set the congestion window by PRR. Returns quickly for the usual
    /// ACK of a connection that has seen no loss.
    /// </summary>
    private void OnLossIndications(bool advanced, int delivered, bool duplicate)
    {
        if (_loss is null && !_inRecovery && !duplicate)
        {
            return;
        }

        if (_inRecovery && _sndUna >= _recoveryPoint)
        {
            // tcp_end_cwnd_reduction: recovery ends with the window at ssthresh.
            _inRecovery = false;
            _cwnd = Math.Max(_ssthresh, 2);
        }

        if (InLossState && _sndUna >= _recoveryPoint)
        {
            _loss!.InLoss = false; // tcp_try_undo_recovery: back to Open, the window grown in slow start kept
        }

        int newlyLost = _sackOk ? MarkRackLosses() : MarkRenoLoss(advanced);
        if (!_inRecovery && !InLossState && newlyLost > 0)
        {
            EnterRecovery();
        }

        if (_inRecovery)
        {
            ReduceCongestionWindow(delivered, advanced, newlyLost);
        }
    }

    /// <summary>
    /// tcp_rack_detect_loss with a zero reordering window: a segment neither SACKed nor already presumed
    /// lost is lost when a segment sent after it has been delivered — once fast recovery or the Loss state
    /// has begun, or three segments are SACKed (before that Linux waits a quarter of the minimum RTT, which
    /// is not modelled: the tail loss probe or the RTO finds those losses).
    /// </summary>
    private int MarkRackLosses()
    {
        if (_loss is not { RackSentAt: > long.MinValue } loss)
        {
            return 0;
        }

        if (!_inRecovery && !loss.InLoss && _inFlight.Count(s => s.Sacked) < ReorderingThreshold)
        {
            return 0;
        }

        int marked = 0;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            var sent = _inFlight[i];
            bool sentBefore = loss.RackSentAt > sent.SentAt || (loss.RackSentAt == sent.SentAt && loss.RackEnd > sent.End);
            if (sent.Sacked || sent.Lost || !sentBefore || (sent.Flags & TcpFlags.Syn) != 0)
            {
                continue;
            }

            sent.Lost = true;
            _inFlight[i] = sent;
            marked++;
        }

        return marked;
    }

    /// <summary>
    /// tcp_newreno_mark_lost, for a peer without SACK: the first unacknowledged segment is lost after three
    /// duplicate ACKs, and again after each partial ACK in fast recovery (RFC 6582).
    /// </summary>
    private int MarkRenoLoss(bool advanced)
    {
        bool due = _inRecovery ? advanced : _dupAcks >= ReorderingThreshold;
        if (!due || _inFlight.Count == 0 || _inFlight[0].Lost || (_inFlight[0].Flags & TcpFlags.Syn) != 0)
        {
            return 0;
        }

        _loss ??= new LossRecovery();
        var head = _inFlight[0];
        head.Lost = true;
        _inFlight[0] = head;
        return 1;
    }

    /// <summary>tcp_enter_recovery and tcp_init_cwnd_reduction: ssthresh halves (the Reno model's), PRR starts counting.</summary>
    private void EnterRecovery()
    {
        var loss = _loss!;
        _ssthresh = Math.Max(_cwnd / 2, 2);
        loss.PriorCwnd = _cwnd;
        loss.PrrDelivered = 0;
        loss.PrrOut = 0;
        _cwndCounter = 0;
        _recoveryPoint = _sndNxt;
        _inRecovery = true;
        _tlpOutstanding = false;
    }

    /// <summary>
    /// tcp_cwnd_reduction (RFC 6937): while more is in flight than ssthresh, send in proportion to what was
    /// delivered (ssthresh / prior_cwnd of it); below ssthresh, catch up by what was delivered (slow start
    /// reduction bound). At least one segment on entering recovery: the fast retransmission.
    /// </summary>
    private void ReduceCongestionWindow(int delivered, bool advanced, int newlyLost)
    {
        var loss = _loss!;
        if (delivered <= 0 || loss.PriorCwnd == 0)
        {
            return;
        }

        int inFlight = PacketsInFlight;
        int delta = _ssthresh - inFlight;
        loss.PrrDelivered += delivered;
        int sendCount;
        if (delta < 0)
        {
            sendCount = (int)((((long)_ssthresh * loss.PrrDelivered) + loss.PriorCwnd - 1) / loss.PriorCwnd) - loss.PrrOut;
        }
        else
        {
            sendCount = Math.Max(loss.PrrDelivered - loss.PrrOut, delivered);
            if (advanced && newlyLost == 0)
            {
                sendCount++;
            }

            sendCount = Math.Min(delta, sendCount);
        }

        sendCount = Math.Max(sendCount, loss.PrrOut == 0 ? 1 : 0);
        _cwnd = inFlight + sendCount;
    }

    /// <summary>
    /// tcp_xmit_retransmit_queue: retransmits the segments presumed lost, oldest first, while the congestion
    /// window has room, stopping at the first the host or the peer's window does not let out; a
    /// retransmitted first segment restarts the RTO.
    /// </summary>
    private void RetransmitLostSegments()
    {
        if (_loss is null || PacketsOut == 0 || _state is TcpState.SynSent or TcpState.SynReceived)
        {
            return;
        }

        int inFlight = PacketsInFlight;
        bool restartRto = false;
        for (int i = 0; i < _inFlight.Count && inFlight < _cwnd; i++)
        {
            var sent = _inFlight[i];
            if (!sent.Lost || sent.Sacked)
            {
                continue;
            }

            var status = Retransmit(i, InLossState ? RetransmissionKind.Timeout : RetransmissionKind.Fast);
            StampFirstRetransmission();
            if (status != SendStatus.Sent)
            {
                break;
            }

            if (InLossState)
            {
                _stack.Counters.SlowStartRetransmits++;
            }
            else
            {
                _stack.Counters.FastRetransmits++;
            }

            inFlight++;
            if (_inRecovery)
            {
                _loss.PrrOut++;
            }

            restartRto |= i == 0;
        }

        if (restartRto)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, _rto);
        }
    }

    /// <summary>
    /// tcp_enter_loss (with tcp_timeout_mark_lost): on an RTO everything outstanding is presumed lost but
    /// what was SACKed and what was sent less than an RTT ago (RACK's rule; the smoothed RTT stands in for
    /// RACK's); if the first segment was SACKed the peer reneged and every SACK mark goes. ssthresh is cut
    /// once per episode, the window restarts from what is still in flight plus one, and the Loss state
    /// lasts until everything sent so far is acknowledged.
    /// </summary>
    private void EnterLoss()
    {
        var loss = _loss ??= new LossRecovery();
        bool freshEpisode = (!_inRecovery && !loss.InLoss) || _sndUna >= _recoveryPoint || (loss.InLoss && _retransmits == 0);
        if (freshEpisode)
        {
            _ssthresh = Math.Max(_cwnd / 2, 2);
        }

        long now = _stack.NowNanoseconds;
        bool reneged = _inFlight.Count > 0 && _inFlight[0].Sacked;
        for (int i = 0; i < _inFlight.Count; i++)
        {
            var sent = _inFlight[i];
            sent.Sacked &= !reneged;
            bool recent = i > 0 && _rtt.HasSample && now - sent.SentAt < _rtt.SmoothedNanoseconds;
            sent.Lost = !sent.Sacked && !recent;
            _inFlight[i] = sent;
        }

        _cwnd = PacketsInFlight + 1;
        _cwndCounter = 0;
        _inRecovery = false;
        _dupAcks = 0;
        _tlpOutstanding = false;
        loss.InLoss = true;
        _recoveryPoint = _sndNxt;
    }

    /// <summary>
    /// __tcp_retransmit_skb's window rule: a segment wholly beyond the peer's window is not sent again,
    /// unless it is the first unacknowledged one (it then serves as a window probe); one reaching past the
    /// window is cut to it (to whole segments when the window holds one), the rest staying queued. False
    /// when the segment must wait.
    /// </summary>
    private bool FitRetransmissionToWindow(int index)
    {
        var sent = _inFlight[index];
        int mss = CurrentMss;
        long available = (_sndUna + (int)_sndWnd) - sent.Seq;
        if (available <= 0)
        {
            if (sent.Seq != _sndUna)
            {
                return false;
            }

            available = mss;
        }

        int allowed = mss;
        if (allowed > available)
        {
            allowed = (int)(available / mss * mss);
            allowed = allowed == 0 ? (int)available : allowed;
        }

        if (sent.DataLength > allowed)
        {
            SplitSentSegment(index, allowed);
        }

        return true;
    }

    /// <summary>tcp_fragment in the retransmission queue: the first <paramref name="length"/> bytes become their own segment; FIN and PSH stay on the rest.</summary>
    private void SplitSentSegment(int index, int length)
    {
        var head = _inFlight[index];
        var tail = head;
        tail.Seq = head.Seq + length;
        head.End = tail.Seq;
        head.Flags &= ~(TcpFlags.Fin | TcpFlags.Psh);
        _inFlight[index] = head;
        _inFlight.Insert(index + 1, tail);
    }
}
