using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The socket API (net/ipv4/af_inet.c, tcp.c): what each call does and the errno it returns.</summary>
internal sealed partial class TcpSocket
{
    private Queue<(IActorRef? Requester, Read Command)>? _pendingReads { get => _waits?.PendingReads; set => WaitsFor(value)?.PendingReads = value; }

    private Queue<(IActorRef? Requester, Send Command)>? _pendingSends { get => _waits?.PendingSends; set => WaitsFor(value)?.PendingSends = value; }

    private Queue<(IActorRef? Requester, SocketCommand Command)>? _callsAfterSends { get => _waits?.CallsAfterSends; set => WaitsFor(value)?.CallsAfterSends = value; }

    private void OnCommand(SocketCommand command) => OnCommand(command, Sender);

    private void OnCommand(SocketCommand command, IActorRef? requester)
    {
        _systemCallAt = _stack.NowNanoseconds;
        if (command is Close or Shutdown { How: not ShutdownHow.Read } && _pendingSends is { Count: > 0 } && _state is TcpState.Established or TcpState.CloseWait)
        {
            // The send() before it still blocks on the send buffer: the application's close() or shutdown()
            // comes after it returns, as the calls of one thread do.
            (_callsAfterSends ??= new()).Enqueue((requester, command));
            return;
        }

        if (_orphaned && command is not Close)
        {
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
            return;
        }

        switch (command)
        {
            case Bind bind:
                OnBind(bind, requester);
                break;
            case Listen listen:
                OnListen(listen, requester);
                break;
            case Connect connect:
                OnConnect(connect, requester);
                break;
            case Accept accept:
                OnAccept(accept, requester);
                break;
            case Send send:
                OnSend(send, requester);
                break;
            case Read read:
                (_pendingReads ??= new()).Enqueue((requester, read));
                DeliverToApplication();
                break;
            case Register register:
                AttachHandler(register.Handler, register.AutoRead);
                break;
            case SetOptions set:
                OnSetOptions(set, requester);
                break;
            case GetBufferSizes:
                requester?.Tell(new BufferSizes(ReceiveBuffer, SendBuffer), Self);
                break;
            case Shutdown shutdown:
                OnShutdown(shutdown, requester);
                break;
            case Close:
                OnClose(requester);
                break;
            default:
                requester?.Tell(new CommandFailed(command, Errno.EOPNOTSUPP), Self);
                break;
        }
    }

    /// <summary>Register: the handler hears of everything from now on (data, end of stream, errors); what is queued goes to it now.</summary>
    private void AttachHandler(IActorRef handler, bool autoRead)
    {
        _handler = handler;
        _autoRead = autoRead;
        DeliverToApplication();
    }

    /// <summary>bind(): an explicit port is checked against the bind-conflict rules; port 0 picks one (odd ports first).</summary>
    private void OnBind(Bind command, IActorRef? requester)
    {
        var address = command.Local.Address;
        if (_holdsPort || _state != TcpState.Closed)
        {
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
            return;
        }

        if (!address.IsAny && !_stack.Host.IsLocalAddress(address))
        {
            requester?.Tell(new CommandFailed(command, Errno.EADDRNOTAVAIL), Self);
            return;
        }

        _boundAddress = address;
        ushort port = command.Local.Port;
        if (port == 0)
        {
            if (_stack.Ports.ChooseForBind(this) is not { } chosen)
            {
                _boundAddress = IPv4Address.Any;
                requester?.Tell(new CommandFailed(command, Errno.EADDRINUSE), Self);
                return;
            }

            port = chosen;
        }
        else if (_stack.Binds.Conflicts(port, this, asListener: false))
        {
            _boundAddress = IPv4Address.Any;
            requester?.Tell(new CommandFailed(command, Errno.EADDRINUSE), Self);
            return;
        }

        HoldPort(port, byConnect: false);
        _explicitlyBound = command.Local.Port != 0;
        requester?.Tell(new Bound(new SocketAddress(_boundAddress, port)), Self);
    }

    /// <summary>tcp_v4_connect: route, source address, port (__inet_hash_connect), ISN, then the SYN.</summary>
    private void OnConnect(Connect command, IActorRef? requester)
    {
        if (command.Options is { } options)
        {
            if (SetCongestionControl(options) != Errno.None)
            {
                requester?.Tell(new CommandFailed(command, Errno.ENOENT), Self);
                return;
            }

            _options = _stack.SetByApplication(options);
            ApplyMaxPacingRate();
        }

        if (_state is TcpState.SynSent)
        {
            requester?.Tell(new CommandFailed(command, Errno.EALREADY), Self);
            return;
        }

        if (_state != TcpState.Closed || _inConnectionTable || _done)
        {
            requester?.Tell(new CommandFailed(command, _state == TcpState.Listen ? Errno.EINVAL : Errno.EISCONN), Self);
            return;
        }

        if (command.Local is { } local && !_holdsPort)
        {
            OnBind(new Bind(local), null);
            if (!_holdsPort)
            {
                requester?.Tell(new CommandFailed(command, Errno.EADDRINUSE), Self);
                return;
            }
        }

        var remote = command.Remote;
        var source = _boundAddress.IsAny ? _stack.Host.SourceAddressFor(remote.Address) : _boundAddress;
        if (source is null)
        {
            FailConnectLocally(command, requester, Errno.ENETUNREACH);
            return;
        }

        if (!TakeTuple(source.Value, remote))
        {
            _stack.Counters.PortExhaustion++;
            FailConnectLocally(command, requester, Errno.EADDRNOTAVAIL);
            return;
        }

        BeginConnect(requester, command);
        StartConnect();
    }

    private void FailConnectLocally(Connect command, IActorRef? requester, Errno errno)
    {
        _stack.PublishConnectRefusedLocally(command.Remote, errno);
        requester?.Tell(new CommandFailed(command, errno), Self);
    }

    /// <summary>Chooses the local port (or checks the bound one) so that the 4-tuple is unique, recycling a TIME_WAIT if allowed.</summary>
    private bool TakeTuple(IPv4Address source, SocketAddress remote)
    {
        if (_holdsPort)
        {
            var tuple = new FourTuple(source, _localPort, remote.Address, remote.Port);
            if (_stack.CheckTupleForConnect(tuple, this, explicitlyBound: true) == TupleCheck.InUse)
            {
                return false;
            }

            _tuple = tuple;
            return true;
        }

        var chosen = _stack.Ports.ChooseForConnect(source, remote, new ConnectTupleCheck(this, source, remote), this);
        if (chosen is not { } port)
        {
            return false;
        }

        _localPort = port;
        _holdsPort = true;
        _tuple = new FourTuple(source, port, remote.Address, remote.Port);
        return true;
    }

    /// <summary>tcp_connect: initial window and options, the SYN, the 1 s SYN timer.</summary>
    private void StartConnect()
    {
        var sysctls = _stack.Sysctls;
        if (!_isnInherited)
        {
            _iss = _stack.InitialSequenceNumber(_tuple);
        }

        _sndUna = _iss;
        _sndNxt = _iss + 1;
        _writeSeq = _iss + 1;
        _pushedSeq = _writeSeq;
        _sackOk = sysctls.TcpSack == 1;
        _tsOk = sysctls.TcpTimestamps != 0;
        _wscaleOk = sysctls.TcpWindowScaling == 1;
        _tsOffset = _stack.TimestampOffset(_tuple.LocalAddress, _tuple.RemoteAddress);
        _ipId = (ushort)_stack.Random.NextInt32(65536);
        _advMss = AdvertisedMss(_tuple.RemoteAddress);
        _mssCache = _advMss;
        // tcp_connect_init rounds the window to the MSS less the timestamp option when ts_recent is already
        // known (inherited from a reused TIME-WAIT): such a SYN offers 65160, not 64240.
        SelectInitialWindow(_advMss - (_tsOk && _isnInherited ? 12 : 0));
        _stack.AddConnection(_tuple, this);
        _inConnectionTable = true;
        _stack.Counters.ActiveOpens++;
        SetState(TcpState.SynSent, "connect()");
        _inFlight.Add(new SentSegment { Seq = _iss, End = _iss + 1, Flags = TcpFlags.Syn, SentAt = _stack.NowNanoseconds }, _stack.SentSegments);
        _retransStamp = _stack.NowNanoseconds;
        _rto = Jiffies.TimeoutInit;
        SendSyn(withAck: false, retransmission: false);
        ArmRetransmitTimer(RetransmitTimerMode.Rto, _rto);
    }

    /// <summary>tcp_twsk_unique's side effects: the new connection continues the old one's sequence space and timestamps.</summary>
    public void InheritFromTimeWait(SeqNum isn, uint tsRecent, long tsRecentStamp)
    {
        _iss = isn;
        _isnInherited = true;
        _tsRecent = tsRecent;
        _tsRecentStamp = tsRecentStamp;
    }

    /// <summary>The peer's SYN options, as negotiated with ours (RFC 7323, RFC 2018; 536 bytes without an MSS option).</summary>
    private void TakePeerSynOptions(Segment syn)
    {
        var sysctls = _stack.Sysctls;
        var options = syn.Options;
        bool activeSide = _state == TcpState.SynSent;
        _sackOk = options.SackPermitted && sysctls.TcpSack == 1 && (!activeSide || _sackOk);
        _tsOk = options.HasTimestamps && sysctls.TcpTimestamps != 0 && (!activeSide || _tsOk);
        if (_tsOk)
        {
            _tsRecent = options.TsVal;
            _tsRecentStamp = _stack.NowNanoseconds;
        }

        _wscaleOk = options.HasWindowScale && sysctls.TcpWindowScaling == 1 && _wscaleOk;
        _sndWscale = _wscaleOk ? Math.Min(options.WindowScale, (byte)14) : (byte)0;
        if (!_wscaleOk && activeSide)
        {
            _rcvWscale = 0;
            _windowClamp = Math.Min(_windowClamp, ushort.MaxValue);
        }

        int peerMss = options.Mss != 0 ? options.Mss : 536;
        _mssCache = Math.Max(48, Math.Min(peerMss, AdvertisedMss(syn.Source)) - (_tsOk ? 12 : 0));
    }

    /// <summary>tcp_finish_connect: ESTABLISHED, keepalive armed if asked, connect() returns.</summary>
    private void FinishConnect(string reason = "SYN-ACK received")
    {
        InitBufferSpace();
        InitCongestionControl();
        SetState(TcpState.Established, reason);
        UpdatePacingRateUnlessCongControl();
        _lastAckReceivedTime = _stack.NowNanoseconds;
        if (_options.KeepAlive)
        {
            StartKeepaliveTimer(KeepaliveTime);
        }

        var requester = _connectRequester;
        var handler = _connectCommand?.Handler;
        EndConnect();
        requester?.Tell(ReplySpares.Connected(Self, _tuple.Local, _tuple.Remote), Self);
        if (handler is not null)
        {
            _handler = handler;
            _autoRead = true;
            DeliverToApplication();
        }
    }

    /// <summary>send(): queue the bytes (EPIPE or the pending error once the connection is shut down or broken).</summary>
    private void OnSend(Send command, IActorRef? requester)
    {
        // tcp_sendmsg_locked asks whether sending is application-limited before it looks at anything else.
        CheckAppLimited();
        if (_pendingError != Errno.None)
        {
            var error = _pendingError;
            _pendingError = Errno.None;
            requester?.Tell(new CommandFailed(command, error), Self);
            return;
        }

        if (_sendShutdown || _state is not (TcpState.Established or TcpState.CloseWait or TcpState.SynSent or TcpState.SynReceived))
        {
            requester?.Tell(new CommandFailed(command, Errno.EPIPE), Self);
            return;
        }

        if (_pendingSends is not { Count: > 0 } && _state is TcpState.Established or TcpState.CloseWait)
        {
            // The usual case: nobody waiting before us, so no queueing unless the write has to wait.
            var outcome = CopyWrite(command);
            if (outcome == CopyOutcome.Done)
            {
                CompleteWrite(command, requester);
                PushPendingData();
                return;
            }

            (_pendingSends ??= new()).Enqueue((requester, command));
            AfterCopyStopped(outcome);
            return;
        }

        (_pendingSends ??= new()).Enqueue((requester, command));
        ServePendingSends();
    }

    /// <summary>
    /// Copies waiting send() calls into sk_buffs, the one copied in part first, until one has to wait for send-buffer
    /// memory or for the backlog to be taken in; each returns once all its bytes are in; then pushes data out.
    /// </summary>
    private void ServePendingSends()
    {
        while (_pendingSends is { Count: > 0 } && !_writerWaiting && !_writerWaking && !_ownedByWriter && _state is TcpState.Established or TcpState.CloseWait)
        {
            var (requester, command) = _pendingSends.Peek();
            var outcome = CopyWrite(command);
            if (outcome != CopyOutcome.Done)
            {
                AfterCopyStopped(outcome);
                return;
            }

            _pendingSends.Dequeue();
            CompleteWrite(command, requester);
        }

        PushPendingData();
        RunCallsAfterSends();
    }

    /// <summary>A write stopped short: the writer sleeps (woken by <see cref="CheckSendSpace"/>), or takes in its backlog first.</summary>
    private void AfterCopyStopped(CopyOutcome outcome)
    {
        if (outcome == CopyOutcome.FlushingBacklog)
        {
            OwnForBacklog();
        }
    }

    /// <summary>send() returns the write's length (a blocking send copies everything before it returns).</summary>
    private void CompleteWrite(Send command, IActorRef? requester)
    {
        _writeCopied = 0;
        _writeSkbsSinceFlush = 0;
        if (!command.NoAck)
        {
            requester?.Tell(new Sent(command.Data.Length), Self);
        }
    }

    /// <summary>The close() and shutdown() calls that waited for the send() calls before them, once those returned.</summary>
    private void RunCallsAfterSends()
    {
        while (_pendingSends is not { Count: > 0 } && _callsAfterSends is { Count: > 0 })
        {
            var (requester, command) = _callsAfterSends.Dequeue();
            OnCommand(command, requester);
        }
    }

    /// <summary>recv() and the pushed notifications: data first, then end of stream (the FIN) or the pending error.</summary>
    private void DeliverToApplication()
    {
        while (_pendingReads is { Count: > 0 })
        {
            var (requester, command) = _pendingReads.Peek();
            if (_receiveQueue is { UnreadBytes: > 0 } queue)
            {
                _pendingReads.Dequeue();
                requester?.Tell(ReplySpares.Received(ReadAndAdjustSpace(queue, command.MaxBytes)), Self);
                AfterApplicationRead();
                continue;
            }

            if (!TryReadEndOrError(out var outcome))
            {
                if (!command.DontWait)
                {
                    break;
                }

                outcome = Errno.EAGAIN;
            }

            _pendingReads.Dequeue();
            requester?.Tell(outcome is Errno errno ? new CommandFailed(command, errno) : EndOfStream.Instance, Self);
        }

        if (_handler is not null && _autoRead)
        {
            PushToHandler();
        }
    }

    private bool _endReported { get => Has(SocketFlags.EndReported); set => Set(SocketFlags.EndReported, value); }

    private void PushToHandler()
    {
        if (_receiveQueue is { UnreadBytes: > 0 } queue)
        {
            _handler!.Tell(ReplySpares.Received(ReadAndAdjustSpace(queue, int.MaxValue)), Self);
            AfterApplicationRead();
        }

        if (!_endReported && TryReadEndOrError(out var outcome))
        {
            _endReported = true;
            _handler!.Tell(outcome is Errno errno ? new ConnectionError(errno) : EndOfStream.Instance, Self);
        }
    }

    /// <summary>
    /// tcp_recvmsg with nothing to read: 0 after the FIN (SOCK_DONE), else the pending error, else 0 once
    /// reading is shut down (SHUT_RD, or tcp_done after a reset or a timeout), else ENOTCONN if never connected.
    /// </summary>
    private bool TryReadEndOrError(out object? outcome)
    {
        outcome = null;
        if (_finReceived)
        {
            // Reading the end of the stream consumes the FIN (copied_seq passes it), so ss stops counting it.
            _finConsumed = true;
            return true;
        }

        if (_pendingError != Errno.None)
        {
            outcome = _pendingError;
            _pendingError = Errno.None;
            return true;
        }

        if (_receiveShutdown)
        {
            return true;
        }

        if (_state is TcpState.Closed or TcpState.Listen)
        {
            outcome = Errno.ENOTCONN;
            return true;
        }

        return false;
    }

    /// <summary>
    /// tcp_cleanup_rbuf after a read: a delayed ACK that is owed for more than one full segment goes now
    /// (the once-per-two-segments ACK input processing held back while the window was shrinking), as does one for
    /// small pushed segments when the read emptied the receive memory: after two of them (ICSK_ACK_PUSHED2), or one
    /// outside ping-pong mode; else a window update is sent if reading opened the window a lot.
    /// </summary>
    private void AfterApplicationRead()
    {
        if (_state is TcpState.Closed or TcpState.TimeWait or TcpState.Listen)
        {
            return;
        }

        bool pushed = (_ackPushed & AckPushed2) != 0 || ((_ackPushed & AckPushed) != 0 && !_pingpong);
        if (_ackScheduled && ((_rcvNxt - _rcvWup) > _rcvMss || (pushed && (_receiveQueue?.Memory ?? 0) == 0)))
        {
            SendAck();
            return;
        }

        long current = Math.Max(0, (_rcvWup + (int)_rcvWnd) - _rcvNxt);
        long proposed = ComputeWindow();
        if (current == 0 || (proposed >= 2 * current && proposed - current >= _rcvMss * 2 && current <= _rcvWnd / 2))
        {
            if (proposed > current)
            {
                SendAck();
            }
        }
    }

    private void OnSetOptions(SetOptions command, IActorRef? requester)
    {
        var options = _stack.SetByApplication(command.Options);
        if (options.Linger.Seconds < 0 || options.KeepIdleSeconds is < 1 or > 32767 || options.KeepIntervalSeconds is < 1 or > 32767 || options.KeepCount is < 1 or > 127 || options.MaxPacingRate is < 0 or UnlimitedPacingRate)
        {
            requester?.Tell(new CommandFailed(command, Errno.EINVAL), Self);
            return;
        }

        if (SetCongestionControl(options) is not Errno.None and var errno)
        {
            requester?.Tell(new CommandFailed(command, errno), Self);
            return;
        }

        bool keepaliveTurnedOn = options.KeepAlive && !_options.KeepAlive;
        _options = options;
        ApplyMaxPacingRate();
        if (keepaliveTurnedOn && _state is TcpState.Established or TcpState.CloseWait)
        {
            StartKeepaliveTimer(KeepaliveTime);
        }

        requester?.Tell(new OptionsSet(options), Self);
    }

    /// <summary>Every waiting call returns: connect() with the error, reads with end-of-stream or the error, sends with EPIPE.</summary>
    private void FailPendingCalls(Errno errno)
    {
        if (_connectRequester is { } connecting)
        {
            var command = _connectCommand!;
            EndConnect();
            connecting.Tell(new CommandFailed(command, errno == Errno.None ? Errno.ECONNRESET : errno), Self);
            _pendingError = Errno.None;
        }

        while (_pendingSends is { Count: > 0 })
        {
            // A send() that copied part of its write returns that count (tcp_sendmsg_locked's do_error), the others fail.
            var (requester, command) = _pendingSends.Dequeue();
            if (_writeCopied > 0)
            {
                if (!command.NoAck)
                {
                    requester?.Tell(new Sent(_writeCopied), Self);
                }
            }
            else
            {
                requester?.Tell(new CommandFailed(command, errno == Errno.None ? Errno.EPIPE : errno), Self);
            }

            _writeCopied = 0;
        }

        _writerWaiting = false;
        _writerWaking = false;
        _ownedByWriter = false;
        _writeSkbsSinceFlush = 0;
        while (_callsAfterSends is { Count: > 0 })
        {
            // They run as the calls they are, after this: the thread's send() has returned.
            var (requester, command) = _callsAfterSends.Dequeue();
            Self.Tell(command, requester ?? ActorRefs.NoSender);
        }

        DeliverToApplication();
        if (_handler is not null && !_endReported && errno != Errno.None)
        {
            _endReported = true;
            _handler.Tell(new ConnectionError(errno), Self);
            _pendingError = Errno.None;
        }
    }

    /// <summary>The ss -tan -o line for this socket.</summary>
    public SocketSnapshot SnapshotOf()
    {
        long now = _stack.NowNanoseconds;
        if (_state == TcpState.Listen && _listen is not null)
        {
            return new SocketSnapshot(_stack.Host.Name, TcpState.Listen, _listen.AcceptQueue.Count, _listen.Backlog, new SocketAddress(_boundAddress, _localPort), new SocketAddress(IPv4Address.Any, 0), null, IsWildcardPeer: true, CongestionControl: CaOps.Name, Info: InfoOf(now));
        }

        // rcv_nxt − copied_seq: unread bytes, plus the FIN until the application has read the end of the
        // stream (close() purges the queue but not copied_seq, so an unread FIN still shows in LAST-ACK).
        int recvQ = (int)UnreadBytes + (_finReceived && !_finConsumed ? 1 : 0);
        // write_seq − snd_una, where Linux's write_seq counts a queued FIN (FIN-WAIT-1 with only the FIN out shows 1).
        // A listener's request socket shows 0 0; one that connect()ed and met a crossing SYN counts its SYN.
        bool request = _state == TcpState.SynReceived && _listener is not null;
        int sendQ = request ? 0 : (int)Math.Max(0, (_writeSeq + (_finQueued ? 1 : 0)) - _sndUna);
        SocketTimer? timer = null;
        if (TimerDeadline(TimerExpired.Retransmit) is { } retransmit)
        {
            int count = request ? _synAckRetransmits : _retransmitMode == RetransmitTimerMode.ZeroWindowProbe ? _probesOut : _retransmits;
            timer = new SocketTimer(_retransmitMode == RetransmitTimerMode.ZeroWindowProbe ? SocketTimerKind.Persist : SocketTimerKind.On, new Duration(retransmit.Nanoseconds - now), count);
        }
        else if (TimerDeadline(TimerExpired.Keepalive) is { } keepalive)
        {
            // sk_timer: ss calls it keepalive even when it times an orphaned FIN_WAIT2 (above 60 s of tcp_fin_timeout).
            timer = new SocketTimer(SocketTimerKind.Keepalive, new Duration(keepalive.Nanoseconds - now), _probesOut);
        }

        int? ssthresh = _ssthresh < int.MaxValue ? _ssthresh : null;
        return new SocketSnapshot(_stack.Host.Name, _state, recvQ, sendQ, _tuple.Local, _tuple.Remote, timer, IsOrphan: _orphaned, CongestionWindow: _cwnd, SlowStartThreshold: ssthresh,
            PacingRate: RateForTcpInfo(PacingRate), MaxPacingRate: RateForTcpInfo(MaxPacingRate), CongestionControl: CaOps.Name, Info: request ? null : InfoOf(now));
    }
}

/// <summary>The tuple test of a connect() port search: the 4-tuple the port would make, checked by the stack.</summary>
internal readonly struct ConnectTupleCheck(TcpSocket socket, IPv4Address source, SocketAddress remote) : ITupleCheck
{
    public TupleCheck Check(ushort port) =>
        socket.Stack.CheckTupleForConnect(new FourTuple(source, port, remote.Address, remote.Port), socket, explicitlyBound: false);
}
