namespace TcpActors.Network;

/// <summary>
/// An IPv4 packet in flight: the message that links, switches and hosts pass to one another.
/// Packets are immutable once sent (a duplicate may be the very same object); whoever changes one
/// (a router decrementing the TTL, netem corrupting it) makes a copy with <c>with { … }</c>.
/// The IP fields kept are those a pcap or <c>tcpdump -v</c> shows.
/// </summary>
public abstract record Packet
{
    public required IPv4Address Source { get; init; }

    public required IPv4Address Destination { get; init; }

    /// <summary>Time to live; Linux's default (net.ipv4.ip_default_ttl) is 64.</summary>
    public byte Ttl { get; init; } = 64;

    /// <summary>The IP identification field.</summary>
    public ushort IpId { get; init; }

    /// <summary>Don't Fragment; Linux sets it on TCP (path MTU discovery).</summary>
    public bool DontFragment { get; init; } = true;

    /// <summary>
    /// A bit was flipped in flight (netem corrupt): the receiver's checksum check fails and it drops the
    /// packet. Which bit is not modelled, only the consequence; a pcap shows a wrong checksum.
    /// </summary>
    public bool Corrupted { get; init; }

    /// <summary>The length of the IP payload (transport header and data) in bytes.</summary>
    public abstract int TransportLength { get; }

    /// <summary>The total IP length: the 20-byte IPv4 header plus the transport part.</summary>
    public int IpLength => 20 + TransportLength;
}
