using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// One TCP socket, as an actor: the transmission control block of RFC 9293 with Linux's behaviour.
/// A socket starts CLOSED; bind/listen make it a listener, connect an active opener, and a listener's
/// SYN creates a child in SYN-RECV (Linux's request socket, here a full actor).
/// <para>
/// Read first: RFC 9293 (TCP), RFC 6298 (RTO), RFC 7323 (timestamps, window scale), RFC 2018/2883
/// (SACK, D-SACK), RFC 5961 (challenge ACKs), RFC 8985 (RACK-TLP), RFC 1122 4.2.2.13 (RST on close
/// with unread data), and Linux's net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c, tcp.c and
/// tcp_minisocks.c, whose behaviour this reproduces (see ../shared/LINUX-TCP.md and
/// tests/reference/kernel for what the kernel was seen to do).
/// </para>
/// <para>
/// The class is split by concern: user calls (TcpSocket.UserCalls), segment arrival (TcpSocket.Input,
/// TcpSocket.Ack, TcpSocket.Data), sending (TcpSocket.Output), timers (TcpSocket.Timers), the listener
/// role (TcpSocket.Listener) and closing (TcpSocket.Close).
/// </para>
/// </summary>
internal sealed partial class TcpSocket : UntypedActor, IWithTimers, IPortHolder
{
    private readonly TcpStack _stack;
    private SocketOptions _options;
    private TcpState _state = TcpState.Closed;

    // Addressing and the tables the socket is in.
    private IPv4Address _boundAddress;
    private ushort _localPort;
    private bool _holdsPort { get => Has(SocketFlags.HoldsPort); set => Set(SocketFlags.HoldsPort, value); }
    private bool _explicitlyBound { get => Has(SocketFlags.ExplicitlyBound); set => Set(SocketFlags.ExplicitlyBound, value); }
    private FourTuple _tuple;
    private bool _inConnectionTable { get => Has(SocketFlags.InConnectionTable); set => Set(SocketFlags.InConnectionTable, value); }

    // What the application did and sees.
    private bool _orphaned { get => Has(SocketFlags.Orphaned); set => Set(SocketFlags.Orphaned, value); }
    private bool _sendShutdown { get => Has(SocketFlags.SendShutdown); set => Set(SocketFlags.SendShutdown, value); }
    private bool _receiveShutdown { get => Has(SocketFlags.ReceiveShutdown); set => Set(SocketFlags.ReceiveShutdown, value); }
    private bool _finReceived { get => Has(SocketFlags.FinReceived); set => Set(SocketFlags.FinReceived, value); }
    private bool _finConsumed { get => Has(SocketFlags.FinConsumed); set => Set(SocketFlags.FinConsumed, value); }
    private bool _handedToTimeWait { get => Has(SocketFlags.HandedToTimeWait); set => Set(SocketFlags.HandedToTimeWait, value); }
    private bool _done { get => Has(SocketFlags.Done); set => Set(SocketFlags.Done, value); }
    private Errno _pendingError { get => (Errno)_pendingErrorNumber; set => _pendingErrorNumber = checked((byte)value); }
    private byte _pendingErrorNumber; // as _softErrorNumber
    private IActorRef? _handler;
    private bool _autoRead { get => Has(SocketFlags.AutoRead); set => Set(SocketFlags.AutoRead, value); }

    public TcpSocket(TcpStack stack, SocketOptions options)
    {
        _stack = stack;
        _options = options;
        AssignCongestionControl();
        ApplyMaxPacingRate();
        stack.Registered(this);
    }

    internal TcpStack Stack => _stack;

    /// <summary>This socket as a reference (what applications hold).</summary>
    public IActorRef Ref => Self;

    /// <summary>The cell's scheduler, which the runtime assigns (not stored: 8 bytes a socket).</summary>
    public ITimerScheduler Timers
    {
        get => CellTimers;
        set
        {
            if (!ReferenceEquals(value, CellTimers))
            {
                throw new InvalidOperationException("a socket's timers are its cell's");
            }
        }
    }

    public TcpState State => _state;

    public IPv4Address BoundAddress => _boundAddress;

    public ushort LocalPort => _localPort;

    public bool ReuseAddress => _options.ReuseAddress;

    public bool ReusePort => _options.ReusePort;

    public bool IsListening => _state == TcpState.Listen;

    public int BindSlot { get; set; } = -1;

    public FourTuple Tuple => _tuple;

    /// <summary>
    /// The segment arrived for this socket (called by the stack's demultiplexer): processed at once, as
    /// Linux's receive softirq runs tcp_v4_rcv into the socket inline (queued only if this socket's own
    /// handler is running, like the socket backlog of a socket owned by the user).
    /// </summary>
    public void Deliver(Segment segment) => DeliverToSelfNow(segment);

    /// <summary>An ICMP error about a segment this socket sent.</summary>
    public void DeliverIcmp(IcmpPacket icmp) => DeliverToSelfNow(icmp);

    /// <summary>A SYN that reopened a TIME_WAIT connection: the listener must answer with this ISN.</summary>
    public void DeliverSynAfterTimeWait(Segment syn, SeqNum isn) => DeliverToSelfNow(new SynAfterTimeWait(syn, isn));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Segment segment when _ownedByWriter:
                AddToBacklog(segment);
                break;
            case Segment segment:
                OnSegment(segment);
                break;
            case FlushBacklog:
                OnFlushBacklog();
                break;
            case WriterWoken:
                OnWriterWoken();
                break;
            case TimerExpired timer:
                OnTimer(timer.Kind);
                break;
            case SocketCommand command:
                OnCommand(command);
                break;
            case IcmpPacket icmp:
                OnIcmp(icmp);
                break;
            case LingerSatisfied:
                CompleteLingeringClose();
                break;
            case SynAfterTimeWait reopen:
                OnListenerSyn(reopen.Syn, reopen.Isn);
                break;
            case Snapshot:
                Sender?.Tell(SnapshotOf(), Self);
                break;
            default:
                Unhandled(message);
                break;
        }

        CheckScoreboard();
        ReleaseIdleQueues();
    }

    protected override void PostStop()
    {
        if (_inConnectionTable)
        {
            _stack.RemoveConnection(_tuple, this);
            _inConnectionTable = false;
        }

        if (_state == TcpState.Listen)
        {
            _stack.RemoveListener(this);
        }

        ReleasePort();
        ReleaseCongestionControl();
        EndConnect();
        EndRequest();
    }

    /// <summary>
    /// The one writer of the state: checks the transition is one TCP makes (RFC 9293's diagram plus
    /// Linux's extra arcs), publishes it, and keeps the tables in step.
    /// </summary>
    private void SetState(TcpState next, string reason)
    {
        var previous = _state;
        if (previous == next)
        {
            return;
        }

        if (!TcpTransitions.IsLegal(previous, next))
        {
            throw new InvalidOperationException($"illegal TCP transition {previous.ToRfcString()} => {next.ToRfcString()} ({reason}) on {_tuple}");
        }

        _state = next;
        if (_inConnectionTable)
        {
            _stack.ConnectionStateChanged(previous, next);
        }

        if (!_handedToTimeWait)
        {
            _stack.PublishStateChange(_tuple, previous, next, reason);
        }

        if (next == TcpState.Closed && _inConnectionTable)
        {
            _stack.RemoveConnection(_tuple, this);
            _inConnectionTable = false;
        }
    }

    private void HoldPort(ushort port, bool byConnect)
    {
        _localPort = port;
        _stack.Binds.Add(port, this, byConnect);
        _holdsPort = true;
    }

    private void ReleasePort()
    {
        if (_holdsPort)
        {
            _stack.Binds.Remove(_localPort, this);
            _holdsPort = false;
        }
    }

    /// <summary>A timer fired; which one is in <see cref="Kind"/>. Also the timer's key: a class compared by reference (the six
    /// instances below are the only ones), so finding a socket's timer never calls a record's member-wise equality.</summary>
    private sealed class TimerExpired(TimerKind kind)
    {
        public TimerKind Kind { get; } = kind;

        public static readonly TimerExpired Retransmit = new(TimerKind.Retransmit);
        public static readonly TimerExpired DelayedAck = new(TimerKind.DelayedAck);
        public static readonly TimerExpired Keepalive = new(TimerKind.Keepalive);
        public static readonly TimerExpired Linger = new(TimerKind.Linger);
        public static readonly TimerExpired CompressedAck = new(TimerKind.CompressedAck);
        public static readonly TimerExpired Pacing = new(TimerKind.Pacing);

        public override string ToString() => $"TimerExpired {{ Kind = {Kind} }}";
    }

    private sealed record SynAfterTimeWait(Segment Syn, SeqNum Isn);

    /// <summary>The FIN a lingering close() waits for was acknowledged: close() may return.</summary>
    private sealed record LingerSatisfied
    {
        public static readonly LingerSatisfied Instance = new();
    }

    /// <summary>Asks a socket for its ss line (replied with a <see cref="SocketSnapshot"/>).</summary>
    internal sealed record Snapshot
    {
        public static readonly Snapshot Instance = new();
    }
}

/// <summary>The socket's timers: Linux's retransmit timer (RTO, TLP, SYN, zero-window probe), delayed ACK, sk_timer (keepalive, FIN_WAIT2), and the pacing hrtimer.</summary>
internal enum TimerKind : byte
{
    Retransmit,
    DelayedAck,
    Keepalive,
    Linger,
    CompressedAck,
    Pacing,
}
