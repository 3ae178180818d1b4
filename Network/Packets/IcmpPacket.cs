namespace TcpActors.Network;

/// <summary>ICMP destination-unreachable codes that matter to TCP.</summary>
public enum IcmpUnreachableCode : byte
{
    NetUnreachable = 0,
    HostUnreachable = 1,
    ProtocolUnreachable = 2,
    PortUnreachable = 3,
    NetProhibited = 9,
    HostProhibited = 10,
    AdministrativelyProhibited = 13,
}

/// <summary>
/// An ICMP destination-unreachable message quoting the segment that caused it (iptables' REJECT with
/// its default icmp-port-unreachable, or a router with no route). Linux turns it into a socket error:
/// a connecting socket fails at once (ECONNREFUSED for port-unreachable, EHOSTUNREACH, …); an
/// established one only records a soft error (tcp_v4_err).
/// </summary>
public sealed record IcmpPacket : Packet
{
    public required IcmpUnreachableCode Code { get; init; }

    /// <summary>icmp_send's room for the quoted datagram: 576 bytes less the new IPv4 and ICMP headers.</summary>
    public const int QuotedBytesMax = 576 - 20 - 8;

    /// <summary>The segment whose headers the message quotes.</summary>
    public required Segment Quoted { get; init; }

    /// <summary>How much of the offending datagram is quoted: all of it, up to <see cref="QuotedBytesMax"/> (icmp_send).</summary>
    public int QuotedLength => Math.Min(Quoted.IpLength, QuotedBytesMax);

    /// <summary>The 8-byte ICMP header, then the quoted datagram: IPv4 header, TCP header, payload (tcpdump's "length").</summary>
    public override int TransportLength => 8 + QuotedLength;
}
