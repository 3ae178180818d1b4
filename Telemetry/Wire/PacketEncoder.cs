using System.Buffers.Binary;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Turns a simulated <see cref="Packet"/> into the bytes a real IPv4 stack would have put on the wire:
/// the 20-byte IPv4 header (no IP options, as Linux sends TCP) with a correct header checksum, then
/// either the TCP header with Linux's option layout, the payload (the real bytes when the segment carries
/// them, zeros otherwise) and a correct TCP checksum over the pseudo-header, or an ICMP destination
/// unreachable quoting the offending IP and TCP headers. A packet marked <see cref="Packet.Corrupted"/>
/// gets its transport checksum off by one flipped bit, as netem's single-bit corruption would leave it
/// from the receiver's point of view.
/// </summary>
public static class PacketEncoder
{
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;

    /// <summary>Type of service Linux puts on ICMP errors (IPTOS_PREC_INTERNETCONTROL, icmp_send()).</summary>
    public const byte IcmpErrorTypeOfService = 0xC0;

    private const ushort CorruptionMask = 0x0100;

    /// <summary>The number of bytes <see cref="Encode"/> writes: the IP total length.</summary>
    public static int EncodedLength(Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return packet.IpLength;
    }

    /// <summary>Writes the whole IPv4 packet; <paramref name="destination"/> must hold <see cref="EncodedLength"/> bytes.</summary>
    public static int Encode(Packet packet, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(packet);
        int length = packet.IpLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The packet needs {length} bytes, the buffer holds {destination.Length}", nameof(destination));
        }

        switch (packet)
        {
            case Segment segment:
                WriteIpHeader(destination, segment, ProtocolTcp, typeOfService: 0);
                WriteSegment(destination[20..length], segment);
                break;
            case IcmpPacket icmp:
                WriteIpHeader(destination, icmp, ProtocolIcmp, IcmpErrorTypeOfService);
                WriteIcmp(destination[20..length], icmp);
                break;
            default:
                throw new NotSupportedException($"No wire encoding for {packet.GetType().Name}");
        }

        return length;
    }

    /// <summary>The TCP checksum the segment carries on the wire (deliberately wrong when corrupted).</summary>
    public static ushort TcpChecksumOf(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        Span<byte> buffer = segment.TransportLength <= 1024 ? stackalloc byte[segment.TransportLength] : new byte[segment.TransportLength];
        WriteSegment(buffer, segment);
        return BinaryPrimitives.ReadUInt16BigEndian(buffer[16..]);
    }

    /// <summary>The checksum a receiver computes for the segment: what tcpdump -v prints after "incorrect ->".</summary>
    public static ushort CorrectTcpChecksumOf(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ushort carried = TcpChecksumOf(segment);
        return segment.Corrupted ? (ushort)(carried ^ CorruptionMask) : carried;
    }

    internal static void WriteIpHeader(Span<byte> header, Packet packet, byte protocol, byte typeOfService)
    {
        header[0] = 0x45; // version 4, header length 5 words
        header[1] = typeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], checked((ushort)packet.IpLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], packet.IpId);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], packet.DontFragment ? (ushort)0x4000 : (ushort)0);
        header[8] = packet.Ttl;
        header[9] = protocol;
        header[10] = 0;
        header[11] = 0;
        packet.Source.WriteBigEndian(header[12..]);
        packet.Destination.WriteBigEndian(header[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header[..20]));
    }

    /// <summary>Writes the TCP header, options and payload into <paramref name="tcp"/> (exactly the transport length).</summary>
    internal static void WriteSegment(Span<byte> tcp, Segment segment)
    {
        int headerLength = segment.HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(tcp, segment.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], segment.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], segment.Seq.Value);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], segment.Ack.Value);
        tcp[12] = (byte)((headerLength / 4) << 4);
        tcp[13] = (byte)segment.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], segment.Window);
        tcp[16] = 0;
        tcp[17] = 0;

        // The model has no urgent pointer yet (see docs/observation.md); zero is what an URG-less segment carries.
        tcp[18] = 0;
        tcp[19] = 0;
        TcpOptionsLayout.Write(segment.Options, tcp[20..headerLength]);
        WritePayload(tcp[headerLength..], segment);

        uint sum = PseudoHeaderSum(segment.Source, segment.Destination, ProtocolTcp, tcp.Length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, tcp));
        if (segment.Corrupted)
        {
            checksum ^= CorruptionMask;
        }

        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], checksum);
    }

    private static void WritePayload(Span<byte> destination, Segment segment)
    {
        var payload = segment.Payload.Span;
        int copied = Math.Min(payload.Length, destination.Length);
        payload[..copied].CopyTo(destination);
        destination[copied..].Clear();
    }

    private static void WriteIcmp(Span<byte> icmp, IcmpPacket packet)
    {
        icmp[0] = 3; // destination unreachable
        icmp[1] = (byte)packet.Code;
        icmp[2] = 0;
        icmp[3] = 0;
        icmp[4] = 0;
        icmp[5] = 0;
        icmp[6] = 0;
        icmp[7] = 0;

        // The quoted datagram as it was sent (IP header, TCP header, payload), cut at icmp_send's room.
        var quoted = packet.Quoted;
        WriteIpHeader(icmp[8..28], quoted, ProtocolTcp, typeOfService: 0);
        Span<byte> quotedTcp = quoted.TransportLength <= 1024 ? stackalloc byte[quoted.TransportLength] : new byte[quoted.TransportLength];
        WriteSegment(quotedTcp, quoted);
        quotedTcp[..(packet.QuotedLength - 20)].CopyTo(icmp[28..]);

        ushort checksum = InternetChecksum.Compute(icmp);
        if (packet.Corrupted)
        {
            checksum ^= CorruptionMask;
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], checksum);
    }

    private static uint PseudoHeaderSum(IPv4Address source, IPv4Address destination, byte protocol, int transportLength)
    {
        uint sum = (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF);
        return sum + protocol + (uint)transportLength;
    }
}
