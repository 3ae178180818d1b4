using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>Linux's socket timers (net/ipv4/tcp_timer.c): retransmit, delayed ACK, keepalive/FIN_WAIT2, and close()'s linger.</summary>
internal sealed partial class TcpSocket
{
    private void OnTimer(TimerKind kind)
    {
        switch (kind)
        {
            case TimerKind.Retransmit:
                OnRetransmitTimer();
                break;
            case TimerKind.DelayedAck:
                OnDelayedAckTimer();
                break;
            case TimerKind.Keepalive:
                OnKeepaliveTimer();
                break;
            case TimerKind.Linger:
                CompleteLingeringClose(timedOut: true);
                break;
            case TimerKind.CompressedAck:
                OnCompressedAckTimer();
                break;
            case TimerKind.Pacing:
                OnPacingTimer();
                break;
        }
    }

    private void ArmRetransmitTimer(RetransmitTimerMode mode, long delay)
    {
        _retransmitMode = mode;
        StartSingleTimer(TimerExpired.Retransmit, TimerExpired.Retransmit, new Duration(Math.Min(Math.Max(delay, 0), Jiffies.RtoMax)));
    }

    private void OnRetransmitTimer()
    {
        var mode = _retransmitMode;
        _retransmitMode = RetransmitTimerMode.None;
        switch (mode)
        {
            case RetransmitTimerMode.LossProbe:
                SendLossProbe();
                break;
            case RetransmitTimerMode.ZeroWindowProbe:
                OnProbeTimer();
                break;
            case RetransmitTimerMode.SynAck:
                OnSynAckTimer();
                break;
            case RetransmitTimerMode.ReorderTimeout:
                OnReorderTimeout();
                break;
            default:
                OnRetransmitTimeout();
                break;
        }
    }

    /// <summary>
    /// tcp_schedule_loss_probe (RACK-TLP, RFC 8985 7.2): with SACK and not in recovery, probe after
    /// 2·SRTT, plus TCP_RTO_MIN when a single segment is out (the peer may be delaying its ACK), but no
    /// later than the RTO would fire. Otherwise (re)arm the RTO. After an ACK (<paramref name="advancingRto"/>,
    /// tcp_set_xmit_timer) the RTO counts from now; after sending, from the oldest segment's transmission.
    /// </summary>
    private void ScheduleLossProbeOrRto(bool advancingRto = false)
    {
        if (PacketsOut == 0)
        {
            return;
        }

        bool eligible = _stack.Sysctls.TcpEarlyRetrans is 3 or 4 && _sackOk && _caState == CongestionState.Open && _retransmits == 0 && !_tlpOutstanding
            && _state is not (TcpState.SynSent or TcpState.SynReceived);
        if (!eligible)
        {
            if (advancingRto)
            {
                // tcp_rearm_rto after an ACK: a full RTO from now, or what is left of it if a loss probe was due.
                bool probePending = _retransmitMode is RetransmitTimerMode.LossProbe or RetransmitTimerMode.ReorderTimeout;
                ArmRetransmitTimer(RetransmitTimerMode.Rto, probePending ? RtoRemainingInJiffies() : _rto);
            }
            else if (_retransmitMode is not (RetransmitTimerMode.Rto or RetransmitTimerMode.ReorderTimeout))
            {
                ArmRetransmitTimer(RetransmitTimerMode.Rto, RtoRemaining());
            }

            return;
        }

        long timeout = _rtt.HasSample
            ? Jiffies.RoundUp(2 * _rtt.SmoothedNanoseconds) + (PacketsOut == 1 ? Jiffies.RtoMin : Jiffies.TimeoutMin)
            : Jiffies.TimeoutInit;
        long rtoDelta = advancingRto ? _rto : RtoRemaining();
        if (rtoDelta > 0)
        {
            timeout = Math.Min(timeout, Jiffies.RoundUp(rtoDelta));
        }

        ArmRetransmitTimer(RetransmitTimerMode.LossProbe, timeout);
    }

    /// <summary>tcp_rto_delta_us: how far in the future the RTO of the oldest outstanding segment is.</summary>
    private long RtoRemaining() =>
        _inFlight.Count == 0 ? _rto : _inFlight[0].SentAt + _rto - _stack.NowNanoseconds;

    /// <summary>
    /// tcp_send_loss_probe: the next new segment if it fits the peer's window (tcp_snd_wnd_test), with PSH
    /// only where the write put it, else the last segment again (itself kept within the window); then the
    /// RTO from now. A probe that could not be sent leaves the RTO where it was.
    /// </summary>
    private void SendLossProbe()
    {
        if (PacketsOut == 0)
        {
            return;
        }

        var head = _writeQueue.IsEmpty ? default : _writeQueue.Head;
        int unsent = _writeQueue.IsEmpty ? 0 : head.End - _sndNxt;
        int length = Math.Min(unsent, CurrentMss);
        var end = _sndNxt + length;
        bool probed = unsent > 0 && end <= _sndUna + (int)_sndWnd
            ? !PacingHolds() && SendData(length, withFin: _finQueued && end == _writeSeq, push: head.Push && end == head.End, CurrentMss)
            : Retransmit(_inFlight.Count - 1, RetransmissionKind.LossProbe) == SendStatus.Sent;
        if (!probed)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, RtoRemainingInJiffies());
            return;
        }

        _stack.Counters.LossProbes++;
        if (unsent > 0 && end <= _sndUna + (int)_sndWnd)
        {
            _tailProbeRetransmitted = false;
        }

        _tlpOutstanding = true;
        _tlpHighSeq = _sndNxt;
        ArmRetransmitTimer(RetransmitTimerMode.Rto, _rto);
    }

    /// <summary>What is left of the RTO, as tcp_rearm_rto arms it when a probe was due: at least one jiffy.</summary>
    private long RtoRemainingInJiffies() => Jiffies.RoundUp(Math.Max(RtoRemaining(), 1));

    /// <summary>
    /// tcp_retransmit_timer: give up if the budget is spent, else enter loss, retransmit the first
    /// unacknowledged segment and back off (SYN-SENT keeps 1 s for its first tcp_syn_linear_timeouts
    /// retransmissions). A retransmission the host refuses for local congestion (a full queue, a positive
    /// NET_XMIT code) is retried after 500 ms; one an OUTPUT rule refuses (EPERM) backs off as if it had
    /// been lost on the wire. Either way it was attempted, so it starts the give-up clock.
    /// </summary>
    private void OnRetransmitTimeout()
    {
        if (PacketsOut == 0)
        {
            return;
        }

        if (_sndWnd == 0 && !_orphaned && _state is not (TcpState.SynSent or TcpState.SynReceived))
        {
            RetransmitIntoZeroWindow();
            return;
        }

        _stack.Counters.Timeouts++;
        if (WriteTimedOut())
        {
            return;
        }

        EnterLoss();
        _retransmits++;
        _totalRto++;
        int index = _inFlight.FindIndex(s => !s.Sacked);
        var status = Retransmit(Math.Max(index, 0), _state == TcpState.SynSent ? RetransmissionKind.Syn : RetransmissionKind.Timeout);
        StampFirstRetransmission();
        if (status is SendStatus.QueueFull)
        {
            ArmRetransmitTimer(RetransmitTimerMode.Rto, Jiffies.ResourceProbeInterval);
            return;
        }

        if (_state != TcpState.SynSent || _totalRto > _stack.Sysctls.TcpSynLinearTimeouts)
        {
            _backoff++;
            _rto = Math.Min(_rto << 1, Jiffies.RtoMax);
        }

        ArmRetransmitTimer(RetransmitTimerMode.Rto, RtoClampedToUserTimeout());
    }

    /// <summary>TCP_USER_TIMEOUT in nanoseconds, 0 for none.</summary>
    private long UserTimeoutNanoseconds => _options.UserTimeout?.Nanoseconds ?? 0;

    /// <summary>
    /// tcp_clamp_rto_to_user_timeout: with TCP_USER_TIMEOUT the retransmission timer fires no later than the moment
    /// the user timeout ends, counted from the first retransmission (the SYN's send time in SYN-SENT), or one
    /// jiffy from now once it has passed (55-user-timeout-syn: SYN, 1 s, then the 0.5 s left).
    /// </summary>
    private long RtoClampedToUserTimeout()
    {
        long userTimeout = UserTimeoutNanoseconds;
        if (userTimeout <= 0 || _retransStamp == Never)
        {
            return _rto;
        }

        long remaining = userTimeout - (_stack.NowNanoseconds - _retransStamp);
        return remaining <= 0 ? Jiffies.Nanoseconds : Math.Min(_rto, Jiffies.RoundUp(remaining));
    }

    /// <summary>
    /// tcp_clamp_probe0_to_user_timeout: with TCP_USER_TIMEOUT, a window probe is due no later than the user timeout
    /// after the first probe (at least TCP_TIMEOUT_MIN from now).
    /// </summary>
    private long ProbeClampedToUserTimeout(long when)
    {
        long userTimeout = UserTimeoutNanoseconds;
        if (userTimeout <= 0 || _probesStamp == Never)
        {
            return when;
        }

        long elapsed = Math.Max(0, _stack.NowNanoseconds - _probesStamp);
        long remaining = Math.Max(Jiffies.RoundUp(userTimeout) - elapsed, Jiffies.TimeoutMin);
        return Math.Min(remaining, when);
    }

    /// <summary>
    /// tcp_retransmit_timer when the peer has shrunk its window to zero under data in flight: the
    /// retransmission is a window probe and does not spend the tcp_retries2 budget. The connection gives
    /// up only when the peer has been silent for 2 × TCP_RTO_MAX (or TCP_USER_TIMEOUT) and the probing has
    /// lasted as long (tcp_rtx_probe0_timed_out). An orphan is timed out the usual way.
    /// </summary>
    private void RetransmitIntoZeroWindow()
    {
        long now = _stack.NowNanoseconds;
        long limit = 2 * Jiffies.RtoMax;
        long probing = now - (_retransStamp != Never ? _retransStamp : _inFlight[0].SentAt);
        bool userTimedOut = false;
        if (_options.UserTimeout is { } userTimeout)
        {
            userTimedOut = probing > userTimeout.Nanoseconds;
            limit = Math.Min(limit, userTimeout.Nanoseconds);
        }

        if (userTimedOut || (now - _lastAckReceivedTime > limit && probing > limit))
        {
            _stack.Counters.AbortOnTimeout++;
            Done(_softError != Errno.None ? _softError : Errno.ETIMEDOUT, "retransmissions into a zero window gave up");
            return;
        }

        EnterLoss();
        _ = Retransmit(0, RetransmissionKind.Timeout);
        StampFirstRetransmission();
        _backoff++;
        _rto = Math.Min(_rto << 1, Jiffies.RtoMax);
        ArmRetransmitTimer(RetransmitTimerMode.Rto, RtoClampedToUserTimeout());
    }

    /// <summary>
    /// tcp_retransmit_skb: "save stamp of the first (attempted) retransmit" (Linux 6.x). The stamp is
    /// taken whether or not the host let the segment out (the segment's timestamp is set before it is
    /// handed down), so a refused retransmission starts the tcp_retries2 budget like a lost one;
    /// without it the budget would be measured from boot and spent at once. The SYN's stamp is its send
    /// time (tcp_connect), already set.
    /// </summary>
    private void StampFirstRetransmission()
    {
        if (_retransStamp == Never)
        {
            _retransStamp = _stack.NowNanoseconds;
        }
    }

    /// <summary>
    /// tcp_write_timeout: SYN states stop after syn_retries (+ syn_linear_timeouts in SYN-SENT)
    /// retransmissions or the time budget; synchronized states after the tcp_retries2 budget
    /// (tcp_orphan_retries for orphans, where 0 means 8). No reset is sent when giving up.
    /// </summary>
    private bool WriteTimedOut()
    {
        bool expired;
        if (_state is TcpState.SynSent or TcpState.SynReceived)
        {
            int retryUntil = _options.SynCount ?? _stack.Sysctls.TcpSynRetries;
            int maximum = retryUntil + (_state == TcpState.SynSent ? _stack.Sysctls.TcpSynLinearTimeouts : 0);
            expired = _retransmits >= maximum || (UserTimeoutNanoseconds > 0
                ? UserTimedOut()
                : RetransmitsTimedOut(retryUntil, Jiffies.TimeoutInit));
        }
        else
        {
            int retryUntil = _stack.Sysctls.TcpRetries2;
            if (_orphaned)
            {
                retryUntil = OrphanRetries(alive: _rto < Jiffies.RtoMax);
            }

            expired = UserTimeoutNanoseconds > 0 ? UserTimedOut() : RetransmitsTimedOut(retryUntil, Jiffies.RtoMin);
        }

        if (!expired)
        {
            return false;
        }

        _stack.Counters.AbortOnTimeout++;
        if (_state is TcpState.SynSent or TcpState.SynReceived)
        {
            _stack.Counters.AttemptFails++;
        }

        Done(_softError != Errno.None ? _softError : Errno.ETIMEDOUT, "retransmissions gave up");
        return true;
    }

    /// <summary>
    /// retransmits_timed_out with TCP_USER_TIMEOUT as the budget, in every state (tcp_write_timeout falls back to it
    /// in SYN-SENT and SYN-RECV too, before tcp_syn_retries is spent): the user timeout has passed since the first
    /// retransmission, the SYN's send time in SYN-SENT.
    /// </summary>
    private bool UserTimedOut() =>
        _retransmits > 0 && _retransStamp != Never && _stack.NowNanoseconds - _retransStamp >= UserTimeoutNanoseconds;

    /// <summary>tcp_orphan_retries: the sysctl, with 0 meaning 8 while the RTO is below its maximum.</summary>
    private int OrphanRetries(bool alive)
    {
        int retries = _stack.Sysctls.TcpOrphanRetries;
        if (_softError != Errno.None && !alive)
        {
            retries = 0;
        }

        return retries == 0 && alive ? 8 : retries;
    }

    /// <summary>
    /// retransmits_timed_out: the time since the first retransmission (the SYN's send time in SYN-SENT)
    /// against (2^(n+1) − 1)·base, the series capped at 120 s (tcp_model_timeout), in milliseconds.
    /// </summary>
    private bool RetransmitsTimedOut(int boundary, long rtoBase)
    {
        if (_retransmits == 0)
        {
            return false;
        }

        int threshold = (int)Math.Log2(Jiffies.RtoMax / rtoBase);
        long timeout = boundary <= threshold
            ? ((2L << boundary) - 1) * rtoBase
            : (((2L << threshold) - 1) * rtoBase) + ((boundary - threshold) * Jiffies.RtoMax);
        // Every attempted retransmission stamps retrans_stamp; were it unset, Linux would measure from
        // boot (retrans_stamp = 0 on its ms clock) and the budget would be spent at once.
        long elapsedMilliseconds = _retransStamp == Never
            ? _stack.ClockMilliseconds
            : (_stack.NowNanoseconds / 1_000_000) - (_retransStamp / 1_000_000);
        return elapsedMilliseconds >= timeout / 1_000_000;
    }

    /// <summary>
    /// tcp_probe_timer and tcp_send_probe0: the peer's window is zero, or our last send failed locally
    /// (an OUTPUT rule, a full queue): while something waits to be sent — data, or only the FIN — send it
    /// (tcp_write_wakeup) or a window probe, back off, and give up after tcp_retries2 probes
    /// (tcp_orphan_retries for an orphan).
    /// </summary>
    private void OnProbeTimer()
    {
        if (PacketsOut > 0 || !SendHeadPending)
        {
            _probesOut = 0;
            _probesStamp = Never;
            _backoff = 0;
            return;
        }

        // RFC 1122 4.2.2.17 keeps probing as long as the peer answers (each ACK resets the probe count), but with
        // TCP_USER_TIMEOUT the socket gives up that long after the first probe, answered or not.
        bool userTimedOut = false;
        if (_probesStamp == Never)
        {
            _probesStamp = _stack.NowNanoseconds;
        }
        else if (UserTimeoutNanoseconds > 0)
        {
            userTimedOut = _stack.NowNanoseconds - _probesStamp >= Jiffies.RoundUp(UserTimeoutNanoseconds);
        }

        int maximum = _orphaned ? OrphanRetries(alive: true) : _stack.Sysctls.TcpRetries2;
        if (userTimedOut || _probesOut >= maximum)
        {
            _stack.Counters.AbortOnTimeout++;
            Done(Errno.ETIMEDOUT, "zero-window probes gave up");
            return;
        }

        WriteWakeup();

        if (PacketsOut > 0 || !SendHeadPending)
        {
            _probesOut = 0;
            _probesStamp = Never;
            _backoff = 0;
            return;
        }

        _probesOut++;
        if (_backoff < _stack.Sysctls.TcpRetries2)
        {
            _backoff++;
        }

        // tcp_send_probe0 re-arms with the new backoff, replacing whatever a refused send armed.
        ArmRetransmitTimer(RetransmitTimerMode.ZeroWindowProbe, ProbeClampedToUserTimeout(ProbeTimeout));
    }

    /// <summary>
    /// tcp_write_wakeup: when the window has room past snd_nxt, send the head sk_buff, or as much of it as the
    /// window and the MSS allow, always with PSH (a cut head keeps PSH on what stays); else a window probe
    /// (tcp_xmit_probe_skb). A FIN waiting alone goes out as tcp_write_xmit sends it.
    /// </summary>
    private void WriteWakeup()
    {
        int windowRoom = (_sndUna + (int)_sndWnd) - _sndNxt;
        if (_writeQueue.IsEmpty)
        {
            if (_sndWnd > 0)
            {
                PushPendingData();
            }
            else
            {
                SendProbe();
            }

            return;
        }

        if (windowRoom <= 0)
        {
            SendProbe();
            return;
        }

        int skbLength = _writeQueue.Head.End - _sndNxt;
        int mss = CurrentMss;
        int length = Math.Min(windowRoom, skbLength);
        if (length < skbLength || skbLength > mss)
        {
            length = Math.Min(length, mss);
            _writeQueue.MarkHeadPush();
        }

        bool withFin = _finQueued && _sndNxt + length == _writeSeq;
        if (SendData(length, withFin, push: true, mss))
        {
            ScheduleLossProbeOrRto();
        }
    }

    /// <summary>tcp_send_head is not empty: data not yet sent, or a FIN queued but not sent.</summary>
    private bool SendHeadPending => _writeSeq > _sndNxt || (_finQueued && _sndNxt == _writeSeq);

    /// <summary>tcp_probe0_when: the RTO (at least TCP_RTO_MIN) doubled per backoff, at most 120 s.</summary>
    private long ProbeTimeout => Math.Min(Math.Max(_rto, Jiffies.RtoMin) << Math.Min(_backoff, 20), Jiffies.RtoMax);

    /// <summary>
    /// tcp_ack_probe, for an acceptable ACK that found nothing in flight (tcp_ack's no_queue): if the window now
    /// holds the whole head sk_buff the probe timer stops and its backoff is forgotten; if not, the timer is armed
    /// again from now at the current backoff, so each segment of a peer that keeps its window shut puts the next
    /// probe a whole probe interval later (38-probe-sack-zero-window: 0.4 s after one, 0.8 s after the next).
    /// </summary>
    private void AckProbe()
    {
        if (!SendHeadPending)
        {
            return;
        }

        bool finOnHead = _finQueued && _writeQueue.Count <= 1;
        var headEnd = (_writeQueue.IsEmpty ? _sndNxt : _writeQueue.Head.End) + (finOnHead ? 1 : 0);
        if (headEnd <= _sndUna + (int)_sndWnd)
        {
            if (_retransmitMode == RetransmitTimerMode.ZeroWindowProbe)
            {
                CancelTimer(TimerExpired.Retransmit);
                _retransmitMode = RetransmitTimerMode.None;
            }

            _backoff = 0;
            _probesStamp = Never;
            return;
        }

        ArmRetransmitTimer(RetransmitTimerMode.ZeroWindowProbe, ProbeClampedToUserTimeout(ProbeTimeout));
    }

    /// <summary>tcp_check_probe_timer: arm the probe timer (RTO·2^backoff) while data waits for a window.</summary>
    private void ArmZeroWindowProbe()
    {
        if (PacketsOut > 0 || _retransmitMode == RetransmitTimerMode.ZeroWindowProbe)
        {
            return;
        }

        ArmRetransmitTimer(RetransmitTimerMode.ZeroWindowProbe, ProbeTimeout);
    }

    /// <summary>tcp_delack_timer_handler: a delayed ACK that had to be sent alone ends ping-pong mode.</summary>
    private void OnDelayedAckTimer()
    {
        if (!_ackScheduled || _state is TcpState.Closed)
        {
            return;
        }

        if (!_pingpong)
        {
            _ato = Math.Min(_ato << 1, _rto);
        }
        else
        {
            _pingpong = false;
            _ato = Jiffies.AtoMin;
        }

        _stack.Counters.DelayedAcks++;
        SendAck();
    }

    private long KeepaliveTime => (_options.KeepIdleSeconds ?? _stack.Sysctls.TcpKeepaliveTime) * 1_000_000_000L;

    private long KeepaliveInterval => (_options.KeepIntervalSeconds ?? _stack.Sysctls.TcpKeepaliveIntvl) * 1_000_000_000L;

    private int KeepaliveProbes => _options.KeepCount ?? _stack.Sysctls.TcpKeepaliveProbes;

    private void StartKeepaliveTimer(long delay) =>
        StartSingleTimer(TimerExpired.Keepalive, TimerExpired.Keepalive, new Duration(Math.Max(delay, 0)));

    /// <summary>
    /// tcp_keepalive_timer: an orphaned FIN_WAIT2 whose tcp_fin_timeout exceeds 60 s spent the excess on
    /// this timer and now becomes a timewait for that same excess again (so 65 s means 5 + 5 s on Linux,
    /// tests/reference/kernel/11-fin-wait2-close-fin65.txt), or is reset if nothing is left; otherwise,
    /// after keepalive_time idle, a probe every keepalive_intvl; after keepalive_probes unanswered ones the
    /// connection is reset (the one give-up path that sends an RST) with ETIMEDOUT.
    /// </summary>
    private void OnKeepaliveTimer()
    {
        if (_state == TcpState.FinWait2 && _orphaned)
        {
            long remaining = FinTimeout() - TimeWaitDecision.TimeWaitLengthNanoseconds;
            if (remaining > 0)
            {
                EnterTimeWait(TimeWaitSubstate.FinWait2, remaining);
                return;
            }

            SendActiveReset();
            Done(Errno.None, "FIN_WAIT2 timed out with no time left (tcp_keepalive_timer)");
            return;
        }

        if (!_options.KeepAlive || _state is TcpState.Closed or TcpState.SynSent or TcpState.Listen)
        {
            return;
        }

        if (PacketsOut > 0 || _writeSeq > _sndNxt)
        {
            StartKeepaliveTimer(KeepaliveTime);
            return;
        }

        long now = _stack.NowNanoseconds;
        long idle = now - Math.Max(_lastReceiveTime, _lastAckReceivedTime);
        if (idle < KeepaliveTime)
        {
            StartKeepaliveTimer(KeepaliveTime - idle);
            return;
        }

        // With TCP_USER_TIMEOUT the user timeout decides instead of the probe count: give up once that long has
        // passed since the last segment received and a probe is out (55-user-timeout-keepalive).
        long userTimeout = UserTimeoutNanoseconds;
        if (userTimeout > 0 ? idle >= Jiffies.RoundUp(userTimeout) && _probesOut > 0 : _probesOut >= KeepaliveProbes)
        {
            _stack.Counters.AbortOnTimeout++;
            SendActiveReset();
            Done(Errno.ETIMEDOUT, "keepalive probes unanswered");
            return;
        }

        _stack.Counters.KeepaliveProbes++;
        SendProbe();
        _probesOut++;
        StartKeepaliveTimer(KeepaliveInterval);
    }
}
