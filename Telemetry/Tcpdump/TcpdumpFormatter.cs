using System.Globalization;
using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Formats packets exactly as <c>tcpdump -n</c> (4.99) prints IPv4 TCP and ICMP, e.g.
/// <c>12:41:00.029841 IP 10.0.0.1.34876 > 10.0.0.2.8888: Flags [F.], seq 236, ack 221, win 342, length 0</c>.
/// The rules follow print-tcp.c: <c>seq a:b</c> when the segment carries data, <c>seq a</c> for an empty
/// SYN, FIN or RST, no seq otherwise; <c>ack</c> only with the ACK flag; <c>urg</c> with URG; options in
/// wire order. A formatter keeps tcpdump's state — relative sequence bases per conversation and the
/// reference times of -ttt/-ttttt — so use one instance per output, and feed it packets in time order.
/// </summary>
public sealed class TcpdumpFormatter
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;
    private readonly RelativeSequenceNumbers _sequenceNumbers = new();
    private readonly TcpdumpTimestamp _timestamp;
    private readonly StringBuilder _text = new(256);

    public TcpdumpFormatter(TcpdumpOptions? options = null)
    {
        Options = options ?? TcpdumpOptions.Default;
        _timestamp = new TcpdumpTimestamp(Options.Timestamps, Options.Epoch);
    }

    public TcpdumpOptions Options { get; }

    /// <summary>Conversations whose relative bases are remembered (tcpdump never forgets them either).</summary>
    public int TrackedConversationCount => _sequenceNumbers.ConversationCount;

    /// <summary>The text tcpdump prints for <paramref name="packet"/> seen at <paramref name="time"/>, without the final newline (with -v, two lines).</summary>
    public string Format(SimTime time, Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        _text.Clear();
        _timestamp.Append(_text, time);
        AppendPacket(_text, packet);
        return _text.ToString();
    }

    /// <summary>Forgets conversations and reference times, as a new tcpdump process would.</summary>
    public void Reset()
    {
        _sequenceNumbers.Clear();
        _timestamp.Reset();
    }

    private void AppendPacket(StringBuilder text, Packet packet)
    {
        text.Append("IP ");
        if (Options.Verbose)
        {
            AppendIpHeader(text, packet);
            text.Append("\n    ");
        }

        switch (packet)
        {
            case Segment segment:
                AppendSegment(text, segment);
                break;
            case IcmpPacket icmp:
                text.Append(s_invariant, $"{icmp.Source} > {icmp.Destination}: ICMP ");
                IcmpText.Append(text, icmp);
                text.Append(s_invariant, $", length {icmp.TransportLength}");
                if (Options.Verbose)
                {
                    // tcpdump -v prints the quoted datagram on the following lines.
                    text.Append("\n\tIP ");
                    AppendIpHeader(text, icmp.Quoted);
                    text.Append("\n    ");
                    AppendSegment(text, icmp.Quoted);
                }

                break;
            default:
                throw new NotSupportedException($"tcpdump text for {packet.GetType().Name} is not modelled");
        }
    }

    private void AppendSegment(StringBuilder text, Segment segment)
    {
        text.Append(s_invariant, $"{segment.Source}.{segment.SourcePort} > {segment.Destination}.{segment.DestinationPort}: Flags [");
        TcpdumpFlags.Append(text, segment.Flags);
        text.Append(']');

        var printed = Options.AbsoluteSequenceNumbers
            ? new RelativeSequenceNumbers.Printed(segment.Seq.Value, segment.Ack.Value, 0)
            : _sequenceNumbers.Translate(segment);
        if (Options.Verbose)
        {
            AppendChecksum(text, segment);
        }

        int length = segment.PayloadLength;
        if (length > 0 || (segment.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            text.Append(s_invariant, $", seq {printed.Seq}");
            if (length > 0)
            {
                text.Append(s_invariant, $":{unchecked(printed.Seq + (uint)length)}");
            }
        }

        if (segment.HasAck)
        {
            text.Append(s_invariant, $", ack {printed.Ack}");
        }

        text.Append(s_invariant, $", win {segment.Window}");
        if ((segment.Flags & TcpFlags.Urg) != 0)
        {
            // The model carries no urgent pointer yet; 0 is what the pcap holds too.
            text.Append(", urg 0");
        }

        TcpdumpOptionsText.Append(text, segment.Options, printed.SackBase);
        text.Append(s_invariant, $", length {length}");
        if (HttpPayloadText.Applies(segment))
        {
            HttpPayloadText.Append(text, segment, Options.Verbose);
        }
    }

    private static void AppendChecksum(StringBuilder text, Segment segment)
    {
        ushort carried = PacketEncoder.TcpChecksumOf(segment);
        text.Append(s_invariant, $", cksum 0x{carried:x4}");
        text.Append(segment.Corrupted
            ? string.Create(s_invariant, $" (incorrect -> 0x{PacketEncoder.CorrectTcpChecksumOf(segment):x4})")
            : " (correct)");
    }

    /// <summary>tcpdump -v's IP summary: <c>(tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60)</c>.</summary>
    private static void AppendIpHeader(StringBuilder text, Packet packet)
    {
        bool isIcmp = packet is IcmpPacket;
        byte typeOfService = isIcmp ? PacketEncoder.IcmpErrorTypeOfService : (byte)0;
        string protocol = isIcmp ? "ICMP (1)" : "TCP (6)";
        string flags = packet.DontFragment ? "DF" : "none";
        text.Append(s_invariant, $"(tos 0x{typeOfService:x}, ttl {packet.Ttl}, id {packet.IpId}, offset 0, flags [{flags}], proto {protocol}, length {packet.IpLength})");
    }
}
