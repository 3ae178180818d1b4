using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// tcpdump's relative sequence numbers (print-tcp.c, tcp_seq_hash). Only segments with the ACK flag take
/// part. Each conversation is keyed in one canonical orientation (the side with the lower port first; on
/// equal ports, the lower address). The first ACK-bearing segment of a conversation, and every SYN-ACK,
/// records the bases (its own seq, and ack − 1 for the peer) and prints absolute numbers; later segments
/// print seq and ack minus the bases. So a SYN and a bare RST (no ACK flag) always print absolute numbers,
/// the SYN-ACK too, and the third ACK is <c>ack 1</c>. Entries are never forgotten, as in tcpdump, so a
/// reused 4-tuple keeps the bases of its last SYN-ACK until a new one arrives.
/// </summary>
internal sealed class RelativeSequenceNumbers
{
    private readonly Dictionary<ConversationKey, Bases> _conversations = [];

    /// <summary>The numbers to print for one segment.</summary>
    public readonly record struct Printed(uint Seq, uint Ack, uint SackBase);

    public int ConversationCount => _conversations.Count;

    public void Clear() => _conversations.Clear();

    public Printed Translate(Segment segment)
    {
        uint seq = segment.Seq.Value;
        uint ack = segment.Ack.Value;
        if (!segment.HasAck)
        {
            return new Printed(seq, ack, 0);
        }

        bool reversed = segment.SourcePort > segment.DestinationPort
            || (segment.SourcePort == segment.DestinationPort && segment.Source.Value > segment.Destination.Value);
        var key = reversed
            ? new ConversationKey(segment.Destination.Value, segment.Source.Value, ((uint)segment.DestinationPort << 16) | segment.SourcePort)
            : new ConversationKey(segment.Source.Value, segment.Destination.Value, ((uint)segment.SourcePort << 16) | segment.DestinationPort);

        if (!_conversations.TryGetValue(key, out var bases) || segment.IsSyn)
        {
            bases = reversed ? new Bases(unchecked(ack - 1), seq) : new Bases(seq, unchecked(ack - 1));
            _conversations[key] = bases;
        }
        else
        {
            (seq, ack) = reversed
                ? (unchecked(seq - bases.Ack), unchecked(ack - bases.Seq))
                : (unchecked(seq - bases.Seq), unchecked(ack - bases.Ack));
        }

        // SACK blocks name the peer's sequence space: the base of the other side.
        return new Printed(seq, ack, reversed ? bases.Seq : bases.Ack);
    }

    private readonly record struct ConversationKey(uint Source, uint Destination, uint Ports);

    /// <summary>Bases in the canonical orientation: Seq for the canonical source side, Ack for the other.</summary>
    private readonly record struct Bases(uint Seq, uint Ack);
}
