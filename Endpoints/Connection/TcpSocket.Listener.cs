using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The listener role and request sockets (tcp_conn_request, tcp_check_req, reqsk_timer_handler, inet_csk_listen_stop).</summary>
internal sealed partial class TcpSocket
{
    /// <summary>A listener's state (null unless listening).</summary>
    private ListenerState? _listen { get => _role as ListenerState; set => _role = Role(value, _listener); }

    /// <summary>A request socket's or an accepted child's listener (null for every other socket).</summary>
    private TcpSocket? _listener { get => _role is RequestState request ? request.Listener : _role as TcpSocket; set => _role = Role(value, _listen); }

    /// <summary>
    /// _listen or _listener, which one socket never has both of (one field for the two: 8 bytes a socket); a request
    /// socket's listener sits in its <see cref="RequestState"/>, and a connecting socket's connect() in a
    /// <see cref="PendingConnect"/> (neither listener nor child).
    /// </summary>
    private object? _role;

    private static object? Role(object? value, object? other) =>
        value is not null && other is not null ? throw new InvalidOperationException("a socket is a listener or a listener's child, not both") : value ?? other;
    private bool _accepted { get => Has(SocketFlags.Accepted); set => Set(SocketFlags.Accepted, value); }

    /// <summary>What a listening socket holds: the request sockets (SYN queue) and the accept queue.</summary>
    private sealed class ListenerState(int backlog)
    {
        public int Backlog { get; } = backlog;

        public List<TcpSocket> Requests { get; } = [];

        public List<TcpSocket> AcceptQueue { get; } = [];

        public Queue<(IActorRef? Requester, Accept Command)> WaitingAccepts { get; } = new();

        /// <summary>An accept() that never returns for good (<see cref="Accept.Continuously"/>), served after the waiting ones.</summary>
        public (IActorRef? Requester, Accept Command)? Continuous { get; set; }

        public long LastCookieTime { get; set; } = Never;

        /// <summary>sk_acceptq_is_full: more established children waiting than the backlog (so listen(1) holds 2).</summary>
        public bool AcceptQueueFull => AcceptQueue.Count > Backlog;

        /// <summary>inet_csk_reqsk_queue_is_full: more requests than the backlog.</summary>
        public bool RequestQueueFull => Requests.Count > Backlog;
    }

    private void OnListen(Listen command, IActorRef? requester)
    {
        if (_state == TcpState.Listen)
        {
            requester?.Tell(new Listening(new SocketAddress(_boundAddress, _localPort)), Self);
            return;
        }

        if (_state != TcpState.Closed || _orphaned || _inConnectionTable)
        {
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
            return;
        }

        if (!_holdsPort)
        {
            // listen() on an unbound socket binds an ephemeral port first (inet_autobind).
            if (_stack.Ports.ChooseForBind(this) is not { } port)
            {
                requester?.Tell(new CommandFailed(command, Errno.EADDRINUSE), Self);
                return;
            }

            HoldPort(port, byConnect: false);
        }

        _listen = new ListenerState(Math.Min(Math.Max(command.Backlog, 0), _stack.Sysctls.Somaxconn));
        _state = TcpState.Listen;
        if (_stack.Binds.Conflicts(_localPort, this, asListener: true))
        {
            _state = TcpState.Closed;
            _listen = null;
            requester?.Tell(new CommandFailed(command, Errno.EADDRINUSE), Self);
            return;
        }

        _state = TcpState.Closed;
        _tuple = new FourTuple(_boundAddress, _localPort, IPv4Address.Any, 0);
        SetState(TcpState.Listen, "listen()");
        _stack.AddListener(this);
        requester?.Tell(new Listening(new SocketAddress(_boundAddress, _localPort)), Self);
    }

    private void OnAccept(Accept command, IActorRef? requester)
    {
        if (_listen is null)
        {
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
            return;
        }

        if (command.Continuously)
        {
            _listen.Continuous = (requester, command);
        }
        else
        {
            _listen.WaitingAccepts.Enqueue((requester, command));
        }

        ServeAccepts();
    }

    private void ServeAccepts()
    {
        while (_listen is { AcceptQueue.Count: > 0 } listen && (listen.WaitingAccepts.Count > 0 || listen.Continuous is not null))
        {
            var child = listen.AcceptQueue[0];
            listen.AcceptQueue.RemoveAt(0);
            var (requester, command) = listen.WaitingAccepts.Count > 0 ? listen.WaitingAccepts.Dequeue() : listen.Continuous!.Value;
            child._accepted = true;
            requester?.Tell(ReplySpares.Accepted(child.Self, child._tuple.Local, child._tuple.Remote), child.Self);
            if (command.Handler is { } handler)
            {
                // Registered after the reply is queued, so the handler hears of the connection before its data. The
                // child is often still handling the segment that completed it: the handler is set at once (the
                // kernel's accept() hands over a socket whatever it is doing), and its data follows as it is queued.
                child.AttachHandler(handler, autoRead: true);
            }
        }
    }

    private void OnListenerSegment(Segment segment) => OnListenerSyn(segment, null);

    /// <summary>LISTEN (tcp_rcv_state_process, tcp_conn_request): SYNs open requests; an ACK is a SYN cookie or gets a reset.</summary>
    private void OnListenerSyn(Segment segment, SeqNum? timeWaitIsn)
    {
        var tuple = segment.ReceiverTuple;
        if (_listen is null)
        {
            _stack.SendReset(segment);
            return;
        }

        if (_stack.HasConnection(tuple) && timeWaitIsn is null)
        {
            // A request for this 4-tuple appeared after the segment was queued to us.
            _stack.DeliverToConnection(tuple, segment);
            return;
        }

        if (segment.IsRst)
        {
            _stack.Drop(segment, "RST to a listener");
            return;
        }

        if (segment.HasAck)
        {
            if (!segment.IsSyn && TryCookieAck(segment))
            {
                return;
            }

            _stack.Drop(segment, "ACK to a listener with no request");
            _stack.SendReset(segment);
            return;
        }

        if (!segment.IsSyn || segment.IsFin)
        {
            _stack.Drop(segment, "not a SYN");
            return;
        }

        var sysctls = _stack.Sysctls;
        bool wantCookie = (sysctls.TcpSyncookies == 2 || _listen.RequestQueueFull) && timeWaitIsn is null;
        if (wantCookie && sysctls.TcpSyncookies == 0)
        {
            _stack.Counters.ListenDrops++;
            _stack.Drop(segment, "SYN queue full");
            return;
        }

        if (_listen.AcceptQueueFull)
        {
            _stack.Counters.ListenOverflows++;
            _stack.Counters.ListenDrops++;
            _stack.Drop(segment, "accept queue full: SYN dropped");
            return;
        }

        if (wantCookie)
        {
            SendCookieSynAck(segment);
            return;
        }

        var child = _stack.CreateSocket(_options);
        _listen.Requests.Add(child);
        child.StartAsRequest(this, segment, timeWaitIsn ?? _stack.InitialSequenceNumber(tuple));
    }

    /// <summary>A request socket: remembers its listener, answers the SYN, and waits for the third ACK.</summary>
    private void StartAsRequest(TcpSocket listener, Segment syn, SeqNum isn)
    {
        BeginRequest(listener);
        _tuple = syn.ReceiverTuple;
        _boundAddress = listener._boundAddress;
        HoldPort(listener._localPort, byConnect: false);
        _irs = syn.Seq;
        _rcvNxt = syn.Seq + 1;
        CountReceived(syn);
        _iss = isn;
        _sndUna = isn;
        _sndNxt = isn + 1;
        _writeSeq = isn + 1;
        _pushedSeq = _writeSeq;
        _wscaleOk = _stack.Sysctls.TcpWindowScaling == 1;
        TakePeerSynOptions(syn);
        _sndWnd = syn.Window;
        _advMss = AdvertisedMss(_tuple.RemoteAddress);
        _mssCache = Math.Min(_mssCache, _advMss - (_tsOk ? 12 : 0));
        SelectInitialWindow(_advMss - (_tsOk ? 12 : 0));
        _tsOffset = _stack.TimestampOffset(_tuple.LocalAddress, _tuple.RemoteAddress);
        _ipId = (ushort)_stack.Random.NextInt32(65536);
        _stack.AddConnection(_tuple, this);
        _inConnectionTable = true;
        SetState(TcpState.SynReceived, "SYN received by a listener");
        _inFlight.Add(new SentSegment { Seq = _iss, End = _iss + 1, Flags = TcpFlags.Syn | TcpFlags.Ack, SentAt = _stack.NowNanoseconds }, _stack.SentSegments);
        SendSyn(withAck: true, retransmission: false);
        ArmRetransmitTimer(RetransmitTimerMode.SynAck, Jiffies.TimeoutInit);
    }

    /// <summary>tcp_check_req: what a request socket does with the next segment of its 4-tuple.</summary>
    private void OnRequestSegment(Segment segment)
    {
        bool pawsReject = _tsOk && segment.Options.HasTimestamps && PawsReject(segment);
        if (segment.Seq == _irs && segment.Flags == TcpFlags.Syn && !pawsReject)
        {
            ResendSynAckForRepeatedSyn(segment);
            return;
        }

        // Linux 6.15+ (tsecr_reject): a TS ecr that no SYN-ACK of the request carried makes the segment unacceptable.
        pawsReject |= _tsOk && segment.Options.HasTimestamps && segment.Options.TsEcr != 0 && !EchoesASynAck(segment.Options.TsEcr);
        if (segment.IsRst)
        {
            OnRequestReset(segment, pawsReject);
            return;
        }

        if (segment.HasAck && segment.Ack != _iss + 1)
        {
            _stack.Drop(segment, "ACK of something other than our SYN-ACK");
            _stack.SendReset(segment);
            return;
        }

        if (pawsReject || !TimeWaitDecision.InWindow(segment.Seq, segment.EndSeq, _rcvNxt, _rcvNxt + (int)_rcvWnd))
        {
            SendOutOfWindowAck(segment);
            return;
        }

        if (segment.IsSyn)
        {
            _stack.Counters.AttemptFails++;
            _stack.SendReset(segment);
            Done(Errno.None, "SYN in SYN-RECV");
            return;
        }

        if (!segment.HasAck)
        {
            _stack.Drop(segment, "no ACK in SYN-RECV");
            return;
        }

        if (_listener is { _listen.AcceptQueueFull: true } listener)
        {
            OnAcceptQueueOverflow(segment, listener);
            return;
        }

        CompleteHandshake(segment);
    }

    /// <summary>between(ecr, snt_tsval_first, snt_tsval_last), with wrap-around.</summary>
    private bool EchoesASynAck(uint tsEcr) => unchecked(_synAckTsValLast - _synAckTsValFirst >= tsEcr - _synAckTsValFirst);

    /// <summary>tcp_synack_options: remembers the TS val a request's SYN-ACK carries (the first one, and the latest).</summary>
    private void NoteSynAckTsVal(uint tsVal)
    {
        if (_synAckTsValFirst == 0)
        {
            _synAckTsValFirst = tsVal == 0 ? uint.MaxValue : tsVal;
        }

        _synAckTsValLast = tsVal == 0 && _synAckTsValFirst == uint.MaxValue ? uint.MaxValue : tsVal;
    }

    /// <summary>
    /// An RST at a request socket, as Linux 6.18 measured (67-request-rst), whatever its ACK field: out of the window
    /// (or failing PAWS) it is dropped; at rcv_nxt it drops the request silently; elsewhere in the window it draws an
    /// ACK (RFC 5961's challenge), limited like the request's other out-of-window ACKs (one per tcp_invalid_ratelimit,
    /// the same stamp), and the request stays, its SYN-ACK timer untouched.
    /// </summary>
    private void OnRequestReset(Segment segment, bool pawsReject)
    {
        if (pawsReject || !TimeWaitDecision.InWindow(segment.Seq, segment.EndSeq, _rcvNxt, _rcvNxt + (int)_rcvWnd))
        {
            _stack.Drop(segment, "RST out of the request's window");
            return;
        }

        if (segment.Seq != _rcvNxt)
        {
            SendOutOfWindowAck(segment);
            return;
        }

        _stack.Counters.AttemptFails++;
        Done(Errno.None, "RST in SYN-RECV");
    }

    /// <summary>The third ACK finds the accept queue full: dropped (the SYN-ACK timer keeps resending), or reset with tcp_abort_on_overflow.</summary>
    private void OnAcceptQueueOverflow(Segment segment, TcpSocket listener)
    {
        _stack.Counters.ListenOverflows++;
        _stack.Counters.ListenDrops++;
        if (_stack.Sysctls.TcpAbortOnOverflow == 0)
        {
            // Linux marks the request "acked" and keeps it: its SYN-ACK timer goes on resending.
            _stack.Drop(segment, "accept queue full: third ACK dropped");
            return;
        }

        _stack.SendReset(segment);
        listener.ForgetChild(this);
        Done(Errno.None, "accept queue full (tcp_abort_on_overflow=1)");
    }

    private void CompleteHandshake(Segment segment)
    {
        if (_tsOk && segment.Options.HasTimestamps)
        {
            _tsRecent = segment.Options.TsVal;
            _tsRecentStamp = _stack.NowNanoseconds;
        }

        CancelTimer(TimerExpired.Retransmit);
        _retransmitMode = RetransmitTimerMode.None;
        _sndWl1 = segment.Seq;
        _sndWl2 = segment.Ack;
        _sndWnd = (uint)segment.Window << _sndWscale;
        _maxWindow = _sndWnd;
        AcknowledgeUpTo(segment.Ack, segment);
        _retransmits = 0;
        _stack.Counters.PassiveOpens++;
        InitBufferSpace();
        InitCongestionControl();
        SetState(TcpState.Established, "third ACK received");
        UpdatePacingRateUnlessCongControl();
        _lastAckReceivedTime = _stack.NowNanoseconds;
        if (_options.KeepAlive)
        {
            StartKeepaliveTimer(KeepaliveTime);
        }

        EndRequest();
        _listener!.OnChildEstablished(this);
        ProcessData(segment);
        if (_state is TcpState.Closed or TcpState.TimeWait)
        {
            return;
        }

        PushPendingData();
        AckIfDue();
    }

    /// <summary>A repeated SYN: answer with the SYN-ACK again (rate-limited) and restart the request timer at its current backoff.</summary>
    private void ResendSynAckForRepeatedSyn(Segment segment)
    {
        long now = _stack.NowNanoseconds;
        if (_lastOutOfWindowAck != 0 && now - _lastOutOfWindowAck < _stack.Sysctls.TcpInvalidRatelimit * 1_000_000L)
        {
            _stack.Drop(segment, "repeated SYN; SYN-ACK rate-limited");
            return;
        }

        _lastOutOfWindowAck = Math.Max(now, 1);
        _synAckRetransmits++;
        _stack.Counters.RetransmittedSegments++;
        SendSyn(withAck: true, retransmission: true);
        ArmRetransmitTimer(RetransmitTimerMode.SynAck, Math.Min(Jiffies.TimeoutInit << _synAckTimeouts, Jiffies.RtoMax));
    }

    /// <summary>reqsk_timer_handler: resend the SYN-ACK at 1, 3, 7, 15, 31 s; give up after tcp_synack_retries (no RST).</summary>
    private void OnSynAckTimer()
    {
        if (_state != TcpState.SynReceived || _listener?._listen is not { } listen)
        {
            return;
        }

        int maximum = _options.SynCount ?? _stack.Sysctls.TcpSynackRetries;
        int queued = listen.Requests.Count;
        if ((queued << 1) > Math.Max(8, listen.Backlog))
        {
            int young = listen.Requests.Count(r => r._synAckTimeouts == 0) << 1;
            while (maximum > 2 && queued >= young)
            {
                maximum--;
                young <<= 1;
            }
        }

        if (_synAckTimeouts >= maximum)
        {
            _stack.Counters.AttemptFails++;
            Done(Errno.None, "SYN-ACK retransmissions gave up");
            return;
        }

        _synAckRetransmits++;
        SendSyn(withAck: true, retransmission: true);
        _synAckTimeouts++;
        ArmRetransmitTimer(RetransmitTimerMode.SynAck, Math.Min(Jiffies.TimeoutInit << _synAckTimeouts, Jiffies.RtoMax));
    }

    private void OnChildEstablished(TcpSocket child)
    {
        _listen?.Requests.Remove(child);
        if (_listen is null)
        {
            return;
        }

        _listen.AcceptQueue.Add(child);
        ServeAccepts();
    }

    /// <summary>A child is gone before being accepted: drop it from the queues.</summary>
    private void ForgetChild(TcpSocket child)
    {
        _listen?.Requests.Remove(child);
        _listen?.AcceptQueue.Remove(child);
    }

    /// <summary>inet_csk_listen_stop: requests vanish silently; accepted-but-not-accept()ed children are reset.</summary>
    private void StopListening()
    {
        if (_listen is null)
        {
            return;
        }

        _stack.RemoveListener(this);
        var listen = _listen;
        _listen = null;
        foreach (var request in listen.Requests.ToList())
        {
            request.Done(Errno.None, "listener closed");
        }

        foreach (var child in listen.AcceptQueue.ToList())
        {
            child.Disconnect("listener closed before accept()");
        }

        while (listen.WaitingAccepts.Count > 0)
        {
            var (requester, command) = listen.WaitingAccepts.Dequeue();
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
        }

        if (listen.Continuous is var (continuousRequester, continuousCommand))
        {
            continuousRequester?.Tell(new CommandFailed(continuousCommand, Errno.EINVAL), Self);
        }
    }
}
