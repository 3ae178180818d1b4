using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// TCP on one host: the kernel's tables and the demultiplexing of arriving segments, shared by the
/// host's socket actors the way a kernel's tables are shared by its sockets.
/// <para>
/// An arriving segment is matched as tcp_v4_rcv does: first the connection table (established,
/// connecting and SYN-RECV sockets) by exact 4-tuple, then the TIME_WAIT table, then the listeners
/// (an exact local address before the wildcard; an SO_REUSEPORT group picks one member by a hash of the
/// 4-tuple). A segment nothing matches is answered with a reset (never a reset to a reset).
/// Timewait sockets are not actors: their segments are decided here at once.
/// </para>
/// </summary>
public sealed partial class TcpStack : ITransportProtocol
{
    /// <summary>How many idle queue objects of each kind a host keeps for reuse.</summary>
    private const int SpareQueues = 64;

    private readonly ConnectionTable<TcpSocket, SocketTuple> _connections = new();

    /// <summary>The host's system, kept so that the clock every socket reads many times a segment is one load nearer.</summary>
    private readonly ActorSystem _system;

    /// <summary>Arrays for the sockets' retransmission queues and write queues (<see cref="PooledRing{T}"/>).</summary>
    internal RingArrayPool<TcpSocket.SentSegment> SentSegments { get; } = new();

    internal RingArrayPool<WriteQueue.UnsentSkb> UnsentSkbs { get; } = new();
    private readonly Dictionary<ushort, List<TcpSocket>> _listeners = [];

    // The connection table's sockets by state, kept up to date as sockets enter and leave the table and
    // change state, so that counting them (metrics, the load sampler every simulated second) is O(1)
    // rather than a walk of every socket. Indexed by TcpState.
    private readonly int[] _connectionsByState = new int[(int)TcpState.TimeWait + 1];
    private int _listenerCount;
    private readonly EventChannel<TcpStateChanged> _stateChanges;
    private readonly EventChannel<TcpRetransmitted> _retransmissions;
    private readonly EventChannel<TcpSocketError> _socketErrors;
    private readonly ulong _secret;
    private readonly long _clockOriginMilliseconds;
    private readonly long _wallClockOriginNanoseconds;
    private ITimerScheduler? _managerTimers;
    private long _timeWaitTimerDeadline = long.MaxValue;
    private Action<FourTuple, TimeWaitEntry>? _onTimeWaitExpired;

    internal TcpStack(Host host)
    {
        Host = host;
        _system = host.System;
        var random = host.System.CreateRandom($"tcp/{host.Name}");
        _secret = random.NextUInt64();
        // A machine that has been up between one hour and thirty days (tcp_clock_ms counts from boot),
        // and a wall clock somewhere in 2025, so ISNs and timestamps look like a real machine's.
        _clockOriginMilliseconds = random.NextInt64(3_600_000, 30L * 24 * 3_600_000);
        _wallClockOriginNanoseconds = 1_735_689_600_000_000_000L + random.NextInt64(0, 365L * 24 * 3_600 * 1_000_000_000);
        Ports = new EphemeralPorts(host.Sysctls, Binds, random.Fork("ports"));
        Random = random.Fork("misc");
        CongestionRandom = random.Fork("congestion");
        ChallengeAckLimit = new ChallengeAckLimit(random.Fork("challenge-ack"));
        _stateChanges = host.System.EventStream.Channel<TcpStateChanged>();
        _retransmissions = host.System.EventStream.Channel<TcpRetransmitted>();
        _socketErrors = host.System.EventStream.Channel<TcpSocketError>();
        host.Transport = this;
    }

    public Host Host { get; }

    public TcpCounters Counters { get; } = new();

    /// <summary>Idle send queues sockets gave back (in the state a new one starts in), for the next socket that queues data.</summary>
    internal Spares<SendQueue> SpareSendQueues { get; } = new(SpareQueues);

    /// <summary>Idle receive queues sockets gave back, for the next socket that receives data.</summary>
    internal Spares<ReceiveQueue> SpareReceiveQueues { get; } = new(SpareQueues);

    /// <summary>BBR's per-connection state given back, cleared, by sockets that died (<see cref="Bbr.Release"/>), for the next BBR socket.</summary>
    internal Spares<BbrState> SpareBbrStates { get; } = new(SpareQueues);

    /// <summary>connect() records given back when the connect returned (<see cref="TcpSocket.PendingConnect"/>), for the next connect().</summary>
    internal Spares<TcpSocket.PendingConnect> SparePendingConnects { get; } = new(SpareQueues);

    /// <summary>Request sockets' records given back when they were established or died (<see cref="TcpSocket.RequestState"/>).</summary>
    internal Spares<TcpSocket.RequestState> SpareRequests { get; } = new(SpareQueues);

    /// <summary>Sockets in the connection table (every state but LISTEN, TIME_WAIT and CLOSED).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>TIME_WAIT sockets (both substates).</summary>
    public int TimeWaitCount => TimeWaits.Count;

    /// <summary>Local ports held by some socket or TIME_WAIT.</summary>
    public int PortsInUse => Binds.BucketCount;

    internal Sysctls Sysctls => Host.Sysctls;

    internal BindTable Binds { get; } = new();

    internal TimeWaitTable TimeWaits { get; } = new();

    internal EphemeralPorts Ports { get; }

    internal RandomStream Random { get; }

    /// <summary>The random choices of congestion control (BBR's first PROBE_BW gain phase), apart from <see cref="Random"/> so that they move nothing else.</summary>
    internal RandomStream CongestionRandom { get; }

    /// <summary>The namespace's RFC 5961 challenge ACK budget (net->ipv4.tcp_challenge_count).</summary>
    internal ChallengeAckLimit ChallengeAckLimit { get; }

    internal IActorRef Manager { get; private set; } = null!;

    internal long NowNanoseconds => _system.Now.Nanoseconds;

    /// <summary>Sockets by state (listeners, the connection table and the timewaits; states with none left out), for metrics.</summary>
    public IReadOnlyDictionary<TcpState, int> CountByState()
    {
        var counts = new SortedDictionary<TcpState, int>();
        for (var state = TcpState.Listen; state <= TcpState.TimeWait; state++)
        {
            int count = CountInState(state);
            if (count > 0)
            {
                counts[state] = count;
            }
        }

        return counts;
    }

    /// <summary>
    /// Sockets in <paramref name="state"/> now, in O(1) (the tables keep counts): the connection table's,
    /// plus the timewaits for FIN_WAIT2 and TIME_WAIT, or the listeners for LISTEN.
    /// </summary>
    public int CountInState(TcpState state) => state switch
    {
        TcpState.Listen => _listenerCount,
        TcpState.FinWait2 => _connectionsByState[(int)state] + TimeWaits.CountIn(TimeWaitSubstate.FinWait2),
        TcpState.TimeWait => _connectionsByState[(int)state] + TimeWaits.CountIn(TimeWaitSubstate.TimeWait),
        _ => _connectionsByState[(int)state],
    };

    public void Deliver(Packet packet, NetworkInterface arrivedOn)
    {
        switch (packet)
        {
            case Segment segment:
                DeliverSegment(segment);
                break;
            case IcmpPacket icmp:
                DeliverIcmp(icmp);
                break;
            default:
                Host.Drop(DropReason.TcpStack, "not a TCP packet", packet);
                break;
        }
    }

    /// <summary>tcp_v4_rcv counts a segment before checking its checksum, then counts the failure (csum_error); the host drops it.</summary>
    public void ChecksumFailed(Packet packet)
    {
        if (packet is Segment)
        {
            Counters.InSegments++;
            Counters.InCsumErrors++;
        }
    }

    internal void Attach(IActorRef manager, ITimerScheduler timers)
    {
        Manager = manager;
        _managerTimers = timers;
    }

    /// <summary>Sends a segment from this host, counting it.</summary>
    internal SendStatus Transmit(Segment segment, bool retransmission)
    {
        if (retransmission)
        {
            Counters.RetransmittedSegments++;
        }
        else
        {
            Counters.OutSegments++;
        }

        if (segment.IsRst)
        {
            Counters.OutResets++;
        }

        return Host.Output(segment);
    }

    /// <summary>Answers <paramref name="offending"/> with a reset (tcp_v4_send_reset), unless it is a reset.</summary>
    internal void SendReset(Segment offending)
    {
        if (RejectReplies.TcpResetFor(offending, (byte)Sysctls.IpDefaultTtl) is { } reset)
        {
            Transmit(reset, retransmission: false);
        }
    }

    /// <summary>tcp_clock_ms: milliseconds since this machine booted.</summary>
    internal uint ClockMilliseconds => ClockMillisecondsOf(NowNanoseconds);

    /// <summary>The TCP timestamp clock (tcp_time_stamp_ms) at a virtual time.</summary>
    internal uint ClockMillisecondsOf(long nanoseconds) => unchecked((uint)(_clockOriginMilliseconds + (nanoseconds / 1_000_000)));

    /// <summary>secure_tcp_ts_off: the per address pair timestamp offset.</summary>
    internal uint TimestampOffset(IPv4Address local, IPv4Address remote) =>
        unchecked((uint)Mix(_secret ^ 0x5453_4f46_4653_4554UL ^ ((ulong)local.Value << 32 | remote.Value)));

    /// <summary>secure_tcp_seq: a keyed hash of the 4-tuple plus the 64-ns clock, so ISNs grow with time.</summary>
    internal SeqNum InitialSequenceNumber(FourTuple tuple)
    {
        ulong hash = Mix(_secret ^ ((ulong)tuple.LocalAddress.Value << 32 | tuple.RemoteAddress.Value) ^ ((ulong)tuple.LocalPort << 48) ^ ((ulong)tuple.RemotePort << 16));
        long wallNanoseconds = _wallClockOriginNanoseconds + NowNanoseconds;
        return new SeqNum(unchecked((uint)hash + (uint)(wallNanoseconds >> 6)));
    }

    internal void PublishStateChange(FourTuple tuple, TcpState from, TcpState to, string reason)
    {
        if (_stateChanges.HasSubscribers)
        {
            _stateChanges.Publish(new TcpStateChanged(Host.Now, Host.Name, tuple, from, to, reason));
        }
    }

    internal void PublishRetransmission(FourTuple tuple, SeqNum seq, int length, RetransmissionKind kind)
    {
        if (_retransmissions.HasSubscribers)
        {
            _retransmissions.Publish(new TcpRetransmitted(Host.Now, Host.Name, tuple, seq, length, kind));
        }
    }

    internal void PublishSocketError(FourTuple tuple, Errno errno, string reason)
    {
        if (_socketErrors.HasSubscribers)
        {
            _socketErrors.Publish(new TcpSocketError(Host.Now, Host.Name, tuple, errno, reason));
        }
    }

    internal void Drop(Segment segment, string reason) => Host.Drop(DropReason.TcpStack, reason, segment);

    /// <summary>The connection table's key: the socket's own tuple.</summary>
    private readonly struct SocketTuple : ITupleOf<TcpSocket>
    {
        public static FourTuple Of(TcpSocket item) => item.Tuple;
    }

    internal void AddConnection(FourTuple tuple, TcpSocket socket)
    {
        // The table's key is the socket's own tuple, which must not change while it is in the table.
        if (tuple != socket.Tuple)
        {
            throw new InvalidOperationException($"a socket of {socket.Tuple} added to the connection table as {tuple}");
        }

        _connections.Add(socket);
        _connectionsByState[(int)socket.State]++;
    }

    internal void RemoveConnection(FourTuple tuple, TcpSocket socket)
    {
        if (_connections.TryGetValue(tuple, out var registered) && ReferenceEquals(registered, socket))
        {
            _connections.Remove(tuple);
            _connectionsByState[(int)socket.State]--;
        }
    }

    /// <summary>A socket in the connection table moved from <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal void ConnectionStateChanged(TcpState from, TcpState to)
    {
        _connectionsByState[(int)from]--;
        _connectionsByState[(int)to]++;
    }

    internal bool HasConnection(FourTuple tuple) => _connections.ContainsKey(tuple);

    internal void AddListener(TcpSocket listener)
    {
        if (!_listeners.TryGetValue(listener.LocalPort, out var list))
        {
            list = [];
            _listeners.Add(listener.LocalPort, list);
        }

        list.Add(listener);
        _listenerCount++;
    }

    internal void RemoveListener(TcpSocket listener)
    {
        if (_listeners.TryGetValue(listener.LocalPort, out var list) && list.Remove(listener))
        {
            _listenerCount--;
            if (list.Count == 0)
            {
                _listeners.Remove(listener.LocalPort);
            }
        }
    }

    /// <summary>The listener a segment for (address, port) from <paramref name="tuple"/>'s peer goes to, or null.</summary>
    internal TcpSocket? FindListener(IPv4Address address, ushort port, FourTuple tuple)
    {
        if (!_listeners.TryGetValue(port, out var candidates))
        {
            return null;
        }

        // An exact local address before the wildcard; usually one listener, so no list is built.
        int exact = 0;
        int wildcard = 0;
        foreach (var listener in candidates)
        {
            if (listener.BoundAddress == address)
            {
                exact++;
            }
            else if (listener.BoundAddress.IsAny)
            {
                wildcard++;
            }
        }

        int members = exact > 0 ? exact : wildcard;
        if (members == 0)
        {
            return null;
        }

        // An SO_REUSEPORT group: one member by a hash of the 4-tuple (reuseport_select_sock).
        int index = members == 1 ? 0 : (int)(Mix((ulong)tuple.GetHashCode() ^ _secret) % (ulong)members);
        foreach (var listener in candidates)
        {
            bool member = exact > 0 ? listener.BoundAddress == address : listener.BoundAddress.IsAny;
            if (member && index-- == 0)
            {
                return listener;
            }
        }

        return null;
    }

    private void DeliverSegment(Segment segment)
    {
        Counters.InSegments++;
        var tuple = segment.ReceiverTuple;
        if (_connections.TryGetValue(tuple, out var socket))
        {
            socket.Deliver(segment);
            return;
        }

        ref var timeWait = ref TimeWaits.Find(tuple);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref timeWait))
        {
            ProcessTimeWait(tuple, ref timeWait, segment);
            return;
        }

        if (FindListener(segment.Destination, segment.DestinationPort, tuple) is { } listener)
        {
            listener.Deliver(segment);
            return;
        }

        NoSocket(segment);
    }

    private void NoSocket(Segment segment)
    {
        Counters.NoSocket++;
        if (segment.IsRst)
        {
            Drop(segment, "reset for no socket (never answered)");
            return;
        }

        Drop(segment, "no socket: answered with a reset");
        SendReset(segment);
    }

    private void DeliverIcmp(IcmpPacket icmp)
    {
        // The quoted segment was sent by us: its sender tuple is our connection's tuple.
        if (_connections.TryGetValue(icmp.Quoted.SenderTuple, out var socket))
        {
            socket.DeliverIcmp(icmp);
        }
        else
        {
            Host.Drop(DropReason.TcpStack, "ICMP error for no socket", icmp);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
