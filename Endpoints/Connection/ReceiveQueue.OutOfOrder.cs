using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The out-of-order queue (tp->out_of_order_queue): sk_buffs held beyond a hole, ordered by their first byte,
/// and the SACK option's state (<see cref="SelectiveAcks"/>) that tcp_data_queue_ofo and tcp_ofo_queue keep
/// as they hold, replace and drain them.
/// </summary>
internal sealed partial class ReceiveQueue
{
    /// <summary>Forgets out-of-order data and the SACK state (tcp_fin purges the queue and calls tcp_sack_reset).</summary>
    public void DiscardOutOfOrder()
    {
        _outOfOrder = null;
        OutOfOrderMemory = 0;
        _sacks?.Reset();
    }

    /// <summary>
    /// tcp_data_queue_ofo once the memory is there: holds an out-of-order segment, its FIN included (held with
    /// it, counted in its sequence space and in its SACK block, processed when in-order data reaches it), and,
    /// with SACK (<paramref name="sack"/>), reports it (<see cref="SelectiveAcks.AddOutOfOrder"/>) and any of it
    /// already held as a D-SACK. See <see cref="Place"/> for where it goes. <paramref name="merged"/>: segments
    /// or held buffers dropped because the other holds their bytes (TCPOFOMerge).
    /// </summary>
    public OutOfOrderOutcome AddOutOfOrder(SeqNum seq, ByteChunk data, bool fin, bool sack, out int merged)
    {
        var sacks = sack ? Sacks : null;
        var end = seq + data.Length + (fin ? 1 : 0);
        merged = 0;
        if (_outOfOrder is not { Count: > 0 })
        {
            (_outOfOrder ??= []).Add(NewBuffer(seq, data, fin));
            sacks?.Start(seq, end);
            return OutOfOrderOutcome.Queued;
        }

        var outcome = Place(seq, data, fin, sacks, ref merged);
        sacks?.AddOutOfOrder(seq, end);
        return outcome;
    }

    /// <summary>
    /// Where tcp_data_queue_ofo puts a segment among the held buffers (sk_buffs, ordered by their first byte):
    /// coalesced into the last one if it continues it, after it if beyond it; else the buffer holding its first
    /// byte decides: all of it held already (dropped, D-SACK), held from the start on (the segment replaces that
    /// buffer, D-SACK for it) or partly (D-SACK for the overlap, the segment goes after it). A segment that
    /// continues a buffer exactly is coalesced into it, and then nothing more is checked; one inserted removes
    /// the buffers after it that it covers, D-SACKing them and the start of one it covers partly.
    /// Linux walks a tree: with buffers that overlap, its first match can be another one than this search's.
    /// </summary>
    private OutOfOrderOutcome Place(SeqNum seq, ByteChunk data, bool fin, SelectiveAcks? sacks, ref int merged)
    {
        var queue = _outOfOrder!;
        var end = seq + data.Length + (fin ? 1 : 0);
        if (TryCoalesce(queue[^1], seq, data, fin))
        {
            return OutOfOrderOutcome.Coalesced;
        }

        int at = queue.Count;
        if (seq < queue[^1].End)
        {
            at = LastStartingAtOrBefore(seq);
            var holder = at >= 0 ? queue[at] : null;
            if (holder is not null && seq < holder.End)
            {
                if (end <= holder.End)
                {
                    sacks?.SetDuplicate(seq, end);
                    merged++;
                    return OutOfOrderOutcome.AlreadyHeld;
                }

                if (seq > holder.Seq)
                {
                    sacks?.SetDuplicate(seq, holder.End);
                    at++;
                }
                else
                {
                    sacks?.ExtendDuplicate(holder.Seq, holder.End);
                    OutOfOrderMemory -= holder.Charge;
                    queue.RemoveAt(at);
                    merged++;
                }
            }
            else if (holder is not null && TryCoalesce(holder, seq, data, fin))
            {
                return OutOfOrderOutcome.Coalesced;
            }
            else
            {
                at++;
            }
        }

        queue.Insert(at, NewBuffer(seq, data, fin));
        merged += RemoveCoveredAfter(at, end, sacks);
        return OutOfOrderOutcome.Queued;
    }

    /// <summary>
    /// tcp_data_queue_ofo's merge_right: removes the buffers after <paramref name="at"/> that the segment ending
    /// at <paramref name="end"/> covers, and returns how many.
    /// </summary>
    private int RemoveCoveredAfter(int at, SeqNum end, SelectiveAcks? sacks)
    {
        var queue = _outOfOrder!;
        int removed = 0;
        while (at + 1 < queue.Count && end > queue[at + 1].Seq)
        {
            var next = queue[at + 1];
            if (end < next.End)
            {
                sacks?.ExtendDuplicate(next.Seq, end);
                break;
            }

            sacks?.ExtendDuplicate(next.Seq, next.End);
            OutOfOrderMemory -= next.Charge;
            queue.RemoveAt(at + 1);
            removed++;
        }

        return removed;
    }

    /// <summary>The index of the last held buffer whose first byte is at or before <paramref name="seq"/>, or -1.</summary>
    private int LastStartingAtOrBefore(SeqNum seq)
    {
        var queue = _outOfOrder!;
        int index = queue.Count - 1;
        while (index >= 0 && queue[index].Seq > seq)
        {
            index--;
        }

        return index;
    }

    /// <summary>A segment in an sk_buff of its own, charged its truesize.</summary>
    private OutOfOrderBuffer NewBuffer(SeqNum seq, ByteChunk data, bool fin)
    {
        var buffer = new OutOfOrderBuffer(seq, data, fin, SkbTruesize.OfSegment(data.Length), SkbTruesize.FragsOf(data.Length));
        OutOfOrderMemory += buffer.Charge;
        return buffer;
    }

    /// <summary>
    /// tcp_ooo_try_coalesce: a segment that starts where the buffer ends joins it while page fragments are left,
    /// at the cost of its bytes (its FIN too); nothing joins a buffer that ends with a FIN.
    /// </summary>
    private bool TryCoalesce(OutOfOrderBuffer buffer, SeqNum seq, ByteChunk data, bool fin)
    {
        int frags = SkbTruesize.FragsOf(data.Length);
        if (buffer.End != seq || buffer.Fin || buffer.Frags + frags > SkbTruesize.MaxFrags)
        {
            return false;
        }

        buffer.Append(data, fin, frags);
        OutOfOrderMemory += data.Length;
        return true;
    }

    /// <summary>
    /// tcp_ofo_queue then tcp_sack_remove: moves held buffers that now start at or before <paramref name="rcvNxt"/>
    /// into order and returns the new rcv_nxt. Bytes of them below the rcv_nxt this was called with arrived twice
    /// and are D-SACKed (extending the pending D-SACK block where they touch it); SACK blocks rcv_nxt reaches are
    /// removed, all of them once nothing is held out of order. <paramref name="fin"/>: a held FIN was reached
    /// (the returned rcv_nxt is its sequence number; the caller runs tcp_fin, which discards the rest).
    /// </summary>
    public SeqNum DrainOutOfOrder(SeqNum rcvNxt, bool sack, out bool fin)
    {
        var duplicateBelow = rcvNxt;
        fin = false;
        while (!fin && _outOfOrder is { Count: > 0 } && _outOfOrder[0].Seq <= rcvNxt)
        {
            var held = _outOfOrder[0];
            _outOfOrder.RemoveAt(0);
            OutOfOrderMemory -= held.Charge;
            if (sack && held.Seq < duplicateBelow)
            {
                Sacks.ExtendDuplicate(held.Seq, SeqNum.Min(held.End, duplicateBelow));
            }

            if (held.End > rcvNxt)
            {
                rcvNxt = AppendFrom(held, rcvNxt);
                fin = held.Fin;
            }
        }

        if (_outOfOrder is { Count: 0 })
        {
            _outOfOrder = null;
        }

        // After a FIN, tcp_fin purges what is left and resets the SACK state; rcv_nxt may end inside a block then.
        if (!fin && _sacks is { Count: > 0 } sacks)
        {
            if (_outOfOrder is null)
            {
                sacks.Clear();
            }
            else
            {
                sacks.Remove(rcvNxt);
            }
        }

        return rcvNxt;
    }

    /// <summary>Appends a held buffer's bytes from <paramref name="rcvNxt"/> on (none if it ends there); returns the new rcv_nxt.</summary>
    private SeqNum AppendFrom(OutOfOrderBuffer held, SeqNum rcvNxt)
    {
        var chunkSeq = held.Seq;
        foreach (var chunk in held.Chunks)
        {
            var chunkEnd = chunkSeq + chunk.Length;
            if (chunkEnd > rcvNxt)
            {
                int skip = rcvNxt - chunkSeq;
                AppendInOrder(chunk.Slice(skip, chunk.Length - skip));
                rcvNxt = chunkEnd;
            }

            chunkSeq = chunkEnd;
        }

        return rcvNxt;
    }

    /// <summary>
    /// tcp_prune_ofo_queue's step: drops the highest held buffer if it starts at or after
    /// <paramref name="notBelow"/> (the segment that needs the room: data before it may fill a hole
    /// sooner), and returns what that freed; -1 when there is none to drop. The caller resets the SACK state.
    /// </summary>
    public long DropHighestOutOfOrder(SeqNum notBelow)
    {
        if (_outOfOrder is not { Count: > 0 } || _outOfOrder[^1].Seq < notBelow)
        {
            return -1;
        }

        long freed = _outOfOrder[^1].Charge;
        OutOfOrderMemory -= freed;
        _outOfOrder.RemoveAt(_outOfOrder.Count - 1);
        if (_outOfOrder.Count == 0)
        {
            _outOfOrder = null;
        }

        return freed;
    }

    /// <summary>The end of the highest held out-of-order buffer (ooo_last_skb's end_seq), if any is held.</summary>
    public SeqNum? OutOfOrderEnd => _outOfOrder is { Count: > 0 } queue ? queue[^1].End : null;

    /// <summary>tcp_sack_reset after tcp_prune_ofo_queue dropped data: nothing is reported until new data arrives out of order.</summary>
    public void ResetSacks() => _sacks?.Reset();

    /// <summary>The D-SACK was sent (tcp_options_write), or a new segment is being queued (tcp_data_queue).</summary>
    public void ForgetDuplicateSack() => _sacks?.ForgetDuplicate();

    /// <summary>
    /// An out-of-order sk_buff: the segments coalesced into it, in order, whether the last ended with a FIN (End
    /// then counts it), what they are charged, and its page fragments.
    /// </summary>
    private sealed class OutOfOrderBuffer(SeqNum seq, ByteChunk data, bool fin, int charge, int frags)
    {
        private readonly List<ByteChunk> _chunks = [data];

        public SeqNum Seq { get; } = seq;

        public SeqNum End { get; private set; } = seq + data.Length + (fin ? 1 : 0);

        public bool Fin { get; private set; } = fin;

        public long Charge { get; private set; } = charge;

        public int Frags { get; private set; } = frags;

        public IReadOnlyList<ByteChunk> Chunks => _chunks;

        public void Append(ByteChunk data, bool fin, int frags)
        {
            _chunks.Add(data);
            End += data.Length + (fin ? 1 : 0);
            Fin = fin;
            Charge += data.Length;
            Frags += frags;
        }
    }
}
