namespace TcpActors.Endpoints;

/// <summary>
/// Whether the congestion window is in use, and what idleness does to it (net/ipv4/tcp_output.c: tcp_cwnd_validate,
/// tcp_cwnd_application_limited, tcp_slow_start_after_idle_check, tcp_cwnd_restart; include/net/tcp.h:
/// tcp_is_cwnd_limited; RFC 2861, RFC 7661's spirit). An ACK may only grow the window if the sender has been using
/// it: a request of one segment on an idle connection does not open the initial window further; and a window the
/// application has left unused for an RTO shrinks halfway toward what it used. This is Linux with a congestion
/// control that has no cong_control hook (reno, cubic): one that has (bbr) skips both rules.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>tp->is_cwnd_limited: a send in the current window stopped because the window was full.</summary>
    private bool _isCwndLimited { get => Has(SocketFlags.IsCwndLimited); set => Set(SocketFlags.IsCwndLimited, value); }

    /// <summary>tp->max_packets_out: the most segments out at once in the current window.</summary>
    private int _maxPacketsOut;

    /// <summary>tp->cwnd_usage_seq: where the current window of that tracking ends.</summary>
    private Network.SeqNum _cwndUsageSeq;

    /// <summary>tp->snd_cwnd_used: the most segments out at once since the window was last full or shrunk.</summary>
    private int _cwndUsed;

    /// <summary>
    /// tp->snd_cwnd_stamp: when the window was last full, grew or was set (an ACK through tcp_cong_avoid, a loss,
    /// the end of a reduction, a restart); an RTO after it an application-limited window shrinks.
    /// </summary>
    private long _cwndStamp;

    /// <summary>tp->lsndtime: when the last segment carrying data (or a retransmission) left.</summary>
    private long _lastDataSentAt = Never;

    /// <summary>
    /// tcp_is_cwnd_limited: the window was full at some send of the current window, or (in slow start) it is
    /// still less than twice the most that was out, so that slow start can double what was really used.
    /// </summary>
    private bool IsCwndLimited => _isCwndLimited || (_cwnd < _ssthresh && _cwnd < 2 * _maxPacketsOut);

    /// <summary>
    /// tcp_cwnd_validate, after tcp_write_xmit: a new window of tracking starts once snd_una passes the last one's
    /// end, or at once if the window is full now or more segments are out than at any time in this window.
    /// </summary>
    private void ValidateCwnd(bool cwndLimited)
    {
        if (_sndUna >= _cwndUsageSeq || cwndLimited || (!_isCwndLimited && PacketsOut > _maxPacketsOut))
        {
            _isCwndLimited = cwndLimited;
            _maxPacketsOut = PacketsOut;
            _cwndUsageSeq = _sndNxt;
        }

        if (IsCwndLimited)
        {
            _cwndUsed = 0;
            _cwndStamp = _stack.NowNanoseconds;
            return;
        }

        _cwndUsed = Math.Max(_cwndUsed, PacketsOut);
        if (_stack.Sysctls.TcpSlowStartAfterIdle != 0 && Jiffies.At(_stack.NowNanoseconds) - Jiffies.At(_cwndStamp) >= Jiffies.At(_rto)
            && !CaOps.HasCongControl)
        {
            ApplicationLimited();
        }
    }

    /// <summary>
    /// tcp_cwnd_application_limited (RFC 2861), in the Open state and with no writer waiting for send-buffer space
    /// (SOCK_NOSPACE): a window larger than what was used, and than the initial window, goes halfway down to it,
    /// ssthresh keeping three quarters of the old window (tcp_current_ssthresh). 40-cwnd-application-limited: a
    /// window of 40 goes to 25, 17 and 13 at sends an RTO after the last ACK.
    /// </summary>
    private void ApplicationLimited()
    {
        if (_caState == CongestionState.Open && _pendingSends is not { Count: > 0 })
        {
            const int InitialWindow = 10;
            int used = Math.Max(_cwndUsed, InitialWindow);
            if (used < _cwnd)
            {
                _ssthresh = CurrentSsthresh();
                _cwnd = (_cwnd + used) >> 1;
            }

            _cwndUsed = 0;
        }

        StampCwnd();
    }

    /// <summary>snd_cwnd_stamp = now, as tcp_cong_avoid, tcp_enter_loss, tcp_end_cwnd_reduction and tcp_undo_cwnd_reduction set it.</summary>
    private void StampCwnd() => _cwndStamp = _stack.NowNanoseconds;

    /// <summary>
    /// tcp_slow_start_after_idle_check and tcp_cwnd_restart (RFC 5681 4.1), when the application queues data on a
    /// connection with nothing in flight that sent nothing for longer than an RTO: the window goes back toward
    /// the initial one, halved per RTO of idleness but never below it, and ssthresh keeps 3/4 of the old window.
    /// </summary>
    private void RestartWindowAfterIdle()
    {
        if (_stack.Sysctls.TcpSlowStartAfterIdle == 0 || PacketsOut > 0 || _lastDataSentAt == Never || CaOps.HasCongControl)
        {
            return;
        }

        long idle = _stack.NowNanoseconds - _lastDataSentAt;
        if (idle <= _rto)
        {
            return;
        }

        CongestionEvent(CaEvent.CwndRestart);
        const int InitialWindow = 10;
        int restart = Math.Min(InitialWindow, _cwnd);
        if (_caState != CongestionState.Recovery)
        {
            _ssthresh = Math.Max(_ssthresh, (_cwnd >> 1) + (_cwnd >> 2));
        }

        int cwnd = _cwnd;
        while ((idle -= _rto) > 0 && cwnd > restart)
        {
            cwnd >>= 1;
        }

        _cwnd = Math.Max(cwnd, restart);
        _cwndCounter = 0;
        _cwndUsed = 0;
        StampCwnd();
    }
}
