using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reports;

/// <summary>
/// What identifies one packet across hops: the IP and TCP fields a router does not change (the TTL is left
/// out). Two packets with the same key are the same bytes; retransmissions differ in the IP id.
/// </summary>
internal readonly record struct PacketKey(
    IPv4Address Source, IPv4Address Destination, ushort IpId, ushort SourcePort, ushort DestinationPort, uint Seq, uint Ack, TcpFlags Flags, int Length, bool Icmp)
{
    public static PacketKey Of(Packet packet) => packet switch
    {
        Segment s => new(s.Source, s.Destination, s.IpId, s.SourcePort, s.DestinationPort, s.Seq.Value, s.Ack.Value, s.Flags, s.PayloadLength, false),
        IcmpPacket i => new(i.Source, i.Destination, i.IpId, i.Quoted.SourcePort, i.Quoted.DestinationPort, i.Quoted.Seq.Value, (uint)i.Code, i.Quoted.Flags, 0, true),
        _ => new(packet.Source, packet.Destination, packet.IpId, 0, 0, 0, 0, TcpFlags.None, packet.TransportLength, true),
    };
}

/// <summary>Where and why a packet was discarded.</summary>
/// <param name="Chain">The iptables chain whose rule dropped it (from the chaos verdict), or null.</param>
internal sealed record FlightDrop(SimTime At, long Sequence, string HostName, DropReason Reason, string? Detail, string? Chain);

/// <summary>
/// One packet's journey from the socket that sent it to where it arrived or was dropped: a ladder
/// diagram's arrow. Built from the capture, netem and drop events as they happen.
/// </summary>
internal sealed class Flight
{
    private readonly List<string> _visited = [];

    public Flight(Packet packet, string senderHost, SimTime sentAt, long sequence)
    {
        Packet = packet;
        SenderHost = senderHost;
        SentAt = sentAt;
        SentSequence = sequence;
        _visited.Add(senderHost);
    }

    /// <summary>The packet as the sender emitted it.</summary>
    public Packet Packet { get; }

    public string SenderHost { get; }

    /// <summary>When the sender's stack emitted it (before any netem delay).</summary>
    public SimTime SentAt { get; }

    public long SentSequence { get; }

    /// <summary>When it left the sender's interface (after the egress qdisc); null while queued.</summary>
    public SimTime? LeftAt { get; private set; }

    public long LeftSequence { get; private set; }

    /// <summary>The last host that captured it arriving, with the time and event order.</summary>
    public (string Host, SimTime At, long Sequence)? LastArrival { get; set; }

    public Duration NetemDelay { get; set; }

    public bool Duplicate { get; init; }

    public bool Reordered { get; set; }

    public bool Corrupted { get; set; }

    public FlightDrop? Drop { get; set; }

    /// <summary>The chain of the firewall verdict that is about to drop it (set by PacketFiltered, used by PacketDropped).</summary>
    public string? PendingChain { get; set; }

    /// <summary>Set when the TCP stack reported sending this segment again, with the reason.</summary>
    public RetransmissionKind? Retransmission { get; set; }

    public bool Queued => LeftAt is null && Drop is null;

    public void Leave(SimTime at, long sequence)
    {
        LeftAt = at;
        LeftSequence = sequence;
    }

    public bool Visited(string host) => _visited.Contains(host, StringComparer.Ordinal);

    public void Visit(string host)
    {
        if (!Visited(host))
        {
            _visited.Add(host);
        }
    }

    /// <summary>When and in which order the journey ended: dropped, arrived, or (on loopback) left.</summary>
    public (SimTime At, long Sequence) End => Drop is { } drop ? (drop.At, drop.Sequence)
        : LastArrival is { } arrival ? (arrival.At, arrival.Sequence)
        : LeftAt is { } left ? (left, LeftSequence)
        : (SentAt, SentSequence);

    /// <summary>The conversation: the two socket addresses, lower first (an ICMP error belongs to the segment it quotes).</summary>
    public (SocketAddress Low, SocketAddress High) Conversation
    {
        get
        {
            var (a, b) = Packet switch
            {
                Segment s => (s.SourceSocket, s.DestinationSocket),
                IcmpPacket i => (i.Quoted.SourceSocket, i.Quoted.DestinationSocket),
                _ => (new SocketAddress(Packet.Source, 0), new SocketAddress(Packet.Destination, 0)),
            };
            return a < b ? (a, b) : (b, a);
        }
    }

    /// <summary>The socket address the arrow starts from.</summary>
    public SocketAddress From => Packet switch
    {
        Segment s => s.SourceSocket,
        IcmpPacket i => i.Quoted.DestinationSocket,
        _ => new SocketAddress(Packet.Source, 0),
    };
}
