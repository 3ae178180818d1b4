using System.Buffers.Binary;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>The pcap file layout, timestamps, streaming and checksums, checked byte by byte without external tools.</summary>
public sealed class PcapWriterTests
{
    [Fact]
    public void File_header_is_classic_pcap_2_4_with_snaplen_262144_and_raw_ipv4()
    {
        // Proves the global header: magic a1b2c3d4 (microseconds), version 2.4, snaplen 262144, LINKTYPE_RAW.
        using var stream = new MemoryStream();
        using (new PcapWriter(stream, leaveOpen: true))
        {
        }

        var (magic, major, minor, snapLength, linkType) = PcapReader.ReadHeader(stream.ToArray());
        Assert.Equal((0xA1B2C3D4u, (ushort)2, (ushort)4, 262144u, 101u), (magic, major, minor, snapLength, linkType));
        Assert.Equal(24, stream.Length);
    }

    [Fact]
    public void Record_timestamps_are_the_epoch_plus_simulated_time_truncated_to_microseconds()
    {
        // Proves ts_sec/ts_usec come from epoch + SimTime, dropping the nanoseconds as libpcap would.
        using var stream = new MemoryStream();
        var epoch = new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero);
        using (var writer = new PcapWriter(stream, epoch: epoch, leaveOpen: true))
        {
            writer.Write(new SimTime(61_000_123_999), Packets.Tcp(1, 2, TcpFlags.Syn, 1, 0, 10));
        }

        var bytes = stream.ToArray();
        Assert.Equal((uint)(epoch.ToUnixTimeSeconds() + 61), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(123u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(40u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(40u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(36)));
    }

    [Fact]
    public void Packets_stream_to_the_file_as_they_are_written()
    {
        // Proves nothing is buffered in the writer beyond the stream: each record is on the stream once written.
        using var stream = new MemoryStream();
        using var writer = new PcapWriter(stream, leaveOpen: true);
        for (int i = 1; i <= 1000; i++)
        {
            writer.Write(new SimTime(i * 1000L), Packets.Tcp(1, 2, TcpFlags.Ack, (uint)i, 1, 10, length: 100));
            Assert.Equal(24 + (i * (16 + 140)), stream.Length);
        }

        Assert.Equal(1000, writer.PacketCount);
    }

    [Fact]
    public void Ip_and_tcp_checksums_verify_and_a_corrupted_segment_fails_verification()
    {
        // Proves the IPv4 header sums to zero and the TCP sum over pseudo-header, header and payload is zero only when not corrupted.
        var segment = Packets.Tcp(40000, 80, TcpFlags.Psh | TcpFlags.Ack, 100, 200, 300, TcpOptions.Timestamps(1, 2), 33) with
        {
            Payload = "odd-length payload to pad: 33 by"u8.ToArray(),
        };
        Assert.Equal(0, VerifyTcp(segment));
        Assert.NotEqual(0, VerifyTcp(segment with { Corrupted = true }));
    }

    [Fact]
    public void Payload_bytes_are_written_and_missing_bytes_are_zeros()
    {
        // Proves a segment carrying only a length gets a zero-filled payload of that length.
        var carried = Packets.Tcp(1, 2, TcpFlags.Ack, 1, 1, 10, length: 4) with { Payload = new byte[] { 1, 2, 3, 4 } };
        var lengthOnly = Packets.Tcp(1, 2, TcpFlags.Ack, 1, 1, 10, length: 4);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Encode(carried)[40..]);
        Assert.Equal(new byte[4], Encode(lengthOnly)[40..]);
    }

    [Fact]
    public void Icmp_quotes_the_ip_and_tcp_headers_of_the_segment()
    {
        // Proves the ICMP message layout: type 3, the code, a valid checksum, then the quoted IPv4 and TCP headers.
        var syn = Packets.Tcp(35586, 8080, TcpFlags.Syn, 4196342903, 0, 65495, Packets.SynOptions(1, 0));
        var icmp = new IcmpPacket { Source = Packets.Loopback, Destination = Packets.Loopback, Code = IcmpUnreachableCode.PortUnreachable, Quoted = syn };
        var bytes = Encode(icmp);
        Assert.Equal(88, bytes.Length);
        Assert.Equal((byte)1, bytes[9]);
        Assert.Equal((byte)3, bytes[20]);
        Assert.Equal((byte)3, bytes[21]);
        Assert.Equal(0, InternetChecksum.Compute(bytes.AsSpan(20)) is 0 or 0xFFFF ? 0 : 1);
        Assert.Equal(Encode(syn)[..60], bytes[28..88]);
    }

    private static byte[] Encode(Packet packet)
    {
        var bytes = new byte[PacketEncoder.EncodedLength(packet)];
        PacketEncoder.Encode(packet, bytes);
        return bytes;
    }

    private static int VerifyTcp(Segment segment)
    {
        var bytes = Encode(segment);
        Assert.Equal(0, InternetChecksum.Compute(bytes.AsSpan(0, 20)) is 0 or 0xFFFF ? 0 : 1);
        var pseudo = new byte[12];
        bytes.AsSpan(12, 8).CopyTo(pseudo);
        pseudo[9] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)(bytes.Length - 20));
        uint sum = InternetChecksum.Add(InternetChecksum.Add(0, pseudo), bytes.AsSpan(20));
        return InternetChecksum.Finish(sum);
    }
}
