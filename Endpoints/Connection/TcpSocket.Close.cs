using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>close(), shutdown(), TIME_WAIT and the end of a connection (tcp_close, tcp_shutdown, tcp_time_wait, tcp_done).</summary>
internal sealed partial class TcpSocket
{
    private IActorRef? _closeRequester { get => _waits?.CloseRequester; set => WaitsFor(value)?.CloseRequester = value; }

    /// <summary>
    /// tcp_close: unread data → RST (RFC 2525 2.17; the peer sees ECONNRESET, no TIME_WAIT anywhere);
    /// SO_LINGER {1,0} → RST; otherwise FIN as the state requires. With SO_LINGER {1,N} close() returns
    /// when the FIN is acknowledged or N seconds have passed — and returns 0 either way on Linux (BSD's
    /// EWOULDBLOCK, quoted in seed 003, does not apply). The socket is then an orphan: the kernel
    /// finishes the close on its own, and a close()d FIN_WAIT2 lives tcp_fin_timeout.
    /// </summary>
    private void OnClose(IActorRef? requester)
    {
        if (_orphaned)
        {
            requester?.Tell(new CommandFailed(Close.Instance, Errno.EINVAL), Self);
            return;
        }

        // The application has let go of the socket: nothing it does from here on is reported to it
        // (an abort's ECONNRESET goes nowhere; close() itself returns 0).
        _handler = null;
        _sendShutdown = true;
        _receiveShutdown = true;
        if (_state == TcpState.Listen)
        {
            StopListening();
            SetState(TcpState.Closed, "close() of a listener");
            Orphan(requester);
            return;
        }

        long unread = _receiveQueue?.DiscardAll() ?? 0;
        _pendingReads?.Clear();
        if (_state == TcpState.Closed)
        {
            Orphan(requester);
            return;
        }

        if (unread > 0)
        {
            _stack.Counters.AbortOnClose++;
            SendActiveReset();
            Done(Errno.None, $"close() with {unread} unread bytes: reset instead of FIN");
        }
        else if (_options.Linger is { Enabled: true, Seconds: 0 })
        {
            // __tcp_close counts a zero-linger abort as TCPAbortOnData, not TCPAbortOnLinger.
            _stack.Counters.AbortOnData++;
            Disconnect("close() with SO_LINGER {1,0}");
        }
        else
        {
            CloseState("close()");
        }

        bool lingering = _options.Linger is { Enabled: true, Seconds: > 0 } && _state is TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck;
        if (lingering)
        {
            _closeRequester = requester;
            StartSingleTimer(TimerExpired.Linger, TimerExpired.Linger, Duration.FromSeconds(_options.Linger.Seconds));
            _orphanPending = true;
            return;
        }

        Orphan(requester);
    }

    private bool _orphanPending { get => Has(SocketFlags.OrphanPending); set => Set(SocketFlags.OrphanPending, value); }

    /// <summary>The application let go: close() returns; the kernel keeps the connection until it ends.</summary>
    private void Orphan(IActorRef? requester)
    {
        _orphaned = true;
        _orphanPending = false;
        requester?.Tell(Closed.Instance, Self);
        _handler = null;
        // tcp_close's FIN_WAIT2 case: the keepalive timer (sk_timer) is reused for the FIN_WAIT2 timeout.
        if (_state == TcpState.FinWait2)
        {
            long timeout = FinTimeout();
            if (timeout > TimeWaitDecision.TimeWaitLengthNanoseconds)
            {
                StartKeepaliveTimer(timeout - TimeWaitDecision.TimeWaitLengthNanoseconds);
            }
            else
            {
                EnterTimeWait(TimeWaitSubstate.FinWait2, timeout);
                return;
            }
        }

        if (_state == TcpState.Closed)
        {
            Context.Stop(Self);
        }
    }

    /// <summary>A lingering close() returns once the FIN is acknowledged, or when SO_LINGER's time is up (returning 0 regardless).</summary>
    private void CompleteLingeringClose(bool timedOut = false)
    {
        if (!_orphanPending)
        {
            return;
        }

        if (timedOut || _state is not (TcpState.FinWait1 or TcpState.Closing or TcpState.LastAck))
        {
            CancelTimer(TimerExpired.Linger);
            var requester = _closeRequester;
            _closeRequester = null;
            Orphan(requester);
        }
    }

    /// <summary>tcp_close_state: the state close() or shutdown(SHUT_WR) moves to, sending a FIN where one is due.</summary>
    private void CloseState(string reason)
    {
        switch (_state)
        {
            case TcpState.Established or TcpState.SynReceived:
                QueueFin();
                SetState(TcpState.FinWait1, reason);
                PushPendingData();
                break;
            case TcpState.CloseWait:
                QueueFin();
                SetState(TcpState.LastAck, reason);
                PushPendingData();
                break;
            case TcpState.SynSent:
                Done(Errno.None, reason + " while connecting");
                break;
        }
    }

    private void QueueFin()
    {
        if (!_finQueued)
        {
            _finQueued = true;
            if (_writeQueue.IsEmpty)
            {
                // tcp_send_fin: no unsent sk_buff to carry it, so the FIN is a new one, queued (tcp_queue_skb).
                ChronoStartBusy();
            }
        }
    }

    /// <summary>tcp_disconnect: abort with RST in the states that need one, then CLOSED.</summary>
    private void Disconnect(string reason)
    {
        bool needReset = _state is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.SynReceived
            || (_sndNxt != _writeSeq && _state is TcpState.Closing or TcpState.LastAck);
        if (needReset)
        {
            SendActiveReset();
        }

        Done(needReset || _state == TcpState.SynSent ? Errno.ECONNRESET : Errno.None, reason);
    }

    /// <summary>
    /// shutdown(): SHUT_RD only stops reading (Linux keeps accepting and returning data, and sends
    /// nothing); SHUT_WR sends a FIN; SHUT_RDWR both. ENOTCONN on a socket that is not connected.
    /// </summary>
    private void OnShutdown(Shutdown command, IActorRef? requester)
    {
        if (_state is TcpState.Closed or TcpState.Listen && !(_state == TcpState.Listen && command.How != ShutdownHow.Write))
        {
            requester?.Tell(new CommandFailed(command, Errno.ENOTCONN), Self);
            return;
        }

        if (command.How is ShutdownHow.Read or ShutdownHow.Both)
        {
            _receiveShutdown = true;
        }

        if (_state == TcpState.Listen)
        {
            StopListening();
            SetState(TcpState.Closed, "shutdown() of a listener");
        }
        else if (command.How is ShutdownHow.Write or ShutdownHow.Both)
        {
            _sendShutdown = true;
            if (_state is TcpState.Established or TcpState.SynSent or TcpState.SynReceived or TcpState.CloseWait)
            {
                CloseState("shutdown(" + (command.How == ShutdownHow.Write ? "SHUT_WR" : "SHUT_RDWR") + ")");
            }
        }

        requester?.Tell(new ShutdownDone(command.How), Self);
        DeliverToApplication();
    }

    /// <summary>
    /// tcp_time_wait: the connection leaves a compact timewait behind (if tcp_max_tw_buckets allows) and
    /// the full socket closes. TIME_WAIT lasts 60 s; a FIN_WAIT2 timewait lasts tcp_fin_timeout.
    /// </summary>
    private void EnterTimeWait(TimeWaitSubstate substate, long timeout)
    {
        long now = _stack.NowNanoseconds;
        var entry = new TimeWaitEntry
        {
            Substate = substate,
            ReuseAddress = _options.ReuseAddress,
            HasTimestamps = _tsOk && _tsRecentStamp != Never,
            ReceiveWindowScale = _rcvWscale,
            RcvNxt = _rcvNxt,
            SndNxt = _sndNxt,
            ReceiveWindow = (uint)Math.Max(0, (_rcvWup + (int)_rcvWnd) - _rcvNxt),
            TsRecent = _tsRecent,
            TsOffset = _tsOffset,
            TsRecentStampNanoseconds = _tsRecentStamp,
            EnteredNanoseconds = now,
            // The FIN_WAIT2 timeout comes from the caller as Linux computes it (tcp_fin_time, or its excess
            // over 60 s after the keepalive phase); TIME_WAIT is always TCP_TIMEWAIT_LEN.
            DeadlineNanoseconds = now + (substate == TimeWaitSubstate.TimeWait ? TimeWaitDecision.TimeWaitLengthNanoseconds : timeout),
        };
        entry.AckedRcvNxt = _lastAckSent is { } last && last.Ack == _rcvNxt && last.Window == entry.WindowField;
        var tuple = _tuple;
        var target = substate == TimeWaitSubstate.TimeWait ? TcpState.TimeWait : TcpState.FinWait2;
        if (target == TcpState.TimeWait)
        {
            SetState(TcpState.TimeWait, "entered TIME_WAIT");
        }

        // The timewait replaces this socket in the tables and keeps its port.
        if (_inConnectionTable)
        {
            _stack.RemoveConnection(tuple, this);
            _inConnectionTable = false;
        }

        ReleasePort();
        if (!_stack.EnterTimeWait(tuple, entry))
        {
            _stack.PublishStateChange(tuple, target, TcpState.Closed, "no TIME_WAIT kept: tcp_max_tw_buckets reached (TCPTimeWaitOverflow)");
        }

        // From here the connection lives on as the timewait, which publishes its own end.
        _handedToTimeWait = true;

        Done(Errno.None, substate == TimeWaitSubstate.TimeWait ? "the full socket closes; a timewait remains" : "orphaned FIN_WAIT2 handed to a timewait");
    }

    /// <summary>
    /// tcp_done: the connection is over. Timers stop, the port is released (unless the application bound
    /// it explicitly and still holds the socket), waiting calls return, an orphan disappears.
    /// </summary>
    private void Done(Errno errno, string reason)
    {
        if (errno != Errno.None)
        {
            _pendingError = errno;
            _stack.PublishSocketError(_tuple, errno, reason);
        }

        CancelTimer(TimerExpired.Retransmit);
        CancelTimer(TimerExpired.DelayedAck);
        CancelTimer(TimerExpired.Keepalive);
        _retransmitMode = RetransmitTimerMode.None;
        if (_state != TcpState.Closed)
        {
            SetState(TcpState.Closed, reason);
        }

        _sendShutdown = true;
        _receiveShutdown = true;
        if (_listener is not null)
        {
            _listener.ForgetChild(this);
        }

        if (!_explicitlyBound || _orphaned)
        {
            ReleasePort();
        }

        FailPendingCalls(errno);
        if (_orphaned || (_listener is not null && !_accepted))
        {
            Context.Stop(Self);
        }
        else
        {
            CompleteLingeringClose(timedOut: true);
        }
    }
}
