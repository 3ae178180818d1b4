using System.Globalization;
using System.Text;

namespace TcpActors.Network;

/// <summary>
/// A TCP segment in an IPv4 packet: the hottest message of the simulation. It holds the header fields
/// as the wire has them (raw 16-bit window, absolute sequence numbers), the modelled options, and the
/// payload either as real bytes (<see cref="Payload"/>) or only as a length (load runs carry no bytes;
/// a pcap then shows zeros).
/// </summary>
public sealed record Segment : Packet
{
    public required ushort SourcePort { get; init; }

    public required ushort DestinationPort { get; init; }

    public SeqNum Seq { get; init; }

    /// <summary>The acknowledgement number; meaningful when the ACK flag is set.</summary>
    public SeqNum Ack { get; init; }

    public TcpFlags Flags { get; init; }

    /// <summary>The window field as sent (already shifted right by the sender's window scale).</summary>
    public ushort Window { get; init; }

    public TcpOptions Options { get; init; }

    /// <summary>The urgent pointer; meaningful when the URG flag is set (TcpActors' TCP never sends urgent data).</summary>
    public ushort UrgentPointer { get; init; }

    /// <summary>Bytes of data carried (the length tcpdump prints).</summary>
    public int PayloadLength { get; init; }

    /// <summary>The data itself, when the run carries bytes; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>
    /// Not a header field: the sender's own account that this bare ACK is a duplicate ACK. It was sent at
    /// once because a segment arrived that advanced nothing (out-of-order data, a duplicate or old segment,
    /// a retransmitted FIN, a segment outside the window, an invalid one drawing a challenge ACK), and it
    /// repeats the acknowledgement number and window of the previous segment its sender sent. Captures
    /// carry it to segment patterns as <c>(dup)</c>; a pcap cannot hold it (docs/observation.md).
    /// </summary>
    public bool DuplicateAck { get; init; }

    /// <summary>
    /// The MSS of a GSO super-segment (skb_shinfo(skb)->gso_size): the size of the segments the payload stands for,
    /// each of which would carry this header; 0 for an ordinary segment. Captures on a veth see the super-segment as
    /// one packet, as tcpdump does; a device that cannot take it splits it (<see cref="GsoSegmentation"/>). Kept in 16
    /// bits (an MSS, as the kernel's u16 gso_size): the segment's fields then fit 8 bytes fewer.
    /// </summary>
    public int GsoSize
    {
        get => _gsoSize;
        init => _gsoSize = checked((ushort)value);
    }

    private readonly ushort _gsoSize;

    /// <summary>How many segments on the wire this one stands for (skb_shinfo(skb)->gso_segs; 1 when not GSO).</summary>
    public int GsoSegs => GsoSize > 0 && PayloadLength > GsoSize ? (PayloadLength + GsoSize - 1) / GsoSize : 1;

    /// <summary>The IP length of the largest segment a GSO super-segment stands for (skb_gso_network_seglen); <see cref="Packet.IpLength"/> otherwise.</summary>
    public int IpLengthPerSegment => GsoSegs > 1 ? 20 + HeaderLength + GsoSize : IpLength;

    public SocketAddress SourceSocket => new(Source, SourcePort);

    public SocketAddress DestinationSocket => new(Destination, DestinationPort);

    /// <summary>The TCP header length: 20 bytes plus the options.</summary>
    public int HeaderLength => 20 + TcpOptionsLayout.Length(Options);

    public override int TransportLength => HeaderLength + PayloadLength;

    /// <summary>Sequence space consumed: the payload, plus one for SYN and one for FIN.</summary>
    public int SequenceLength => PayloadLength + ((Flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((Flags & TcpFlags.Fin) != 0 ? 1 : 0);

    /// <summary>The sequence number just past this segment.</summary>
    public SeqNum EndSeq => Seq + SequenceLength;

    public bool IsSyn => (Flags & TcpFlags.Syn) != 0;

    public bool IsRst => (Flags & TcpFlags.Rst) != 0;

    public bool IsFin => (Flags & TcpFlags.Fin) != 0;

    public bool HasAck => (Flags & TcpFlags.Ack) != 0;

    /// <summary>The 4-tuple as seen by the receiver of this segment.</summary>
    public FourTuple ReceiverTuple => new(Destination, DestinationPort, Source, SourcePort);

    /// <summary>The 4-tuple as seen by the sender of this segment.</summary>
    public FourTuple SenderTuple => new(Source, SourcePort, Destination, DestinationPort);

    /// <summary>A compact one-line form with absolute numbers, for logs and assertion messages.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        var culture = CultureInfo.InvariantCulture;
        text.Append(culture, $"{SourceSocket.ToTcpdumpString()} > {DestinationSocket.ToTcpdumpString()}: [{Flags.ToTcpdumpString()}] seq {Seq}");
        if (HasAck)
        {
            text.Append(culture, $" ack {Ack}");
        }

        text.Append(culture, $" win {Window} len {PayloadLength}");
        if (GsoSegs > 1)
        {
            text.Append(culture, $" (GSO {GsoSegs} x {GsoSize})");
        }

        if (DuplicateAck)
        {
            text.Append(" (duplicate ACK)");
        }

        if (Corrupted)
        {
            text.Append(" (corrupted)");
        }

        return text.ToString();
    }
}
