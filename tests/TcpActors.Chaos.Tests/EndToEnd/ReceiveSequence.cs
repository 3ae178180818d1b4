using TcpActors.Network;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// What a receiver holds of the sequence space, rebuilt from the segments captured arriving: the next byte
/// it expects (rcv_nxt), and the SACK blocks a Linux receiver would report (<see cref="LinuxSackBlocks"/>).
/// </summary>
internal sealed class ReceiveSequence
{
    private readonly List<SackBlock> _held = [];
    private SeqNum? _expected;

    public LinuxSackBlocks Sacks { get; } = new();

    /// <summary>The next byte the receiver expects (rcv_nxt), once the SYN was seen.</summary>
    public SeqNum? Expected => _expected;

    /// <summary>Takes an intact arriving segment; true when it came out of order (beyond rcv_nxt).</summary>
    public bool Arrive(Segment segment)
    {
        if (segment.IsSyn || _expected is null)
        {
            _expected = segment.EndSeq;
            return false;
        }

        if (segment.SequenceLength == 0)
        {
            return false;
        }

        if (segment.Seq > _expected.Value)
        {
            _held.Add(new SackBlock(segment.Seq, segment.EndSeq));
            Sacks.OutOfOrder(segment.Seq, segment.EndSeq);
            return true;
        }

        var next = SeqNum.Max(_expected.Value, segment.EndSeq);
        while (_held.FindIndex(h => h.Left <= next) is var reached and >= 0)
        {
            next = SeqNum.Max(next, _held[reached].Right);
            _held.RemoveAt(reached);
        }

        _expected = next;
        Sacks.Advanced(next);
        return false;
    }
}
