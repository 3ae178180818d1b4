using System.Buffers.Binary;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>One packet read back from a pcap: its timestamp as nanoseconds since the Unix epoch, and the model.</summary>
internal sealed record CapturedRecord(SimTime Time, Packet Packet, byte[] IpBytes);

/// <summary>
/// A minimal classic-pcap reader for tests: both byte orders, microsecond or nanosecond magic, link types
/// Ethernet (1), raw IPv4 (101) and Linux cooked v1/v2 (113, 276). IPv4 TCP becomes a <see cref="Segment"/>
/// with its payload bytes; ICMP destination unreachable becomes an <see cref="IcmpPacket"/> quoting its segment.
/// </summary>
internal static class PcapReader
{
    public static List<CapturedRecord> ReadFile(string path) => Read(File.ReadAllBytes(path));

    public static (uint Magic, ushort Major, ushort Minor, uint SnapLength, uint LinkType) ReadHeader(byte[] file)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        return (magic, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(4)), BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)),
            BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20)));
    }

    public static List<CapturedRecord> Read(byte[] file)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool swapped = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        uint native = swapped ? BinaryPrimitives.ReverseEndianness(magic) : magic;
        bool nanoseconds = native == 0xA1B23C4D;
        Assert.True(native is 0xA1B2C3D4 or 0xA1B23C4D, $"not a classic pcap file (magic 0x{magic:x8})");
        uint linkType = U32(file, 20, swapped);
        var records = new List<CapturedRecord>();
        int at = 24;
        while (at + 16 <= file.Length)
        {
            long seconds = U32(file, at, swapped);
            long fraction = U32(file, at + 4, swapped);
            int captured = (int)U32(file, at + 8, swapped);
            var frame = file.AsSpan(at + 16, captured);
            at += 16 + captured;
            var ip = StripLinkHeader(frame, linkType);
            if (ip.IsEmpty || (ip[0] >> 4) != 4)
            {
                continue;
            }

            long nanosecondsSinceEpoch = (seconds * 1_000_000_000) + (nanoseconds ? fraction : fraction * 1000);
            var packet = ParseIp(ip);
            if (packet is not null)
            {
                records.Add(new CapturedRecord(new SimTime(nanosecondsSinceEpoch), packet, ip.ToArray()));
            }
        }

        return records;
    }

    private static uint U32(byte[] file, int at, bool swapped) =>
        swapped ? BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));

    private static ReadOnlySpan<byte> StripLinkHeader(ReadOnlySpan<byte> frame, uint linkType) => linkType switch
    {
        1 when BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == 0x0800 => frame[14..],
        101 => frame,
        113 when BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) == 0x0800 => frame[16..],
        276 when BinaryPrimitives.ReadUInt16BigEndian(frame) == 0x0800 => frame[20..],
        _ => [],
    };

    public static Packet? ParseIp(ReadOnlySpan<byte> ip)
    {
        int headerLength = (ip[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        ip = ip[..Math.Min(totalLength, ip.Length)];
        var source = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
        var destination = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        bool dontFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x4000) != 0;
        byte ttl = ip[8];
        var transport = ip[headerLength..];
        return ip[9] switch
        {
            6 => ParseTcp(transport, source, destination) with { IpId = id, DontFragment = dontFragment, Ttl = ttl },
            1 when transport[0] == 3 => ParseIcmp(transport, source, destination) with { IpId = id, DontFragment = dontFragment, Ttl = ttl },
            _ => null,
        };
    }

    private static Segment ParseTcp(ReadOnlySpan<byte> tcp, IPv4Address source, IPv4Address destination)
    {
        int headerLength = (tcp[12] >> 4) * 4;
        Assert.True(TcpOptionsLayout.TryRead(tcp[20..headerLength], out var options), "unreadable TCP options");
        var payload = tcp[headerLength..].ToArray();
        return new Segment
        {
            Source = source,
            Destination = destination,
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]),
            Seq = new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(tcp[4..])),
            Ack = new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(tcp[8..])),
            Flags = (TcpFlags)tcp[13],
            Window = BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]),
            Options = options,
            PayloadLength = payload.Length,
            Payload = payload,
        };
    }

    private static IcmpPacket ParseIcmp(ReadOnlySpan<byte> icmp, IPv4Address source, IPv4Address destination)
    {
        var quotedIp = icmp[8..];
        int quotedHeaderLength = (quotedIp[0] & 0x0F) * 4;
        var quotedTcp = quotedIp[quotedHeaderLength..];
        int tcpHeaderLength = (quotedTcp[12] >> 4) * 4;
        var quoted = ParseTcp(quotedTcp[..tcpHeaderLength], new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(quotedIp[12..])), new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(quotedIp[16..])));
        int quotedPayload = BinaryPrimitives.ReadUInt16BigEndian(quotedIp[2..]) - quotedHeaderLength - tcpHeaderLength;
        quoted = quoted with
        {
            IpId = BinaryPrimitives.ReadUInt16BigEndian(quotedIp[4..]),
            DontFragment = (BinaryPrimitives.ReadUInt16BigEndian(quotedIp[6..]) & 0x4000) != 0,
            Ttl = quotedIp[8],
            PayloadLength = quotedPayload,
        };
        return new IcmpPacket { Source = source, Destination = destination, Code = (IcmpUnreachableCode)icmp[1], Quoted = quoted };
    }
}
