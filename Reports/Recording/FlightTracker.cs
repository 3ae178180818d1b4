using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reports;

/// <summary>
/// Follows every packet from the events the network publishes: netem queues it at the sender
/// (<see cref="PacketImpaired"/>), it leaves an interface and arrives at the next
/// (<see cref="PacketCaptured"/> Out and In), a rule or the stack discards it (<see cref="PacketFiltered"/>,
/// <see cref="PacketDropped"/>). A packet is recognised across hops by its <see cref="PacketKey"/>;
/// identical copies (netem duplicates, the id-0 ACKs of a TIME_WAIT socket) are told apart by where each
/// one is: a copy is "Out" once at its sender, and "In" at most once at each host.
/// </summary>
internal sealed class FlightTracker
{
    /// <summary>Flights kept for the diagram; past this the recorder stops and says so (a limit on everything).</summary>
    public const int FlightLimit = 200_000;

    /// <summary>Open flights per key; the oldest first. Short lists: a key is nearly unique.</summary>
    private readonly Dictionary<PacketKey, List<Flight>> _open = [];
    private readonly Dictionary<(string Host, SocketAddress From, uint Seq, long Time), RetransmissionKind> _retransmissions = [];

    public List<Flight> Flights { get; } = [];

    public bool Truncated { get; private set; }

    public void OnRetransmitted(TcpRetransmitted retransmitted) =>
        _retransmissions[(retransmitted.HostName, retransmitted.Tuple.Local, retransmitted.Seq.Value, retransmitted.Time.Nanoseconds)] = retransmitted.Kind;

    public void OnImpaired(PacketImpaired impaired, long sequence)
    {
        var key = PacketKey.Of(impaired.Packet);
        // A router's netem delays a packet already on its way; otherwise netem is where the sender's copy starts.
        var flight = impaired.Duplicate ? null : Find(key, f => f.LastArrival?.Host == impaired.HostName)
            ?? Find(key, f => f.Queued && f.SenderHost == impaired.HostName && f.SentAt == impaired.Time);
        flight ??= Start(impaired.Packet, impaired.HostName, impaired.Time, sequence, impaired.Duplicate);
        if (flight is null)
        {
            return;
        }

        flight.NetemDelay += impaired.Delay;
        flight.Reordered |= impaired.Outcome == NetemOutcome.Reordered;
        flight.Corrupted |= impaired.Corrupted;
        if (impaired.Outcome is NetemOutcome.Lost or NetemOutcome.QueueFull)
        {
            var reason = impaired.Outcome == NetemOutcome.Lost ? DropReason.NetemLoss : DropReason.NetemQueueFull;
            Finish(key, flight, new FlightDrop(impaired.Time, sequence, impaired.HostName, reason, "netem on " + impaired.InterfaceName, null));
        }
    }

    public void OnCaptured(PacketCaptured captured, long sequence)
    {
        var key = PacketKey.Of(captured.Packet);
        if (captured.Direction == CaptureDirection.Out)
        {
            var queued = Find(key, f => f.Queued && f.SenderHost == captured.HostName);
            if (queued is not null)
            {
                queued.Leave(captured.Time, sequence);
                return;
            }

            // A router sending it on: the packet is already on its way.
            if (Find(key, f => f.LastArrival?.Host == captured.HostName && f.SenderHost != captured.HostName) is not null)
            {
                return;
            }

            var flight = Start(captured.Packet, captured.HostName, captured.Time, sequence, duplicate: false);
            flight?.Leave(captured.Time, sequence);
            return;
        }

        var arriving = Find(key, f => f.LeftAt is not null && !f.Visited(captured.HostName));
        if (arriving is null)
        {
            // Arrived without being seen leaving (the sender was not observed): it starts here.
            arriving = Start(captured.Packet, captured.HostName, captured.Time, sequence, duplicate: false);
            arriving?.Leave(captured.Time, sequence);
            return;
        }

        arriving.Visit(captured.HostName);
        arriving.LastArrival = (captured.HostName, captured.Time, sequence);
    }

    public void OnFiltered(PacketFiltered filtered)
    {
        if (filtered.Action == FilterAction.Accept)
        {
            return;
        }

        var flight = AtHost(PacketKey.Of(filtered.Packet), filtered.HostName);
        flight?.PendingChain = filtered.Chain.ToString().ToUpperInvariant();
    }

    public void OnDropped(PacketDropped dropped, long sequence)
    {
        var key = PacketKey.Of(dropped.Packet);
        var flight = AtHost(key, dropped.HostName);
        if (flight is null)
        {
            // Dropped before anything saw it leave (an OUTPUT rule, no route): a flight that ends where it starts.
            flight = Start(dropped.Packet, dropped.HostName, dropped.Time, sequence, duplicate: false);
            if (flight is null)
            {
                return;
            }
        }

        string? chain = flight.PendingChain ?? ChainOf(dropped.Detail);
        Finish(key, flight, new FlightDrop(dropped.Time, sequence, dropped.HostName, dropped.Reason, dropped.Detail, chain));
    }

    /// <summary>The open flight with this key that is at <paramref name="host"/> now: arrived there last, or sent from there.</summary>
    private Flight? AtHost(PacketKey key, string host) =>
        FindLast(key, f => f.LastArrival?.Host == host) ?? FindLast(key, f => f.SenderHost == host);

    private Flight? Start(Packet packet, string host, SimTime time, long sequence, bool duplicate)
    {
        if (Flights.Count >= FlightLimit)
        {
            Truncated = true;
            return null;
        }

        var flight = new Flight(packet, host, time, sequence) { Duplicate = duplicate };
        if (packet is Segment segment && _retransmissions.Remove((host, segment.SourceSocket, segment.Seq.Value, time.Nanoseconds), out var kind))
        {
            flight.Retransmission = kind;
        }

        Flights.Add(flight);
        var key = PacketKey.Of(packet);
        if (!_open.TryGetValue(key, out var list))
        {
            list = [];
            _open.Add(key, list);
        }

        // Identical packets far apart in time: only the recent ones can still be matched.
        if (list.Count >= 16)
        {
            list.RemoveAt(0);
        }

        list.Add(flight);
        return flight;
    }

    private void Finish(PacketKey key, Flight flight, FlightDrop drop)
    {
        flight.Drop ??= drop;
        if (_open.TryGetValue(key, out var list))
        {
            list.Remove(flight);
            if (list.Count == 0)
            {
                _open.Remove(key);
            }
        }
    }

    private Flight? Find(PacketKey key, Func<Flight, bool> predicate) =>
        _open.TryGetValue(key, out var list) ? list.FirstOrDefault(predicate) : null;

    private Flight? FindLast(PacketKey key, Func<Flight, bool> predicate) =>
        _open.TryGetValue(key, out var list) ? list.LastOrDefault(predicate) : null;

    /// <summary>Network's drop detail for a rule reads <c>INPUT rule 1: -s …</c>; its first word is the chain.</summary>
    private static string? ChainOf(string? detail)
    {
        if (detail is null)
        {
            return null;
        }

        int space = detail.IndexOf(' ', StringComparison.Ordinal);
        string first = space > 0 ? detail[..space] : detail;
        return first is "INPUT" or "OUTPUT" or "FORWARD" ? first : null;
    }
}
