using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// A hand-made set of packets covering what the formatter and the pcap writer must get right: every option
/// layout Linux produces, flag combinations, SACK with several blocks, wrap-around sequence numbers, a reused
/// 4-tuple, equal ports, a conversation seen mid-stream, HTTP payloads, every ICMP unreachable code, a
/// corrupted segment and a long gap between packets. Tests write it with our pcap writer and ask the real
/// tcpdump and tshark what they see.
/// </summary>
internal static class CraftedCapture
{
    private static readonly IPv4Address s_client = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address s_server = IPv4Address.Parse("10.0.0.2");

    public static List<(SimTime Time, Packet Packet)> Build()
    {
        var packets = new List<(SimTime, Packet)>();
        long microseconds = 0;
        void Add(Packet packet, long gapMicroseconds = 137)
        {
            microseconds += gapMicroseconds;
            packets.Add((new SimTime(microseconds * 1000 + 999), packet));
        }

        var synOptions = new TcpOptions { Mss = 1460, SackPermitted = true, HasTimestamps = true, TsVal = 100, TsEcr = 0, HasWindowScale = true, WindowScale = 7 };
        var ts = TcpOptions.Timestamps(200, 100);

        // A conversation whose sequence numbers wrap around 2^32.
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, 0xFFFFFF00, 0, 64240, synOptions) with { IpId = 4242 });
        Add(Tcp(s_server, 80, s_client, 40000, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Ece, 0x7FFFFFFF, 0xFFFFFF01, 65160, synOptions with { TsVal = 300, TsEcr = 100 }));
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Ack, 0xFFFFFF01, 0x80000000, 502, ts) with { IpId = 4243 });
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Psh | TcpFlags.Ack, 0xFFFFFF01, 0x80000000, 502, ts, "GET /index.html HTTP/1.1\r\nHost: server\r\n\r\n"u8.ToArray()) with { IpId = 4244 });
        Add(Tcp(s_server, 80, s_client, 40000, TcpFlags.Psh | TcpFlags.Ack, 0x80000000, 0xFFFFFF2B, 509, ts, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray()));
        Add(Tcp(s_server, 80, s_client, 40000, TcpFlags.Psh | TcpFlags.Ack, 0x80000026, 0xFFFFFF2B, 509, ts, new byte[300]));
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Ack, 0xFFFFFF2B, 0x80000026, 502, ts with
        {
            SackBlocks = [new SackBlock(new SeqNum(0x80000100), new SeqNum(0x80000200)), new SackBlock(new SeqNum(0x80000300), new SeqNum(0x80000400)), new SackBlock(new SeqNum(0x80000500), new SeqNum(0x80000600))],
        }));
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 0xFFFFFF2B, 0x80000152, 502, ts, new byte[10]));
        Add(Tcp(s_server, 80, s_client, 40000, TcpFlags.Rst | TcpFlags.Ack, 0x80000152, 0xFFFFFF36, 0));

        // The same 4-tuple reused with a new ISN: the SYN-ACK resets tcpdump's bases.
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Syn, 5000, 0, 64240, new TcpOptions { Mss = 1460 }), gapMicroseconds: 2_000_000);
        Add(Tcp(s_server, 80, s_client, 40000, TcpFlags.Syn | TcpFlags.Ack, 9000, 5001, 64240, new TcpOptions { Mss = 1460, SackPermitted = true }));
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Ack | TcpFlags.Urg, 5001, 9001, 64240, new TcpOptions { HasWindowScale = true, WindowScale = 14 }));
        Add(Tcp(s_client, 40000, s_server, 80, TcpFlags.Ack, 5001, 9001, 64240, new TcpOptions { SackPermitted = true }));

        // Four SACK blocks without timestamps, on a conversation first seen mid-stream.
        Add(Tcp(s_server, 22000, s_client, 8080, TcpFlags.Ack, 77777, 88888, 1000, new TcpOptions
        {
            SackBlocks = [new SackBlock(new SeqNum(88988), new SeqNum(89088)), new SackBlock(new SeqNum(89188), new SeqNum(89288)), new SackBlock(new SeqNum(89388), new SeqNum(89488)), new SackBlock(new SeqNum(89588), new SeqNum(89688))],
        }));
        Add(Tcp(s_client, 8080, s_server, 22000, TcpFlags.Psh | TcpFlags.Ack, 88888, 77777, 1000, default, Encoding.ASCII.GetBytes("not http at all\r\n")));

        // Equal ports: tcpdump orders the conversation by address.
        Add(Tcp(s_server, 7000, s_client, 7000, TcpFlags.Syn | TcpFlags.Ack, 1000, 2001, 1000));
        Add(Tcp(s_client, 7000, s_server, 7000, TcpFlags.Ack, 2001, 1001, 1000));
        Add(Tcp(s_server, 7000, s_client, 7000, TcpFlags.Fin | TcpFlags.Ack, 1001, 2001, 1000));

        // A corrupted data segment (tcpdump -v flags the checksum) and a bare RST.
        Add(Tcp(s_client, 7000, s_server, 7000, TcpFlags.Psh | TcpFlags.Ack, 2001, 1002, 1000, default, new byte[40]) with { Corrupted = true });
        Add(Tcp(s_client, 45000, s_server, 9999, TcpFlags.Rst, 123456, 0, 0) with { Ttl = 63, DontFragment = false });
        Add(Tcp(s_client, 45001, s_server, 9999, TcpFlags.None, 1, 0, 0));

        // Every ICMP destination unreachable code the model has, after a gap of more than four days.
        var quoted = Tcp(s_client, 45002, s_server, 9999, TcpFlags.Syn, 31337, 0, 64240, synOptions);
        bool first = true;
        foreach (var code in Enum.GetValues<IcmpUnreachableCode>())
        {
            Add(new IcmpPacket { Source = s_server, Destination = s_client, Code = code, Quoted = quoted, DontFragment = false, IpId = (ushort)(100 + (int)code) }, first ? 100L * 3600 * 1_000_000 : 1);
            first = false;
        }

        return packets;
    }

    public static Segment Tcp(IPv4Address source, ushort sourcePort, IPv4Address destination, ushort destinationPort, TcpFlags flags, uint seq, uint ack, ushort window, TcpOptions options = default, byte[]? payload = null) => new()
    {
        Source = source,
        Destination = destination,
        SourcePort = sourcePort,
        DestinationPort = destinationPort,
        Flags = flags,
        Seq = new SeqNum(seq),
        Ack = new SeqNum(ack),
        Window = window,
        Options = options,
        PayloadLength = payload?.Length ?? 0,
        Payload = payload ?? [],
        IpId = 7,
    };

    public static string WritePcap(TemporaryDirectory directory, IEnumerable<(SimTime Time, Packet Packet)> packets, PcapLinkType linkType = PcapLinkType.Raw, DateTimeOffset? epoch = null)
    {
        string path = directory.File($"crafted-{linkType}.pcap");
        using var writer = PcapWriter.Create(path, linkType, epoch);
        foreach (var (time, packet) in packets)
        {
            writer.Write(time, packet);
        }

        return path;
    }
}
