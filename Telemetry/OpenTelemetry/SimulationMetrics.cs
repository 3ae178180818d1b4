using System.Diagnostics;
using System.Diagnostics.Metrics;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;
using Names = TcpActors.Telemetry.TelemetryNames.Instruments;

namespace TcpActors.Telemetry;

/// <summary>Settings of <see cref="SimulationMetrics"/>.</summary>
public sealed record SimulationMetricsOptions
{
    /// <summary>
    /// How often (wall clock) the gauges' values are sampled from the TCP stacks while the simulation runs.
    /// Sampling happens on the simulation's thread, inside an event callback, because the stacks are not
    /// thread-safe; exporters then read the last sample from their own thread.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Where chaos verdicts come from; null reads them from <see cref="PacketDropped"/> (<see cref="DroppedPacketVerdicts"/>).</summary>
    public IChaosVerdictSource? ChaosVerdicts { get; init; }
}

/// <summary>
/// The simulation's metrics, on a <see cref="System.Diagnostics.Metrics.Meter"/> named
/// <see cref="TelemetryNames.MeterName"/> (one instance per run): gauges of connections by host and state,
/// TIME_WAIT entries, ports in use, simulated time and speed; counters of segments by flags, retransmissions
/// by kind, resets, connect and socket errors by errno, chaos verdicts by rule and drops by reason.
/// <para>
/// Counters are recorded from the event stream as things happen (a counter nobody listens to costs one
/// <c>Enabled</c> check). Gauges report the current values: the TCP stacks are sampled on the simulation's
/// thread at most every <see cref="SimulationMetricsOptions.RefreshInterval"/> and by <see cref="Refresh"/>,
/// and the periodic reader of an exporter reads the latest sample on its own thread. Simulated time is read
/// live, so a dashboard can plot against it even while nothing happens.
/// </para>
/// </summary>
public sealed class SimulationMetrics : IDisposable
{
    private static readonly TcpState[] s_reportedStates = Enum.GetValues<TcpState>().Where(s => s != TcpState.Closed).ToArray();

    private readonly ActorSystem _system;
    private readonly HostEntry[] _hosts;
    private readonly Dictionary<string, HostEntry> _hostsByName;
    private readonly long _refreshTicks;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Counter<long> _segments;
    private readonly Counter<long> _retransmissions;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _connectErrors;
    private readonly Counter<long> _socketErrors;
    private readonly Counter<long> _chaosVerdicts;
    private readonly Counter<long> _drops;
    private readonly Lock _speedLock = new();
    private HostSample[] _samples = [];
    private long _nextRefreshTimestamp;
    private long _speedWallTimestamp;
    private long _speedSimulatedNanoseconds;
    private bool _disposed;

    public SimulationMetrics(Topology topology, SimulationMetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        options ??= new SimulationMetricsOptions();
        _system = topology.System;
        _hosts = topology.Hosts.Where(h => h.Transport is TcpStack).Select(h => new HostEntry(h)).ToArray();
        _hostsByName = _hosts.ToDictionary(h => h.Host.Name, StringComparer.Ordinal);
        _refreshTicks = (long)(options.RefreshInterval.TotalSeconds * Stopwatch.Frequency);
        _speedWallTimestamp = Stopwatch.GetTimestamp();
        _speedSimulatedNanoseconds = _system.Now.Nanoseconds;

        Meter = new Meter(TelemetryNames.MeterName);
        Meter.CreateObservableGauge(Names.Connections, ObserveConnections, Names.ConnectionsUnit, "Sockets by host and TCP state (LISTEN included, CLOSED left out)");
        Meter.CreateObservableGauge(Names.TimeWaitEntries, () => ObservePerHost(s => s.TimeWait), Names.TimeWaitEntriesUnit, "Entries in the host's TIME_WAIT table (TIME_WAIT and orphaned FIN_WAIT2 timewaits)");
        Meter.CreateObservableGauge(Names.PortsInUse, () => ObservePerHost(s => s.PortsInUse), Names.PortsInUseUnit, "Local ports held by a socket or a TIME_WAIT entry");
        Meter.CreateObservableGauge(Names.EphemeralPortRange, () => ObservePerHost(s => s.EphemeralRange), Names.EphemeralPortRangeUnit, "Ports in net.ipv4.ip_local_port_range");
        Meter.CreateObservableGauge(Names.SimulatedTime, () => _system.Now.TotalSeconds, Names.SimulatedTimeUnit, "Simulated time since the start of the run");
        Meter.CreateObservableGauge(Names.SpeedRatio, ObserveSpeed, Names.SpeedRatioUnit, "Simulated seconds per wall-clock second since the previous observation");
        Meter.CreateObservableCounter(Names.Events, () => _system.EventsProcessed, Names.EventsUnit, "Events the simulation has run");
        _segments = Meter.CreateCounter<long>(Names.Segments, Names.SegmentsUnit, "TCP segments sent or received by a host, by flags, as tcpdump on its interfaces sees them");
        _retransmissions = Meter.CreateCounter<long>(Names.Retransmissions, Names.RetransmissionsUnit, "Segments sent again, by kind");
        _resets = Meter.CreateCounter<long>(Names.Resets, Names.ResetsUnit, "RST segments sent or received by a host");
        _connectErrors = Meter.CreateCounter<long>(Names.ConnectErrors, Names.ConnectErrorsUnit, "connect() calls that failed, by errno");
        _socketErrors = Meter.CreateCounter<long>(Names.SocketErrors, Names.SocketErrorsUnit, "Errors reported by sockets past SYN-SENT (resets, timeouts), by errno");
        _chaosVerdicts = Meter.CreateCounter<long>(Names.ChaosVerdicts, Names.ChaosVerdictsUnit, "Packets a chaos rule decided on, by rule and action");
        _drops = Meter.CreateCounter<long>(Names.Drops, Names.DropsUnit, "Packets discarded, by reason");

        var events = _system.EventStream;
        _subscriptions.Add(events.Subscribe<PacketCaptured>(OnCaptured));
        _subscriptions.Add(events.Subscribe<PacketDropped>(OnDropped));
        _subscriptions.Add(events.Subscribe<TcpStateChanged>(OnStateChanged));
        _subscriptions.Add(events.Subscribe<TcpRetransmitted>(OnRetransmitted));
        _subscriptions.Add(events.Subscribe<TcpSocketError>(OnSocketError));
        _subscriptions.Add(events.Subscribe<TcpConnectRefusedLocally>(OnConnectRefusedLocally));
        _subscriptions.Add((options.ChaosVerdicts ?? new DroppedPacketVerdicts(events)).Subscribe(OnChaosVerdict));
        Refresh();
    }

    /// <summary>This run's meter (named <c>TcpActors</c>).</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Samples the gauges' values from the TCP stacks now. Call it on the simulation's thread or between
    /// runs (never while the simulation runs on another thread); it also happens by itself during a run.
    /// </summary>
    public void Refresh()
    {
        var samples = new HostSample[_hosts.Length];
        for (int i = 0; i < _hosts.Length; i++)
        {
            var stack = (TcpStack)_hosts[i].Host.Transport!;
            var byState = new int[s_reportedStates.Length];
            foreach (var (state, count) in stack.CountByState())
            {
                int index = Array.IndexOf(s_reportedStates, state);
                if (index >= 0)
                {
                    byState[index] = count;
                }
            }

            var (low, high) = _hosts[i].Host.Sysctls.IpLocalPortRange;
            samples[i] = new HostSample(byState, stack.TimeWaitCount, stack.PortsInUse, high - low + 1);
        }

        Volatile.Write(ref _samples, samples);
        _nextRefreshTimestamp = Stopwatch.GetTimestamp() + _refreshTicks;
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

        Meter.Dispose();
    }

    private void MaybeRefresh()
    {
        if (Stopwatch.GetTimestamp() >= _nextRefreshTimestamp)
        {
            Refresh();
        }
    }

    private IEnumerable<Measurement<long>> ObserveConnections()
    {
        var samples = Volatile.Read(ref _samples);
        for (int i = 0; i < samples.Length; i++)
        {
            for (int s = 0; s < s_reportedStates.Length; s++)
            {
                yield return new Measurement<long>(samples[i].ByState[s], _hosts[i].Tag, new KeyValuePair<string, object?>(Attr.NetworkConnectionState, TelemetryValues.State(s_reportedStates[s])));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObservePerHost(Func<HostSample, int> value)
    {
        var samples = Volatile.Read(ref _samples);
        for (int i = 0; i < samples.Length; i++)
        {
            yield return new Measurement<long>(value(samples[i]), _hosts[i].Tag);
        }
    }

    private double ObserveSpeed()
    {
        lock (_speedLock)
        {
            long wall = Stopwatch.GetTimestamp();
            long simulated = _system.Now.Nanoseconds;
            double wallSeconds = (double)(wall - _speedWallTimestamp) / Stopwatch.Frequency;
            double simulatedSeconds = (simulated - _speedSimulatedNanoseconds) / 1e9;
            _speedWallTimestamp = wall;
            _speedSimulatedNanoseconds = simulated;
            return wallSeconds > 0 ? simulatedSeconds / wallSeconds : 0;
        }
    }

    private void OnCaptured(PacketCaptured capture)
    {
        MaybeRefresh();
        if (capture.Packet is not Segment segment || !(_segments.Enabled || _resets.Enabled) || !_hostsByName.TryGetValue(capture.HostName, out var entry))
        {
            return;
        }

        var host = entry.Host;
        bool loopback = capture.InterfaceName == "lo";
        if (capture.Direction == CaptureDirection.Out && host.IsLocalAddress(segment.Source))
        {
            CountSegment(entry, segment, "transmit");
        }

        if ((capture.Direction == CaptureDirection.In || loopback) && host.IsLocalAddress(segment.Destination))
        {
            CountSegment(entry, segment, "receive");
        }
    }

    private void CountSegment(HostEntry entry, Segment segment, string direction)
    {
        var directionTag = new KeyValuePair<string, object?>(Attr.NetworkIoDirection, direction);
        _segments.Add(1, entry.Tag, directionTag, new KeyValuePair<string, object?>(Attr.TcpFlags, TelemetryValues.Flags(segment.Flags)));
        if (segment.IsRst)
        {
            _resets.Add(1, entry.Tag, directionTag);
        }
    }

    private void OnDropped(PacketDropped dropped)
    {
        MaybeRefresh();
        if (_drops.Enabled)
        {
            _drops.Add(1, HostTag(dropped.HostName), new KeyValuePair<string, object?>(Attr.DropReason, TelemetryValues.Reason(dropped.Reason)));
        }
    }

    private void OnChaosVerdict(ChaosVerdict verdict)
    {
        if (_chaosVerdicts.Enabled)
        {
            _chaosVerdicts.Add(
                1,
                HostTag(verdict.HostName),
                new KeyValuePair<string, object?>(Attr.ChaosRule, verdict.Rule),
                new KeyValuePair<string, object?>(Attr.ChaosAction, TelemetryValues.Action(verdict.Kind)));
        }
    }

    private void OnStateChanged(TcpStateChanged change)
    {
        MaybeRefresh();
        if (!_hostsByName.TryGetValue(change.HostName, out var entry))
        {
            return;
        }

        // Which sockets are connecting, to tell connect() failures from errors of established connections.
        if (change.To == TcpState.SynSent)
        {
            entry.Connecting.Add(change.Tuple);
        }
        else if (change.From == TcpState.SynSent)
        {
            entry.Connecting.Remove(change.Tuple);
        }
    }

    private void OnRetransmitted(TcpRetransmitted retransmission)
    {
        if (_retransmissions.Enabled)
        {
            _retransmissions.Add(1, HostTag(retransmission.HostName), new KeyValuePair<string, object?>(Attr.TcpRetransmissionKind, TelemetryValues.Kind(retransmission.Kind)));
        }
    }

    private void OnSocketError(TcpSocketError error)
    {
        bool connecting = _hostsByName.TryGetValue(error.HostName, out var entry) && entry.Connecting.Contains(error.Tuple);
        var counter = connecting ? _connectErrors : _socketErrors;
        if (counter.Enabled)
        {
            counter.Add(1, HostTag(error.HostName), ErrnoTag(error.Errno), ErrorTypeTag(error.Errno));
        }
    }

    private void OnConnectRefusedLocally(TcpConnectRefusedLocally refused)
    {
        if (_connectErrors.Enabled)
        {
            _connectErrors.Add(1, HostTag(refused.HostName), ErrnoTag(refused.Errno), ErrorTypeTag(refused.Errno));
        }
    }

    private KeyValuePair<string, object?> HostTag(string hostName) =>
        _hostsByName.TryGetValue(hostName, out var entry) ? entry.Tag : new KeyValuePair<string, object?>(Attr.HostName, hostName);

    private static KeyValuePair<string, object?> ErrnoTag(Errno errno) => new(Attr.TcpErrno, TelemetryValues.ErrnoName(errno));

    private static KeyValuePair<string, object?> ErrorTypeTag(Errno errno) => new(Attr.ErrorType, TelemetryValues.ErrorType(errno));

    /// <summary>A host with TCP, its attribute, and the sockets it has in SYN-SENT.</summary>
    private sealed class HostEntry(Host host)
    {
        public Host Host { get; } = host;

        public KeyValuePair<string, object?> Tag { get; } = new(Attr.HostName, host.Name);

        public HashSet<FourTuple> Connecting { get; } = [];
    }

    /// <summary>One host's gauge values at the last refresh (immutable once published).</summary>
    private sealed record HostSample(int[] ByState, int TimeWait, int PortsInUse, int EphemeralRange);
}
