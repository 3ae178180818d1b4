using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Watches a run's event stream and records every broken invariant with a precise message:
/// <list type="bullet">
/// <item>sequence numbers never go backwards in a direction: a segment that covers sequence space
/// its sender already put on the wire must be a retransmission (a <see cref="TcpRetransmitted"/> event
/// for that sequence number) or a netem duplicate (the very same packet object, or within a range netem
/// duplicated: of a GSO packet's two copies netem may cut one to corrupt it); reordering on the
/// way is allowed, since only re-sent ranges count, and so is a first transmission (it carries bytes never
/// sent, as no retransmission does) overtaken by a retransmission of part of it, as a GSO packet is by the
/// loss probe of its last segment;</item>
/// <item>a re-sent byte is the byte first sent at that stream offset (when the run carries payloads);</item>
/// <item>every ACK acknowledges only sequence space its peer has put on the wire;</item>
/// <item>each socket's <see cref="TcpStateChanged"/> events form a chain (each starts where the last
/// ended) of transitions RFC 9293 or Linux allow (<see cref="TcpStateRules"/>, written independently of
/// the TCP code's own table);</item>
/// <item>no TIME_WAIT lasts more than 60 s after it was entered or last restarted by an arriving segment;</item>
/// <item>when everything is closed (<see cref="CheckQuiescent"/>): no port held, no socket or timewait
/// left, no event queued.</item>
/// </list>
/// Packets are judged where their sender hands them to the link (the <c>Out</c> capture on the host
/// that owns the socket), so the checker needs nothing but events and can be attached to any run
/// (<c>RunOptions.Attach</c>). A corrupted packet is ignored: the receiver drops it.
/// </summary>
public sealed class InvariantChecker : IDisposable
{
    /// <summary>TCP_TIMEWAIT_LEN.</summary>
    public static readonly Duration TimeWaitLength = Duration.FromSeconds(60);

    /// <summary>
    /// How late a timewait may end: its timer fires on a jiffy tick (4 ms at HZ 250), so an entry ends
    /// on the first tick at or after its deadline, never a full tick later.
    /// </summary>
    public static readonly Duration TimeWaitTickTolerance = Duration.FromMilliseconds(4);

    /// <summary>Stored violations beyond this are counted, not kept.</summary>
    public const int ViolationLimit = 100;

    /// <summary>Payload bytes remembered per direction for the re-sent-bytes check (beyond, bytes are not compared).</summary>
    public const int PayloadMemoryLimitBytes = 4 << 20;

    private const long OffsetBeforeIsn = 1L << 31;
    private static readonly object s_seen = new();

    private readonly ActorSystem _system;
    private readonly bool _attachedMidRun;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly List<InvariantViolation> _violations = [];
    private readonly Dictionary<FourTuple, string> _owners = [];
    private readonly Dictionary<FourTuple, DirectionState> _directions = [];
    private readonly Dictionary<(string Host, FourTuple Tuple), TcpState> _states = [];

    // Listeners are counted rather than chained: an SO_REUSEPORT group is several sockets on one tuple.
    private readonly Dictionary<(string Host, FourTuple Tuple), int> _listeners = [];
    private readonly Dictionary<(string Host, FourTuple Tuple), TimeWaitWatch> _timeWaits = [];
    private readonly ConditionalWeakTable<Packet, object> _sentPackets = [];

    /// <summary>Retransmissions announced (by <see cref="TcpRetransmitted"/>) and not yet seen on the wire, by sender tuple and sequence number.</summary>
    private readonly Dictionary<(FourTuple Tuple, uint Seq), int> _expectedRetransmissions = [];

    /// <param name="system">The run to watch; attach before it starts, or pass <paramref name="attachedMidRun"/>.</param>
    /// <param name="stopOnViolation">Ask the run to stop at the first violation.</param>
    /// <param name="attachedMidRun">
    /// The checker joins a run already under way (as LoadRunner's <c>attach</c> hook does): a socket's first
    /// event is taken as its starting point rather than checked against CLOSED (which also means a socket
    /// closed twice goes unnoticed).
    /// </param>
    public InvariantChecker(ActorSystem system, bool stopOnViolation = true, bool attachedMidRun = false)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        StopOnViolation = stopOnViolation;
        _attachedMidRun = attachedMidRun;
        _subscriptions.Add(system.EventStream.Subscribe<TcpStateChanged>(OnStateChanged));
        _subscriptions.Add(system.EventStream.Subscribe<TcpRetransmitted>(OnRetransmitted));
        _subscriptions.Add(system.EventStream.Subscribe<PacketImpaired>(OnImpaired));
        _subscriptions.Add(system.EventStream.Subscribe<PacketCaptured>(OnCaptured));
    }

    /// <summary>Whether the first violation asks the run to stop (<see cref="ActorSystem.RequestStop"/>), so it ends close to the cause.</summary>
    public bool StopOnViolation { get; }

    public IReadOnlyList<InvariantViolation> Violations => _violations;

    /// <summary>Every violation seen, including those beyond <see cref="ViolationLimit"/>.</summary>
    public long ViolationCount { get; private set; }

    /// <summary>Segments whose sequence numbers were checked.</summary>
    public long SegmentsChecked { get; private set; }

    /// <summary>Acknowledgement numbers checked.</summary>
    public long AcksChecked { get; private set; }

    /// <summary>State changes checked.</summary>
    public long TransitionsChecked { get; private set; }

    /// <summary>TIME_WAIT endings checked against their 60 s.</summary>
    public long TimeWaitsChecked { get; private set; }

    /// <summary>End-of-run checks: no TIME_WAIT still open past its 60 s.</summary>
    public void Finish()
    {
        foreach (var ((host, tuple), watch) in _timeWaits.OrderBy(e => e.Value.Entered))
        {
            var deadline = watch.LastRestart + TimeWaitLength;
            if (_system.Now >= deadline + TimeWaitTickTolerance)
            {
                Report(Invariants.TimeWaitOverstayed, $"{host} {tuple}: TIME_WAIT entered at {watch.Entered} s, last restarted at {watch.LastRestart} s, is still there at {_system.Now} s (due at {deadline} s)");
            }
        }
    }

    /// <summary>
    /// The checks for a run whose applications have closed everything and whose timers have run out:
    /// every host's TCP holds no port, socket or timewait, every socket's last event left it CLOSED, and
    /// the event queue is empty.
    /// </summary>
    public void CheckQuiescent(Topology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        foreach (var host in topology.Hosts)
        {
            if (host.Transport is not TcpStack stack)
            {
                continue;
            }

            if (stack.PortsInUse != 0 || stack.ConnectionCount != 0 || stack.TimeWaitCount != 0)
            {
                string sockets = string.Join("; ", stack.Snapshot().Select(s => $"{s.State.ToRfcString()} {s.Local} {s.Peer}"));
                Report(Invariants.NotQuiescent, $"{host.Name}: {stack.PortsInUse} ports in use, {stack.ConnectionCount} connections, {stack.TimeWaitCount} timewaits after everything closed (sockets: {(sockets.Length == 0 ? "none" : sockets)})");
            }
        }

        foreach (var ((host, tuple), state) in _states)
        {
            Report(Invariants.NotQuiescent, $"{host} {tuple}: its last state change left it {state.ToRfcString()}, yet the run is over");
        }

        foreach (var ((host, tuple), open) in _listeners)
        {
            Report(Invariants.NotQuiescent, $"{host} {tuple}: its last state change left it LISTEN ({open} listener(s)), yet the run is over");
        }

        if (_system.PendingEvents != 0)
        {
            Report(Invariants.NotQuiescent, $"{_system.PendingEvents} events still queued when every application had closed and every timer should have expired");
        }
    }

    /// <summary>Throws <see cref="InvariantViolationException"/> listing the violations, if any.</summary>
    public void ThrowIfViolated()
    {
        if (ViolationCount > 0)
        {
            throw new InvariantViolationException(Describe());
        }
    }

    /// <summary>The violations, one per line, or a line saying there were none and how much was checked.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        if (ViolationCount == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"no invariant broken ({SegmentsChecked} segments, {AcksChecked} ACKs, {TransitionsChecked} transitions, {TimeWaitsChecked} TIME_WAITs checked)");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"{ViolationCount} invariant violation(s):");
        foreach (var violation in _violations)
        {
            text.Append("\n  ").Append(violation);
        }

        if (ViolationCount > _violations.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  ... and {ViolationCount - _violations.Count} more");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
    }

    private static bool IsListenerChange(TcpStateChanged change) =>
        change.Tuple.RemotePort == 0 && change.Tuple.RemoteAddress.IsAny
        && ((change.From == TcpState.Closed && change.To == TcpState.Listen) || (change.From == TcpState.Listen && change.To == TcpState.Closed));

    private void OnListenerChange((string Host, FourTuple Tuple) key, TcpStateChanged change)
    {
        int open = _listeners.GetValueOrDefault(key);
        if (change.To == TcpState.Listen)
        {
            _listeners[key] = open + 1;
            return;
        }

        if (open == 0 && !_attachedMidRun)
        {
            Report(Invariants.IllegalTransition, $"{change.HostName} {change.Tuple}: LISTEN => CLOSED ({change.Reason}), but no listener was open there");
        }

        if (open <= 1)
        {
            _listeners.Remove(key);
        }
        else
        {
            _listeners[key] = open - 1;
        }
    }

    private void OnStateChanged(TcpStateChanged change)
    {
        TransitionsChecked++;
        var key = (change.HostName, change.Tuple);
        if (IsListenerChange(change))
        {
            OnListenerChange(key, change);
            return;
        }

        var tracked = _states.TryGetValue(key, out var state) ? state : _attachedMidRun ? change.From : TcpState.Closed;
        string what = $"{change.HostName} {change.Tuple}: {change.From.ToRfcString()} => {change.To.ToRfcString()} ({change.Reason})";
        if (change.From != tracked)
        {
            Report(Invariants.IllegalTransition, $"{what}, but its previous event left it {tracked.ToRfcString()}");
        }

        if (!TcpStateRules.IsLegal(change.From, change.To))
        {
            Report(Invariants.IllegalTransition, $"{what} is not a transition RFC 9293 or Linux makes");
        }

        if (change.To == TcpState.Closed)
        {
            _states.Remove(key);
            ForgetConnection(change.HostName, change.Tuple);
        }
        else
        {
            _states[key] = change.To;
            _owners[change.Tuple] = change.HostName;
        }

        if (change.From == TcpState.TimeWait)
        {
            EndTimeWait(key, change);
        }

        if (change.To == TcpState.TimeWait)
        {
            _timeWaits[key] = new TimeWaitWatch(change.Time, change.Time);
        }
    }

    private void ForgetConnection(string host, FourTuple tuple)
    {
        if (_owners.TryGetValue(tuple, out var owner) && owner == host)
        {
            _owners.Remove(tuple);
            _directions.Remove(tuple);
            if (_expectedRetransmissions.Count > 0)
            {
                foreach (var key in _expectedRetransmissions.Keys.Where(k => k.Tuple == tuple).ToList())
                {
                    _expectedRetransmissions.Remove(key);
                }
            }
        }
    }

    private void EndTimeWait((string Host, FourTuple Tuple) key, TcpStateChanged change)
    {
        if (!_timeWaits.Remove(key, out var watch))
        {
            return;
        }

        TimeWaitsChecked++;
        var deadline = watch.LastRestart + TimeWaitLength;
        if (change.Time >= deadline + TimeWaitTickTolerance)
        {
            Report(Invariants.TimeWaitOverstayed, $"{key.Host} {key.Tuple}: TIME_WAIT entered at {watch.Entered} s, last restarted at {watch.LastRestart} s, ended at {change.Time} s, after its deadline {deadline} s ({change.Reason})");
        }
    }

    private void OnRetransmitted(TcpRetransmitted retransmitted)
    {
        // Kept even before the direction is known: the original may have been corrupted (and ignored).
        var key = (retransmitted.Tuple, retransmitted.Seq.Value);
        _expectedRetransmissions[key] = _expectedRetransmissions.GetValueOrDefault(key) + 1;
    }

    private void OnImpaired(PacketImpaired impaired)
    {
        // netem duplicates a GSO packet before it cuts one of the copies to corrupt it (netem_segment): the whole and
        // the pieces are different packets, so the range a duplicate covers is remembered, not only the packet.
        if (impaired.Duplicate && impaired.Packet is Segment segment && _directions.TryGetValue(segment.SenderTuple, out var direction))
        {
            long start = Offset(segment.Seq, direction.Isn);
            direction.NetemDuplicated.Add(start, start + segment.SequenceLength);
        }
    }

    private bool TakeRetransmission(FourTuple tuple, SeqNum seq)
    {
        var key = (tuple, seq.Value);
        if (!_expectedRetransmissions.TryGetValue(key, out int count))
        {
            return false;
        }

        if (count == 1)
        {
            _expectedRetransmissions.Remove(key);
        }
        else
        {
            _expectedRetransmissions[key] = count - 1;
        }

        return true;
    }

    private void OnCaptured(PacketCaptured captured)
    {
        if (captured.Packet is not Segment segment)
        {
            return;
        }

        if (_timeWaits.Count > 0 && _timeWaits.TryGetValue((captured.HostName, segment.ReceiverTuple), out var watch))
        {
            // A segment reaching a timewait may restart its 60 s (a retransmitted FIN does): the deadline moves at most to now + 60 s.
            watch.LastRestart = captured.Time;
        }

        if (captured.Direction != CaptureDirection.Out || segment.Corrupted)
        {
            return;
        }

        if (_owners.TryGetValue(segment.SenderTuple, out var owner) && owner == captured.HostName)
        {
            TrackSequence(captured, segment);
        }

        CheckAck(captured, segment);
    }

    private void TrackSequence(PacketCaptured captured, Segment segment)
    {
        var tuple = segment.SenderTuple;
        _directions.TryGetValue(tuple, out var direction);
        if (segment.IsSyn && (direction is null || direction.Isn != segment.Seq))
        {
            direction = new DirectionState(segment.Seq, direction) { OpenedByConnect = !segment.HasAck };
            _directions[tuple] = direction;
        }

        int length = segment.SequenceLength;
        if (direction is null || length == 0)
        {
            return;
        }

        SegmentsChecked++;
        long start = Offset(segment.Seq, direction.Isn);
        if (start >= OffsetBeforeIsn)
        {
            Report(Invariants.SequenceBackwards, $"{captured.HostName} sent {segment}: it starts {(1L << 32) - start} before the connection's ISN {direction.Isn}");
            return;
        }

        long end = start + length;
        // A socket that connect()ed and met a crossing SYN answers it with a SYN-ACK of the same ISN: not a retransmission.
        bool simultaneousOpen = segment.IsSyn && segment.HasAck && direction.OpenedByConnect && !direction.SynAckSent;
        direction.SynAckSent |= segment.IsSyn && segment.HasAck;
        bool overlaps = direction.Space.Overlaps(start, end);
        if (!overlaps && _expectedRetransmissions.ContainsKey((tuple, segment.Seq.Value)))
        {
            // Perhaps a retransmission that overtook its original (the event is left for whichever copy repeats it).
            direction.Retransmitted.Add(start, end);
        }
        else if (overlaps && !simultaneousOpen && !_sentPackets.TryGetValue(segment, out _) && !OvertakenOriginal(direction, start, end)
            && !direction.NetemDuplicated.CoversWhatIsIn(direction.Space, start, end))
        {
            if (TakeRetransmission(tuple, segment.Seq))
            {
                direction.Retransmitted.Add(start, end);
            }
            else
            {
                Report(Invariants.SequenceBackwards, $"{captured.HostName} sent {segment}, covering offsets {start}..{end} of a direction already sent up to {direction.Space.End}, yet it is neither a retransmission (no TcpRetransmitted event for seq {segment.Seq}) nor a netem duplicate");
            }
        }

        direction.Space.Add(start, end);
        _sentPackets.AddOrUpdate(segment, s_seen);
        if (!segment.Payload.IsEmpty)
        {
            long dataOffset = start + (segment.IsSyn ? 1 : 0) - 1;
            long differs = direction.Bytes.Record(dataOffset, segment.Payload.Span);
            if (differs >= 0)
            {
                Report(Invariants.PayloadChanged, $"{captured.HostName} sent {segment}: stream byte {differs} is 0x{segment.Payload.Span[(int)(differs - dataOffset)]:x2}, but 0x{direction.Bytes.At(differs):x2} was sent at that offset before");
            }
        }
    }

    /// <summary>
    /// A first transmission that a retransmission of part of it overtook on the way (netem's jitter, a TLP of a GSO
    /// packet's last segment): it carries bytes never put on the wire, which no retransmission does (Linux
    /// retransmits only sk_buffs already sent), and what it repeats went out only as retransmissions.
    /// </summary>
    private static bool OvertakenOriginal(DirectionState direction, long start, long end) =>
        !direction.Space.Covers(start, end) && direction.Retransmitted.CoversWhatIsIn(direction.Space, start, end);

    private void CheckAck(PacketCaptured captured, Segment segment)
    {
        if (!segment.HasAck || !_directions.TryGetValue(segment.ReceiverTuple, out var peer))
        {
            return;
        }

        AcksChecked++;
        if (peer.Acknowledges(segment.Ack))
        {
            return;
        }

        long acked = Offset(segment.Ack, peer.Isn);
        Report(Invariants.AckBeyondSent, $"{captured.HostName} sent {segment}: it acknowledges {acked - peer.Space.End} byte(s) beyond what {segment.DestinationSocket} has sent (offset {acked}, sent up to {peer.Space.End} from ISN {peer.Isn})");
    }

    private static long Offset(SeqNum seq, SeqNum isn) => unchecked((uint)(seq.Value - isn.Value));

    private void Report(string invariant, string message)
    {
        ViolationCount++;
        if (_violations.Count < ViolationLimit)
        {
            _violations.Add(new InvariantViolation(_system.Now, invariant, message));
        }

        if (StopOnViolation)
        {
            _system.RequestStop();
        }
    }

    /// <summary>When a timewait started and when a segment last reached it.</summary>
    private sealed class TimeWaitWatch(SimTime entered, SimTime lastRestart)
    {
        public SimTime Entered { get; } = entered;

        public SimTime LastRestart { get; set; } = lastRestart;
    }

    /// <summary>One direction of one incarnation of a connection, as its sender put it on the wire.</summary>
    private sealed class DirectionState(SeqNum isn, DirectionState? previous)
    {
        private readonly (SeqNum Isn, long End)? _previous = previous is null ? null : (previous.Isn, previous.Space.End);
        private StreamBytes? _bytes;

        public SeqNum Isn { get; } = isn;

        /// <summary>This direction began with a SYN without ACK (its socket connect()ed).</summary>
        public bool OpenedByConnect { get; init; }

        /// <summary>A SYN-ACK has been sent this way (a simultaneous open's first one is not a retransmission).</summary>
        public bool SynAckSent { get; set; }

        public SequenceSpace Space { get; } = new();

        /// <summary>The ranges netem duplicated (a GSO packet's copies may be one whole and one cut to corrupt it).</summary>
        public SequenceSpace NetemDuplicated { get; } = new();

        /// <summary>
        /// The ranges sent as announced retransmissions, or with the sequence number of one still expected (a subset of
        /// <see cref="Space"/>).
        /// </summary>
        public SequenceSpace Retransmitted { get; } = new();

        public StreamBytes Bytes => _bytes ??= new StreamBytes(PayloadMemoryLimitBytes);

        /// <summary>An acknowledgement number is fine if it lies within what this incarnation (or the one before, for late packets) sent.</summary>
        public bool Acknowledges(SeqNum ack)
        {
            long offset = Offset(ack, Isn);
            if (offset <= Space.End || offset >= OffsetBeforeIsn)
            {
                return true;
            }

            return _previous is { } old && Offset(ack, old.Isn) <= old.End;
        }
    }
}
