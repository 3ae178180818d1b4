using System.Diagnostics;
using System.Globalization;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;
using Names = TcpActors.Telemetry.TelemetryNames.Spans;

namespace TcpActors.Telemetry;

/// <summary>Settings of a <see cref="ConnectionTracer"/>.</summary>
public sealed record ConnectionTracerOptions
{
    /// <summary>
    /// The real instant simulated time 0 is mapped to. Null: the wall-clock instant the tracer is created,
    /// less the simulated time already run, so spans appear "now" in Tempo. Set it to replay a run with
    /// byte-identical timestamps.
    /// </summary>
    public DateTimeOffset? Epoch { get; init; }

    /// <summary>Also one child span per segment a traced connection sends (off by default: it multiplies the spans).</summary>
    public bool SegmentSpans { get; init; }

    /// <summary>Where chaos verdicts come from; null reads them from <see cref="PacketDropped"/> (<see cref="DroppedPacketVerdicts"/>).</summary>
    public IChaosVerdictSource? ChaosVerdicts { get; init; }

    /// <summary>Segment spans in flight kept per connection; the oldest is ended (truncated) beyond this.</summary>
    public int MaxSegmentsInFlight { get; init; } = 256;
}

/// <summary>
/// Turns the simulation's TCP events into OpenTelemetry spans through an <see cref="ActivitySource"/>
/// named <see cref="TelemetryNames.ActivitySourceName"/>: one trace per connection, holding one
/// <c>tcp.connection</c> span per simulated end (per 4-tuple on one host, from the first SYN sent or
/// received to CLOSED: the end of TIME_WAIT, an RST or a timeout): the client's span is the root, the
/// server's its child. Each span has an event for every state change, retransmission, RST, error, chaos
/// verdict and drop that touches its end; optionally one <c>tcp.segment</c> child span per segment.
/// <para>
/// Spans carry simulated time mapped onto <see cref="Timeline"/>; trace ids are derived from the run's
/// seed and the connection (<see cref="DeterministicTraceIds"/>), so a replay samples and exports the
/// same traces. Nothing is built unless the source has a listener, and a span the sampler drops records
/// nothing. It runs on the simulation's thread, inside the event stream's callbacks; dispose it (after
/// the run) to end the spans still open and unsubscribe.
/// </para>
/// </summary>
public sealed partial class ConnectionTracer : IDisposable
{
    // A zero-length activity is taken for one never ended (Activity.Stop stamps the wall clock), so the
    // shortest span lasts one 100 ns tick.
    private static readonly TimeSpan s_shortestSpan = TimeSpan.FromTicks(1);

    private readonly Topology _topology;
    private readonly ActorSystem _system;
    private readonly ConnectionTracerOptions _options;
    private readonly string _seedText;
    private readonly Dictionary<FourTuple, ConnectionSpan> _byTuple = [];
    private readonly List<ConnectionSpan> _touched = [];
    private readonly List<ConnectionSpan> _arrivals = [];
    private SimTime _arrivalInstant;
    private readonly List<IDisposable> _subscriptions = [];
    private bool _disposed;

    public ConnectionTracer(Topology topology, ConnectionTracerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
        _system = topology.System;
        _options = options ?? new ConnectionTracerOptions();
        _seedText = _system.Seed.ToString(CultureInfo.InvariantCulture);
        Source = new ActivitySource(TelemetryNames.ActivitySourceName);
        var epoch = _options.Epoch ?? DateTimeOffset.UtcNow.AddTicks(-_system.Now.Nanoseconds / 100);
        Timeline = new SimulatedTimeline(epoch);
        var events = _system.EventStream;
        _subscriptions.Add(events.Subscribe<TcpStateChanged>(OnStateChanged));
        _subscriptions.Add(events.Subscribe<TcpRetransmitted>(OnRetransmitted));
        _subscriptions.Add(events.Subscribe<TcpSocketError>(OnSocketError));
        _subscriptions.Add(events.Subscribe<PacketCaptured>(OnCaptured));
        _subscriptions.Add(events.Subscribe<PacketDropped>(OnDropped));
        _subscriptions.Add((_options.ChaosVerdicts ?? new DroppedPacketVerdicts(events)).Subscribe(OnChaosVerdict));
    }

    /// <summary>This tracer's source (named <c>TcpActors</c>; one instance per tracer, so listeners can tell runs apart).</summary>
    public ActivitySource Source { get; }

    /// <summary>How simulated time maps onto span timestamps.</summary>
    public SimulatedTimeline Timeline { get; }

    /// <summary>Connection spans open, one per end being followed (recorded or not).</summary>
    public int OpenSpanCount { get; private set; }

    /// <summary><c>tcp.connection</c> spans started since the tracer was created, one per simulated end (recorded or not).</summary>
    public long SpansStarted { get; private set; }

    /// <summary>
    /// Connections, that is traces, started since the tracer was created (recorded or not): the root
    /// spans, a server end joining its client's trace not counted again.
    /// </summary>
    public long ConnectionsStarted { get; private set; }

    /// <summary>
    /// Ends every span still open at the current simulated time, marked <c>tcpactors.span.truncated</c>, so
    /// an exporter flushing at the end of a run gets connections that never closed. Call it between runs,
    /// never while the simulation is running on another thread.
    /// </summary>
    public void EndOpenSpans()
    {
        SettleArrivals(SimTime.MaxValue);
        var open = _byTuple.Values.SelectMany(Chain).OrderBy(s => s.StartNanoseconds).ThenBy(s => s.HostName, StringComparer.Ordinal).ToList();
        foreach (var span in open)
        {
            span.Activity?.SetTag(Attr.SpanTruncated, true);
            End(span, _system.Now, truncated: true);
        }

        _byTuple.Clear();
        OpenSpanCount = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        EndOpenSpans();
        Source.Dispose();
    }

    private static IEnumerable<ConnectionSpan> Chain(ConnectionSpan first)
    {
        for (var span = first; span is not null; span = span.Next)
        {
            yield return span;
        }
    }

    private void OnStateChanged(TcpStateChanged change)
    {
        SettleArrivals(change.Time);
        if (!Source.HasListeners() || change.From == TcpState.Listen || change.To == TcpState.Listen)
        {
            return;
        }

        var span = Find(change.HostName, change.Tuple);
        if (span is null)
        {
            if (change.To == TcpState.Closed)
            {
                return;
            }

            span = Start(change);
        }

        span.State = change.To;
        if (span.Activity is { } activity)
        {
            activity.AddEvent(new ActivityEvent(Names.StateChangeEvent, Timeline.At(change.Time), new ActivityTagsCollection
            {
                [Attr.TcpState] = TelemetryValues.State(change.To),
                [Attr.TcpStatePrevious] = TelemetryValues.State(change.From),
                [Attr.Reason] = change.Reason,
            }));
            activity.SetTag(Attr.NetworkConnectionState, TelemetryValues.State(change.To));
            if (change.To != TcpState.Closed)
            {
                activity.SetTag(Attr.TcpState, TelemetryValues.State(change.To));
            }
            else
            {
                activity.SetTag(Attr.Reason, change.Reason);
            }
        }

        if (change.To == TcpState.Closed)
        {
            Remove(span);
            End(span, change.Time, truncated: false);
        }
    }

    private void OnRetransmitted(TcpRetransmitted retransmission)
    {
        SettleArrivals(retransmission.Time);
        if (Find(retransmission.HostName, retransmission.Tuple)?.Activity is not { } activity)
        {
            return;
        }

        activity.AddEvent(new ActivityEvent(Names.RetransmissionEvent, Timeline.At(retransmission.Time), new ActivityTagsCollection
        {
            [Attr.TcpRetransmissionKind] = TelemetryValues.Kind(retransmission.Kind),
            [Attr.TcpSeq] = (long)retransmission.Seq.Value,
            [Attr.TcpLength] = retransmission.Length,
        }));
    }

    private void OnSocketError(TcpSocketError error)
    {
        SettleArrivals(error.Time);
        if (Find(error.HostName, error.Tuple)?.Activity is not { } activity)
        {
            return;
        }

        string errno = TelemetryValues.ErrnoName(error.Errno);
        string errorType = TelemetryValues.ErrorType(error.Errno);
        activity.AddEvent(new ActivityEvent(Names.ErrorEvent, Timeline.At(error.Time), new ActivityTagsCollection
        {
            [Attr.TcpErrno] = errno,
            [Attr.ErrorType] = errorType,
            [Attr.Reason] = error.Reason,
        }));
        activity.SetTag(Attr.TcpErrno, errno);
        activity.SetTag(Attr.ErrorType, errorType);
        activity.SetStatus(ActivityStatusCode.Error, $"{errno}: {error.Reason}");
    }

    private void OnCaptured(PacketCaptured capture)
    {
        SettleArrivals(capture.Time);
        if (capture.Packet is not Segment segment || _byTuple.Count == 0)
        {
            return;
        }

        bool loopback = capture.InterfaceName == "lo";
        if (capture.Direction == CaptureDirection.Out && Find(capture.HostName, segment.SenderTuple) is { } sender)
        {
            if (segment.IsRst)
            {
                AddResetEvent(sender, capture.Time, segment, "transmit");
            }

            if (_options.SegmentSpans)
            {
                StartSegment(sender, capture.Time, segment, arrivedAlready: loopback);
            }
        }

        if ((capture.Direction == CaptureDirection.In || loopback) && IsAddressedTo(capture.HostName, segment))
        {
            if (segment.IsRst && Find(capture.HostName, segment.ReceiverTuple) is { } receiver)
            {
                AddResetEvent(receiver, capture.Time, segment, "receive");
            }

            if (_options.SegmentSpans && !loopback)
            {
                CompleteSegment(capture.HostName, capture.Time, segment, drop: null);
            }
        }
    }

    private void OnDropped(PacketDropped dropped)
    {
        SettleArrivals(dropped.Time);
        if (dropped.Packet is not Segment segment || _byTuple.Count == 0)
        {
            return;
        }

        if (_options.SegmentSpans)
        {
            CompleteSegment(dropped.HostName, dropped.Time, segment, dropped);
        }

        if (DroppedPacketVerdicts.IsChaosReason(dropped.Reason))
        {
            return; // recorded as a chaos verdict
        }

        foreach (var span in Touched(dropped.HostName, segment))
        {
            span.Activity?.AddEvent(new ActivityEvent(Names.DropEvent, Timeline.At(dropped.Time), new ActivityTagsCollection
            {
                [Attr.DropReason] = TelemetryValues.Reason(dropped.Reason),
                [Attr.Reason] = dropped.Detail,
                [Attr.HostName] = dropped.HostName,
                [Attr.TcpFlags] = TelemetryValues.Flags(segment.Flags),
                [Attr.TcpSeq] = (long)segment.Seq.Value,
            }));
        }
    }

    private void OnChaosVerdict(ChaosVerdict verdict)
    {
        SettleArrivals(verdict.Time);
        if (verdict.Packet is not Segment segment || _byTuple.Count == 0)
        {
            return;
        }

        foreach (var span in Touched(verdict.HostName, segment))
        {
            span.Activity?.AddEvent(new ActivityEvent(Names.ChaosVerdictEvent, Timeline.At(verdict.Time), new ActivityTagsCollection
            {
                [Attr.ChaosRule] = verdict.Rule,
                [Attr.ChaosAction] = TelemetryValues.Action(verdict.Kind),
                [Attr.HostName] = verdict.HostName,
                [Attr.TcpFlags] = TelemetryValues.Flags(segment.Flags),
                [Attr.TcpSeq] = (long)segment.Seq.Value,
            }));
        }
    }

    private void AddResetEvent(ConnectionSpan span, SimTime time, Segment segment, string direction) =>
        span.Activity?.AddEvent(new ActivityEvent(Names.ResetEvent, Timeline.At(time), new ActivityTagsCollection
        {
            [Attr.NetworkIoDirection] = direction,
            [Attr.TcpFlags] = TelemetryValues.Flags(segment.Flags),
            [Attr.TcpSeq] = (long)segment.Seq.Value,
        }));

    private ConnectionSpan Start(TcpStateChanged change)
    {
        var kind = KindOf(change.To);
        var span = new ConnectionSpan(change.HostName, change.Tuple, change.Time.Nanoseconds, kind);
        var tags = InitialTags(change, kind);
        var ambient = Activity.Current;
        Activity.Current = null;
        Activity? activity;
        try
        {
            activity = StartConnectionActivity(span, tags, Timeline.At(change.Time));
        }
        finally
        {
            Activity.Current = ambient;
        }

        if (activity is not null)
        {
            span.Context = activity.Context;
            if (activity.IsAllDataRequested)
            {
                span.Activity = activity;
            }
            else
            {
                activity.Stop();
            }
        }

        Add(span);
        SpansStarted++;
        return span;
    }

    private KeyValuePair<string, object?>[] InitialTags(TcpStateChanged change, ActivityKind kind)
    {
        var local = change.Tuple.Local;
        var remote = change.Tuple.Remote;
        string localAddress = local.Address.ToString();
        string remoteAddress = remote.Address.ToString();
        var tags = new List<KeyValuePair<string, object?>>(16)
        {
            new(Attr.NetworkTransport, "tcp"),
            new(Attr.NetworkType, "ipv4"),
            new(Attr.NetworkLocalAddress, localAddress),
            new(Attr.NetworkLocalPort, (int)local.Port),
            new(Attr.NetworkPeerAddress, remoteAddress),
            new(Attr.NetworkPeerPort, (int)remote.Port),
        };
        if (kind == ActivityKind.Client)
        {
            tags.AddRange([new(Attr.ClientAddress, localAddress), new(Attr.ClientPort, (int)local.Port), new(Attr.ServerAddress, remoteAddress), new(Attr.ServerPort, (int)remote.Port)]);
        }
        else if (kind == ActivityKind.Server)
        {
            tags.AddRange([new(Attr.ClientAddress, remoteAddress), new(Attr.ClientPort, (int)remote.Port), new(Attr.ServerAddress, localAddress), new(Attr.ServerPort, (int)local.Port)]);
        }

        tags.AddRange(
        [
            new(Attr.NetworkConnectionState, TelemetryValues.State(change.To)),
            new(Attr.TcpState, TelemetryValues.State(change.To)),
            new(Attr.HostName, change.HostName),
            new(Attr.RunSeed, _seedText),
        ]);
        return [.. tags];
    }

    private void End(ConnectionSpan span, SimTime time, bool truncated)
    {
        EndSegments(span, time);
        if (span.Activity is not { } activity)
        {
            return;
        }

        if (truncated)
        {
            activity.SetTag(Attr.NetworkConnectionState, TelemetryValues.State(span.State));
        }

        Stop(activity, time);
        span.Activity = null;
    }

    private void Stop(Activity activity, SimTime time)
    {
        var end = Timeline.UtcAt(time);
        var shortest = activity.StartTimeUtc + s_shortestSpan;
        activity.SetEndTime(end < shortest ? shortest : end);
        activity.Stop();
    }

    /// <summary>Whether a packet captured on <paramref name="hostName"/> was addressed to that host (not forwarded by it).</summary>
    private bool IsAddressedTo(string hostName, Segment segment) =>
        _topology.TryGetHost(hostName, out var host) && host.IsLocalAddress(segment.Destination);

    private ConnectionSpan? Find(string hostName, FourTuple tuple)
    {
        if (!_byTuple.TryGetValue(tuple, out var span))
        {
            return null;
        }

        while (span is not null && !string.Equals(span.HostName, hostName, StringComparison.Ordinal))
        {
            span = span.Next;
        }

        return span;
    }

    /// <summary>
    /// The connections a packet seen on <paramref name="whereHost"/> belongs to: its sender's and its
    /// receiver's. A loopback 4-tuple can exist on several hosts at once, so loopback packets only touch
    /// connections of the host they were seen on.
    /// </summary>
    private List<ConnectionSpan> Touched(string whereHost, Segment segment)
    {
        _touched.Clear();
        bool loopback = segment.Source.IsLoopback || segment.Destination.IsLoopback;
        foreach (var tuple in (ReadOnlySpan<FourTuple>)[segment.SenderTuple, segment.ReceiverTuple])
        {
            if (!_byTuple.TryGetValue(tuple, out var span))
            {
                continue;
            }

            for (; span is not null; span = span.Next)
            {
                if (!loopback || string.Equals(span.HostName, whereHost, StringComparison.Ordinal))
                {
                    _touched.Add(span);
                }
            }
        }

        return _touched;
    }

    private void Add(ConnectionSpan span)
    {
        if (_byTuple.TryGetValue(span.Tuple, out var first))
        {
            span.Next = first;
        }

        _byTuple[span.Tuple] = span;
        OpenSpanCount++;
    }

    private void Remove(ConnectionSpan span)
    {
        if (!_byTuple.TryGetValue(span.Tuple, out var first))
        {
            return;
        }

        if (ReferenceEquals(first, span))
        {
            if (span.Next is null)
            {
                _byTuple.Remove(span.Tuple);
            }
            else
            {
                _byTuple[span.Tuple] = span.Next;
            }
        }
        else
        {
            var previous = first;
            while (previous.Next is not null && !ReferenceEquals(previous.Next, span))
            {
                previous = previous.Next;
            }

            previous.Next = span.Next;
        }

        span.Next = null;
        OpenSpanCount--;
    }

    /// <summary>One followed end of a connection: its activity when recorded, its context, state and segments in flight.</summary>
    private sealed class ConnectionSpan(string hostName, FourTuple tuple, long startNanoseconds, ActivityKind kind)
    {
        public string HostName { get; } = hostName;

        public FourTuple Tuple { get; } = tuple;

        public long StartNanoseconds { get; } = startNanoseconds;

        /// <summary>Client (active open), Server (passive open) or Internal (first seen in another state).</summary>
        public ActivityKind Kind { get; } = kind;

        /// <summary>The instance number of the connection's 4-tuple (as the client sees it), shared by both ends.</summary>
        public long Instance { get; set; }

        /// <summary>A client end whose server end has joined its trace.</summary>
        public bool HasServerEnd { get; set; }

        public Activity? Activity { get; set; }

        public ActivityContext Context { get; set; }

        public TcpState State { get; set; }

        public ConnectionSpan? Next { get; set; }

        public List<SegmentInFlight>? Segments { get; set; }
    }

    private readonly record struct SegmentInFlight(Activity Activity, SeqNum Seq, SeqNum Ack, TcpFlags Flags, int Length, SimTime? ArrivedAt = null)
    {
        public bool Matches(Segment segment) =>
            segment.Seq == Seq && segment.Ack == Ack && segment.Flags == Flags && segment.PayloadLength == Length;
    }
}
