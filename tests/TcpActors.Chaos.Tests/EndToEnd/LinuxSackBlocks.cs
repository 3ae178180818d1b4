using TcpActors.Network;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// The SACK blocks a Linux receiver keeps (tp->selective_acks, at most 4), as tcp_input.c maintains them:
/// an out-of-order segment extends the block it touches and moves it to the front, or becomes a new
/// front block, the oldest being forgotten beyond four (tcp_sack_new_ofo_skb, tcp_sack_maybe_coalesce);
/// blocks rcv_nxt reaches are removed, the others keeping their order (tcp_sack_remove). So the blocks
/// are reported most recent first, as RFC 2018 asks ("repeating the most recently reported SACK blocks").
/// </summary>
internal sealed class LinuxSackBlocks
{
    private const int MaximumBlocks = 4;
    private readonly List<SackBlock> _blocks = [];

    public IReadOnlyList<SackBlock> Blocks => _blocks;

    /// <summary>tcp_sack_new_ofo_skb.</summary>
    public void OutOfOrder(SeqNum seq, SeqNum end)
    {
        int touched = _blocks.FindIndex(b => b.Left <= end && seq <= b.Right);
        if (touched >= 0)
        {
            var block = _blocks[touched];
            _blocks.RemoveAt(touched);
            _blocks.Insert(0, new SackBlock(SeqNum.Min(block.Left, seq), SeqNum.Max(block.Right, end)));
            Coalesce();
            return;
        }

        if (_blocks.Count == MaximumBlocks)
        {
            _blocks.RemoveAt(MaximumBlocks - 1);
        }

        _blocks.Insert(0, new SackBlock(seq, end));
    }

    /// <summary>tcp_sack_remove: rcv_nxt advanced to <paramref name="rcvNxt"/>.</summary>
    public void Advanced(SeqNum rcvNxt) => _blocks.RemoveAll(b => b.Left <= rcvNxt);

    /// <summary>tcp_sack_maybe_coalesce: the front block swallows the others it now touches.</summary>
    private void Coalesce()
    {
        for (int i = 1; i < _blocks.Count;)
        {
            var (front, other) = (_blocks[0], _blocks[i]);
            if (front.Left <= other.Right && other.Left <= front.Right)
            {
                _blocks[0] = new SackBlock(SeqNum.Min(front.Left, other.Left), SeqNum.Max(front.Right, other.Right));
                _blocks.RemoveAt(i);
                continue;
            }

            i++;
        }
    }
}
