using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>Counters of one netem queue, as <c>tc -s qdisc show</c> reports them, plus what netem did.</summary>
public readonly record struct NetemCounters(long SentPackets, long SentBytes, long Dropped, long Overlimits, long Requeues, long Duplicated, long Corrupted);

/// <summary>
/// netem on an interface's egress, following Linux 6.x's netem_enqueue packet for packet. Each packet
/// gets its departure time (time_to_send) when it is enqueued, and leaves at that time: packets are held
/// in time order (tfifo), so jitter can reorder them as it does on Linux.
/// <para>
/// In netem's order, per packet: maybe make a duplicate (never of a duplicate); decide loss (if lost and
/// not duplicated, the packet is gone); maybe corrupt it (the duplicate, copied before, stays intact);
/// drop it if the queue already holds <c>limit</c> packets; send the duplicate through netem again; then
/// either send the packet at once, ahead of everything queued (reorder, when not inside the gap), or
/// give it latency ± jitter from the distribution and, with a rate, queue it behind the last packet
/// queued and add its serialisation time. Every random choice is drawn from the stream given.
/// </para>
/// </summary>
public sealed class NetemQueueDiscipline : IQueueDiscipline
{
    private readonly string _hostName;
    private readonly string _interfaceName;
    private readonly RandomStream _random;
    private readonly EventChannel<PacketImpaired>? _impaired;
    private readonly EventChannel<PacketDropped>? _dropped;
    private readonly PriorityQueue<long, long> _queued = new();
    private CorrelatedRandom _delayCorrelation;
    private CorrelatedRandom _lossCorrelation;
    private CorrelatedRandom _duplicateCorrelation;
    private CorrelatedRandom _reorderCorrelation;
    private CorrelatedRandom _corruptCorrelation;
    private LossGenerator _loss;
    private short[]? _table;
    private uint _counter;
    private long _lastTimeToSend = long.MinValue;
    private NetemCounters _counters;

    /// <param name="hostName">The host, for events.</param>
    /// <param name="interfaceName">The interface whose egress this is, for events.</param>
    /// <param name="settings">As parsed from <c>tc qdisc add ... netem OPTIONS</c>.</param>
    /// <param name="random">The stream every netem decision draws from (e.g. <c>chaos/HOST/netem/IF</c>).</param>
    /// <param name="events">Where decisions are published; null publishes nothing.</param>
    public NetemQueueDiscipline(string hostName, string interfaceName, NetemSettings settings, RandomStream random, EventStream? events)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        _hostName = hostName;
        _interfaceName = interfaceName;
        _random = random;
        _impaired = events?.Channel<PacketImpaired>();
        _dropped = events?.Channel<PacketDropped>();
        Settings = new NetemSettings();
        Change(settings);
    }

    public NetemSettings Settings { get; private set; }

    public NetemCounters Counters => _counters;

    /// <summary>
    /// <c>tc qdisc change</c>, as netem_change does it: limit, delay, jitter, loss, duplicate and gap are
    /// replaced; correlations, reorder, corrupt, rate and the distribution only when the command gave them.
    /// Packets already queued keep their departure times.
    /// </summary>
    public void Change(NetemSettings update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var old = Settings;
        var attributes = update.Attributes;
        Settings = update with
        {
            DelayCorrelation = Has(attributes, NetemAttributes.Correlation) ? update.DelayCorrelation : old.DelayCorrelation,
            LossCorrelation = Has(attributes, NetemAttributes.Correlation) ? update.LossCorrelation : old.LossCorrelation,
            DuplicateCorrelation = Has(attributes, NetemAttributes.Correlation) ? update.DuplicateCorrelation : old.DuplicateCorrelation,
            Reorder = Has(attributes, NetemAttributes.Reorder) ? update.Reorder : old.Reorder,
            ReorderCorrelation = Has(attributes, NetemAttributes.Reorder) ? update.ReorderCorrelation : old.ReorderCorrelation,
            Corrupt = Has(attributes, NetemAttributes.Corrupt) ? update.Corrupt : old.Corrupt,
            CorruptCorrelation = Has(attributes, NetemAttributes.Corrupt) ? update.CorruptCorrelation : old.CorruptCorrelation,
            Distribution = Has(attributes, NetemAttributes.Distribution) ? update.Distribution : old.Distribution,
            Attributes = old.Attributes | attributes,
        };
        if (!Has(attributes, NetemAttributes.Rate))
        {
            Settings = Settings with { RateBytesPerSecond = old.RateBytesPerSecond, PacketOverhead = old.PacketOverhead, CellSize = old.CellSize, CellOverhead = old.CellOverhead };
        }

        ResetGenerators(attributes);
    }

    /// <summary>Packets still queued at <paramref name="now"/> (their departure is later).</summary>
    public int QueueLength(SimTime now)
    {
        ForgetDeparted(now.Nanoseconds);
        return _queued.Count;
    }

    public void Enqueue(Packet packet, SimTime now, List<Departure> departures)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(departures);
        ForgetDeparted(now.Nanoseconds);
        EnqueueCopy(packet, now, departures, isDuplicate: false);
    }

    private static bool Has(NetemAttributes attributes, NetemAttributes wanted) => (attributes & wanted) != 0;

    private void ResetGenerators(NetemAttributes attributes)
    {
        _counter = 0;
        _table = NetemDistributionTables.Table(Settings.Distribution);
        if (Has(attributes, NetemAttributes.Correlation))
        {
            _delayCorrelation.Initialize(Settings.DelayCorrelation, _random);
            _lossCorrelation.Initialize(Settings.LossCorrelation, _random);
            _duplicateCorrelation.Initialize(Settings.DuplicateCorrelation, _random);
        }

        if (Has(attributes, NetemAttributes.Reorder))
        {
            _reorderCorrelation.Initialize(Settings.ReorderCorrelation, _random);
        }

        if (Has(attributes, NetemAttributes.Corrupt))
        {
            _corruptCorrelation.Initialize(Settings.CorruptCorrelation, _random);
        }

        _loss.Reset();
    }

    private void EnqueueCopy(Packet packet, SimTime now, List<Departure> departures, bool isDuplicate)
    {
        var settings = Settings;
        int copies = 1;
        if (!isDuplicate && !settings.Duplicate.IsZero && settings.Duplicate.Scaled >= _duplicateCorrelation.Next(_random))
        {
            copies++;
        }

        if (_loss.IsLost(settings.Loss, ref _lossCorrelation, _random))
        {
            copies--;
        }

        if (copies == 0)
        {
            Drop(packet, now, NetemOutcome.Lost, isDuplicate);
            return;
        }

        var sent = packet;
        IReadOnlyList<Segment> others = [];
        bool corrupted = !settings.Corrupt.IsZero && settings.Corrupt.Scaled >= _corruptCorrelation.Next(_random);
        if (corrupted)
        {
            if (packet is Segment { GsoSegs: > 1 } gso)
            {
                // netem_segment: a GSO packet is cut into its segments before one is mangled; the first is corrupted,
                // the others go through netem afterwards, one by one (each rolls loss, duplicate and corrupt anew).
                var pieces = GsoSegmentation.Split(gso);
                sent = pieces[0];
                others = pieces.Skip(1).ToList();
            }

            sent = sent with { Corrupted = true };
            _counters = _counters with { Corrupted = _counters.Corrupted + 1 };
        }

        if (_queued.Count >= settings.Limit)
        {
            // qdisc_drop_all: the corrupted segment and the rest of its GSO packet.
            Drop(sent, now, NetemOutcome.QueueFull, isDuplicate);
            foreach (var other in others)
            {
                Drop(other, now, NetemOutcome.QueueFull, isDuplicate);
            }

            if (copies > 1)
            {
                Drop(packet, now, NetemOutcome.QueueFull, isDuplicate: true);
            }

            return;
        }

        if (copies > 1)
        {
            // netem re-enqueues the duplicate at the root before it schedules the original, so the copy goes first.
            _counters = _counters with { Duplicated = _counters.Duplicated + 1 };
            EnqueueCopy(packet, now, departures, isDuplicate: true);
        }

        Schedule(sent, now, departures, isDuplicate, corrupted);
        foreach (var other in others)
        {
            EnqueueCopy(other, now, departures, isDuplicate);
        }
    }

    private void Schedule(Packet packet, SimTime now, List<Departure> departures, bool isDuplicate, bool corrupted)
    {
        var settings = Settings;
        bool reorder = settings.Gap != 0 && _counter >= settings.Gap - 1 && settings.Reorder.Scaled >= _reorderCorrelation.Next(_random);
        long timeToSend;
        if (reorder)
        {
            // Sent at once, at the head of the queue: everything already queued is overtaken.
            timeToSend = now.Nanoseconds;
            _counter = 0;
            _counters = _counters with { Requeues = _counters.Requeues + 1 };
        }
        else
        {
            timeToSend = TimeToSend(packet, now.Nanoseconds);
            _counter++;
        }

        // A time_to_send in the past (jitter larger than the latency) means "now": nothing leaves before it arrives.
        long departure = Math.Max(timeToSend, now.Nanoseconds);
        if (departure > now.Nanoseconds)
        {
            _queued.Enqueue(departure, departure);
        }

        if (_queued.Count > settings.Limit + 1)
        {
            throw new InvalidOperationException($"netem on {_hostName}/{_interfaceName} holds {_queued.Count} packets, over its limit of {settings.Limit}");
        }

        _lastTimeToSend = Math.Max(_lastTimeToSend, departure);
        _counters = _counters with { SentPackets = _counters.SentPackets + 1, SentBytes = _counters.SentBytes + packet.IpLength };
        departures.Add(new Departure(packet, new SimTime(departure)));
        PublishSent(packet, now, reorder ? NetemOutcome.Reordered : NetemOutcome.Delayed, new Duration(departure - now.Nanoseconds), isDuplicate, corrupted);
    }

    /// <summary>
    /// Latency ± jitter from the distribution; with a rate, the packet also waits for the last packet still
    /// queued (its wait counts against the delay) and for its own serialisation.
    /// </summary>
    private long TimeToSend(Packet packet, long now)
    {
        var settings = Settings;
        long delay = TableDistribution(settings.Latency.Nanoseconds, (int)settings.Jitter.Nanoseconds);
        long start = now;
        if (settings.RateBytesPerSecond != 0)
        {
            if (_queued.Count > 0 && _lastTimeToSend > now)
            {
                delay = Math.Max(0, delay - (_lastTimeToSend - now));
                start = _lastTimeToSend;
            }

            delay += PacketTime(packet.IpLength);
        }

        return start + delay;
    }

    /// <summary>
    /// tabledist: with no table, uniform in [μ − σ, μ + σ); with one, μ + σ × entry / 8192, computed in
    /// two parts as the kernel does to stay in 64 bits, rounding the fractional part to nearest.
    /// </summary>
    private long TableDistribution(long mu, int sigma)
    {
        if (sigma == 0)
        {
            return mu;
        }

        uint random = _delayCorrelation.Next(_random);
        if (_table is null)
        {
            return (random % (2u * (uint)sigma)) + mu - sigma;
        }

        long entry = _table[random % (uint)_table.Length];
        long fraction = (sigma % NetemDistributionTables.Scale) * entry;
        fraction += fraction >= 0 ? NetemDistributionTables.Scale / 2 : -NetemDistributionTables.Scale / 2;
        return (fraction / NetemDistributionTables.Scale) + (sigma / NetemDistributionTables.Scale * entry) + mu;
    }

    /// <summary>
    /// Serialisation time at the rate (packet_time_ns): the IP length plus the packet overhead, rounded up
    /// to whole cells when a cell size is set. Linux counts the link-layer header too; TcpActors' links
    /// carry IP packets, so it is left out unless the overhead adds it.
    /// </summary>
    private long PacketTime(int ipLength)
    {
        var settings = Settings;
        long length = Math.Max(0, ipLength + settings.PacketOverhead);
        if (settings.CellSize != 0)
        {
            long cells = length / settings.CellSize;
            if (length > cells * settings.CellSize)
            {
                cells++;
            }

            length = cells * (settings.CellSize + settings.CellOverhead);
        }

        return (long)((ulong)length * 1_000_000_000UL / settings.RateBytesPerSecond);
    }

    private void ForgetDeparted(long now)
    {
        while (_queued.TryPeek(out long departure, out _) && departure <= now)
        {
            _queued.Dequeue();
        }
    }

    private void Drop(Packet packet, SimTime now, NetemOutcome outcome, bool isDuplicate)
    {
        _counters = _counters with
        {
            Dropped = _counters.Dropped + 1,
            Overlimits = _counters.Overlimits + (outcome == NetemOutcome.QueueFull ? 1 : 0),
        };
        if (_impaired is { HasSubscribers: true })
        {
            _impaired.Publish(new PacketImpaired(now, _hostName, _interfaceName, packet, outcome, Duration.Zero, isDuplicate, packet.Corrupted));
        }

        if (_dropped is { HasSubscribers: true })
        {
            var (reason, detail) = outcome == NetemOutcome.Lost
                ? (DropReason.NetemLoss, $"netem {Settings.Loss} on {_interfaceName}")
                : (DropReason.NetemQueueFull, $"netem limit {Settings.Limit} on {_interfaceName}");
            _dropped.Publish(new PacketDropped(now, _hostName, reason, detail, packet));
        }
    }

    private void PublishSent(Packet packet, SimTime now, NetemOutcome outcome, Duration delay, bool isDuplicate, bool corrupted)
    {
        bool eventful = outcome == NetemOutcome.Reordered || delay > Duration.Zero || isDuplicate || corrupted;
        if (eventful && _impaired is { HasSubscribers: true })
        {
            _impaired.Publish(new PacketImpaired(now, _hostName, _interfaceName, packet, outcome, delay, isDuplicate, corrupted));
        }
    }
}
