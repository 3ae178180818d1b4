using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// What a receiver tells the sender in its SACK option (RFC 2018, RFC 2883), kept as Linux keeps it in
/// tcp_sock: up to four remembered blocks (tp->selective_acks, TCP_NUM_SACKS), most recently changed first,
/// and one D-SACK block (tp->duplicate_sack) reported once, ahead of them.
/// <para>
/// The blocks are not recomputed from the out-of-order queue. Each out-of-order segment is folded in by
/// tcp_sack_new_ofo_skb: the first block it touches (overlaps or abuts) grows to cover it and moves to the
/// front, where it swallows any other block it now touches (tcp_sack_maybe_coalesce); a segment that touches
/// none becomes a new front block, and with four held the last — the one changed longest ago — is forgotten,
/// although its data stays queued. In-order data removes the blocks rcv_nxt has reached (tcp_sack_remove), the
/// others keeping their order. So the option repeats "the most recently reported blocks" as RFC 2018 asks, and
/// with more holes than fit, the oldest go unreported: 32-sack-blocks-nots reports {901:1001} {1501:1601}
/// {701:801} after {1301:1401}, never the {1101:1201} it still holds.
/// </para>
/// </summary>
internal sealed class SelectiveAcks
{
    /// <summary>TCP_NUM_SACKS: the blocks Linux remembers (40 bytes of options hold 4 without timestamps).</summary>
    public const int MaximumBlocks = 4;

    private readonly SackBlock[] _blocks = new SackBlock[MaximumBlocks];

    /// <summary>tp->rx_opt.num_sacks.</summary>
    public int Count { get; private set; }

    /// <summary>tp->duplicate_sack[0] while tp->rx_opt.dsack is set: sent once, before the blocks.</summary>
    public SackBlock? Duplicate { get; private set; }

    /// <summary>Blocks the next segment would carry, D-SACK included, before the option's room limits them.</summary>
    public int PendingBlocks => Count + (Duplicate is null ? 0 : 1);

    /// <summary>The remembered block at <paramref name="index"/>, 0 being the most recent.</summary>
    public SackBlock this[int index] => index < Count ? _blocks[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>tcp_data_queue_ofo's first out-of-order segment: the only block (whatever was remembered before).</summary>
    public void Start(SeqNum seq, SeqNum end)
    {
        _blocks[0] = new SackBlock(seq, end);
        Count = 1;
    }

    /// <summary>tcp_sack_new_ofo_skb: fold [seq, end) in, its block first.</summary>
    public void AddOutOfOrder(SeqNum seq, SeqNum end)
    {
        for (int index = 0; index < Count; index++)
        {
            if (Extend(ref _blocks[index], seq, end))
            {
                // Rotate it to the front (the others keep their order), then let it swallow what it touches.
                var touched = _blocks[index];
                Array.Copy(_blocks, 0, _blocks, 1, index);
                _blocks[0] = touched;
                Coalesce();
                return;
            }
        }

        // A new block at the front; beyond four the last, the oldest, is forgotten.
        int kept = Math.Min(Count, MaximumBlocks - 1);
        Array.Copy(_blocks, 0, _blocks, 1, kept);
        _blocks[0] = new SackBlock(seq, end);
        Count = kept + 1;
    }

    /// <summary>tcp_sack_remove: rcv_nxt has advanced to <paramref name="rcvNxt"/>; blocks it reached go.</summary>
    public void Remove(SeqNum rcvNxt)
    {
        int kept = 0;
        for (int index = 0; index < Count; index++)
        {
            // A block rcv_nxt has reached goes, even one it only entered (Linux warns then, WARN_ON in
            // tcp_sack_remove, and drops the block all the same; in-order data should cover a held block whole).
            if (rcvNxt < _blocks[index].Left)
            {
                _blocks[kept++] = _blocks[index];
            }
        }

        Count = kept;
    }

    /// <summary>The out-of-order queue is empty: nothing to report (tcp_sack_remove's first case).</summary>
    public void Clear() => Count = 0;

    /// <summary>tcp_sack_reset (the out-of-order queue was purged or pruned): no blocks, no D-SACK.</summary>
    public void Reset()
    {
        Count = 0;
        Duplicate = null;
    }

    /// <summary>tcp_dsack_set: [seq, end) arrived again; the next segment reports it first.</summary>
    public void SetDuplicate(SeqNum seq, SeqNum end) => Duplicate = new SackBlock(seq, end);

    /// <summary>tcp_dsack_extend: widen the pending D-SACK block if [seq, end) touches it, else start one if none is pending.</summary>
    public void ExtendDuplicate(SeqNum seq, SeqNum end)
    {
        if (Duplicate is not { } duplicate)
        {
            SetDuplicate(seq, end);
            return;
        }

        if (Extend(ref duplicate, seq, end))
        {
            Duplicate = duplicate;
        }
    }

    /// <summary>tp->rx_opt.dsack = 0: the D-SACK was sent, or a new segment is being queued (tcp_data_queue).</summary>
    public void ForgetDuplicate() => Duplicate = null;

    /// <summary>
    /// The option's blocks (tcp_established_options, tcp_options_write): the D-SACK block first, then the
    /// remembered blocks in order, as many as <paramref name="room"/> allows in all.
    /// </summary>
    public SackBlock[] Option(int room)
    {
        int count = Math.Min(PendingBlocks, room);
        var option = new SackBlock[count];
        int first = 0;
        if (Duplicate is { } duplicate && count > 0)
        {
            option[0] = duplicate;
            first = 1;
        }

        Array.Copy(_blocks, 0, option, first, count - first);
        return option;
    }

    /// <summary>tcp_sack_maybe_coalesce: the front block absorbs every later block it overlaps or abuts.</summary>
    private void Coalesce()
    {
        for (int index = 1; index < Count;)
        {
            if (Extend(ref _blocks[0], _blocks[index].Left, _blocks[index].Right))
            {
                Array.Copy(_blocks, index + 1, _blocks, index, Count - index - 1);
                Count--;
                continue;
            }

            index++;
        }
    }

    /// <summary>tcp_sack_extend: grow <paramref name="block"/> to cover [seq, end) if the two overlap or abut.</summary>
    private static bool Extend(ref SackBlock block, SeqNum seq, SeqNum end)
    {
        if (seq > block.Right || block.Left > end)
        {
            return false;
        }

        block = new SackBlock(SeqNum.Min(block.Left, seq), SeqNum.Max(block.Right, end));
        return true;
    }
}
