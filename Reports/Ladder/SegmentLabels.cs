using System.Globalization;
using System.Text;
using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Reports;

/// <summary>
/// The text on a ladder's arrows: flags in words and sequence numbers relative to each side's initial
/// sequence number, as Wireshark shows them (a SYN is seq 0, the third ACK is seq 1 ack 1). A new SYN on a
/// reused 4-tuple starts new bases, as a new connection does. Retransmissions are flagged where the TCP stack
/// said so, and otherwise when a segment re-sends sequence space already sent in its direction (as
/// tshark's tcp.analysis.retransmission does).
/// </summary>
internal sealed class SegmentLabels
{
    private readonly Dictionary<SocketAddress, uint> _initialSequence = [];
    private readonly Dictionary<SocketAddress, uint> _highestSent = [];

    /// <summary>Flags, sequence and acknowledgement numbers; called once per flight in the order they were sent.</summary>
    public (string Text, bool Retransmission) Describe(Flight flight)
    {
        if (flight.Packet is IcmpPacket icmp)
        {
            return ($"ICMP {Words(icmp.Code)}", false);
        }

        if (flight.Packet is not Segment segment)
        {
            return ("packet", false);
        }

        if (segment.IsSyn && (!segment.HasAck || !_initialSequence.ContainsKey(segment.SourceSocket) || segment.Seq.Value != _initialSequence[segment.SourceSocket]))
        {
            // A SYN, or a SYN-ACK from a new incarnation: new bases for this side.
            _initialSequence[segment.SourceSocket] = segment.Seq.Value;
            _highestSent.Remove(segment.SourceSocket);
        }

        // A side first seen mid-stream counts from its first segment.
        _initialSequence.TryAdd(segment.SourceSocket, segment.Seq.Value);
        uint sequenceBase = _initialSequence[segment.SourceSocket];
        var text = new StringBuilder(64);
        text.Append(FlagWords(segment.Flags));
        uint seq = unchecked(segment.Seq.Value - sequenceBase);
        if (segment.PayloadLength > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  seq={seq}:{unchecked(seq + (uint)segment.PayloadLength)}");
        }
        else if (!segment.HasAck || segment.IsSyn || segment.IsFin || segment.IsRst)
        {
            text.Append(CultureInfo.InvariantCulture, $"  seq={seq}");
        }

        if (segment.HasAck)
        {
            uint ack = _initialSequence.TryGetValue(segment.DestinationSocket, out uint peerBase) ? unchecked(segment.Ack.Value - peerBase) : segment.Ack.Value;
            text.Append(CultureInfo.InvariantCulture, $" ack={ack}");
        }

        if (segment.PayloadLength > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  len={segment.PayloadLength}");
        }

        return (text.ToString(), IsRetransmission(flight, segment));
    }

    private bool IsRetransmission(Flight flight, Segment segment)
    {
        if (flight.Duplicate || segment.SequenceLength == 0)
        {
            return flight.Retransmission is not null;
        }

        uint end = segment.EndSeq.Value;
        bool seen = _highestSent.TryGetValue(segment.SourceSocket, out uint highest) && unchecked((int)(end - highest)) <= 0;
        if (!seen)
        {
            _highestSent[segment.SourceSocket] = end;
        }

        return seen || flight.Retransmission is not null;
    }

    /// <summary>SYN, SYN-ACK, ACK, FIN-ACK, PSH-ACK, RST, RST-ACK… (ECN flags last).</summary>
    public static string FlagWords(TcpFlags flags)
    {
        var words = new List<string>(5);
        if (flags.Has(TcpFlags.Syn))
        {
            words.Add("SYN");
        }

        if (flags.Has(TcpFlags.Fin))
        {
            words.Add("FIN");
        }

        if (flags.Has(TcpFlags.Rst))
        {
            words.Add("RST");
        }

        if (flags.Has(TcpFlags.Psh))
        {
            words.Add("PSH");
        }

        if (flags.Has(TcpFlags.Ack))
        {
            words.Add("ACK");
        }

        if (flags.Has(TcpFlags.Urg))
        {
            words.Add("URG");
        }

        if (flags.Has(TcpFlags.Ece))
        {
            words.Add("ECE");
        }

        if (flags.Has(TcpFlags.Cwr))
        {
            words.Add("CWR");
        }

        return words.Count == 0 ? "(no flags)" : string.Join('-', words);
    }

    /// <summary>How a retransmission is described on its arrow.</summary>
    public static string RetransmissionWords(RetransmissionKind? kind) => kind switch
    {
        RetransmissionKind.Timeout => "retransmission: RTO expired",
        RetransmissionKind.LossProbe => "retransmission: tail loss probe",
        RetransmissionKind.Fast => "fast retransmission",
        RetransmissionKind.Syn => "SYN retransmission",
        RetransmissionKind.SynAck => "SYN-ACK retransmission",
        _ => "retransmission",
    };

    private static string Words(IcmpUnreachableCode code) => code switch
    {
        IcmpUnreachableCode.NetUnreachable => "net unreachable",
        IcmpUnreachableCode.HostUnreachable => "host unreachable",
        IcmpUnreachableCode.ProtocolUnreachable => "protocol unreachable",
        IcmpUnreachableCode.PortUnreachable => "port unreachable",
        IcmpUnreachableCode.NetProhibited => "net prohibited",
        IcmpUnreachableCode.HostProhibited => "host prohibited",
        _ => "admin prohibited",
    };
}
