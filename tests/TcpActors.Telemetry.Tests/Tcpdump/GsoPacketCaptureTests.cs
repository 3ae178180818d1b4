using System.Buffers.Binary;
using TcpActors.Network;
using static TcpActors.Telemetry.Tests.Packets;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// A GSO packet as tcpdump shows it on the sending host's veth (and on the receiving one, veth passing it through
/// whole): one line and one pcap record for the whole packet. The expected values are those of Linux 6.18 on this
/// machine, a 20000-byte write between two namespaces over a veth pair with the default gso_max_segs 65535:
/// <c>Flags [P.], seq 1:7241, ack 1, win 63, options [nop,nop,TS val 2073268718 ecr 795677632], length 7240: HTTP</c>,
/// frame.len 7306 on Ethernet (ip.len 7292).
/// </summary>
public sealed class GsoPacketCaptureTests
{
    private static Segment SuperSegment() => new()
    {
        Source = IPv4Address.Parse("10.77.0.1"),
        Destination = IPv4Address.Parse("10.77.0.2"),
        SourcePort = 45802,
        DestinationPort = 8080,
        Flags = TcpFlags.Psh | TcpFlags.Ack,
        Seq = new SeqNum(1216391087),
        Ack = new SeqNum(2160066323),
        Window = 63,
        Options = TcpOptions.Timestamps(2073268718, 795677632),
        PayloadLength = 7240,
        GsoSize = 1448,
    };

    [Fact]
    public void Tcpdump_prints_a_gso_packet_as_one_line_of_its_whole_length()
    {
        // Proves the line tcpdump printed for the first GSO packet (absolute numbers, as tcpdump -S prints them).
        var formatter = new TcpdumpFormatter(new TcpdumpOptions { Epoch = CaptureDay, AbsoluteSequenceNumbers = true });
        Assert.Equal(
            "20:44:25.429325 IP 10.77.0.1.45802 > 10.77.0.2.8080: Flags [P.], seq 1216391087:1216398327, ack 2160066323, win 63, options [nop,nop,TS val 2073268718 ecr 795677632], length 7240: HTTP",
            formatter.Format(At(20, 44, 25, 429325), SuperSegment()));
    }

    [Fact]
    public void A_pcap_record_holds_the_whole_gso_packet_with_its_ip_total_length()
    {
        // Proves the record tcpdump -w wrote on the veth: 14 + 7292 bytes on Ethernet, IP total length 7292
        // (20 + 32 + 7240), read back as one segment of 7240 bytes.
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, PcapLinkType.Ethernet, leaveOpen: true))
        {
            writer.Write(At(20, 44, 25, 429325), SuperSegment());
        }

        var bytes = stream.ToArray();
        Assert.Equal(7306u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24 + 8)));
        Assert.Equal(7306u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24 + 12)));
        Assert.Equal((ushort)7292, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(24 + 16 + 14 + 2)));
        var record = Assert.Single(PcapReader.Read(bytes));
        Assert.Equal(7240, Assert.IsType<Segment>(record.Packet).PayloadLength);
    }
}
