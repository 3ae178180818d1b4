using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Received data: the in-order bytes the application has not read yet, and segments that arrived out
/// of order (held until the gap fills; they produce SACK blocks). Each segment is held with what it is
/// charged to the receive buffer (<see cref="SkbTruesize"/>), so that <see cref="Memory"/> is Linux's
/// sk_rmem_alloc: a segment's charge is released when the application has read all of it.
/// </summary>
internal sealed class ReceiveQueue
{
    // The oldest unread segment is held inline and only later ones in a queue, created when first
    // needed (an application that reads as data comes never needs it); out-of-order data likewise.
    private Held _head;
    private Queue<Held>? _behind;
    private List<OutOfOrder>? _outOfOrder;
    private int _headOffset;

    // Page fragments in the sk_buff the last in-order segment went into (0 for a linear one).
    private int _tailFrags;

    /// <summary>Unread in-order bytes (what ss shows as Recv-Q, without the FIN).</summary>
    public long UnreadBytes { get; private set; }

    /// <summary>sk_rmem_alloc: what the held segments are charged, in order and out of order.</summary>
    public long Memory => InOrderMemory + OutOfOrderMemory;

    public int OutOfOrderCount => _outOfOrder?.Count ?? 0;

    /// <summary>Segments (or collapsed buffers) still holding unread bytes.</summary>
    public int SegmentsHeld => (_head.Data.Length > 0 ? 1 : 0) + (_behind?.Count ?? 0);

    private long InOrderMemory { get; set; }

    private long OutOfOrderMemory { get; set; }

    /// <summary>
    /// Queues in-order bytes (tcp_queue_rcv): coalesced into the last buffer while it has fragments to
    /// spare, else in a buffer of their own.
    /// </summary>
    public void AppendInOrder(ByteChunk data)
    {
        if (data.Length == 0)
        {
            return;
        }

        int frags = SkbTruesize.FragsOf(data.Length);
        bool coalesced = SegmentsHeld > 0 && _tailFrags + frags <= SkbTruesize.MaxFrags;
        _tailFrags = coalesced ? _tailFrags + frags : frags;
        var held = new Held(data, coalesced ? data.Length : SkbTruesize.OfSegment(data.Length));
        if (_head.Data.Length == 0)
        {
            _head = held;
        }
        else
        {
            (_behind ??= new()).Enqueue(held);
        }

        UnreadBytes += data.Length;
        InOrderMemory += held.Charge;
    }

    /// <summary>Reads up to <paramref name="max"/> bytes (one chunk, merged when it spans several).</summary>
    public ByteChunk Read(int max)
    {
        int length = (int)Math.Min(max, UnreadBytes);
        if (length == 0)
        {
            return ByteChunk.Empty;
        }

        bool bytes = _head.Data.HasBytes;
        var buffer = bytes ? new byte[length] : null;
        int written = 0;
        while (written < length)
        {
            var head = _head.Data;
            int take = Math.Min(length - written, head.Length - _headOffset);
            if (buffer is not null && head.HasBytes)
            {
                head.Bytes.Span.Slice(_headOffset, take).CopyTo(buffer.AsSpan(written));
            }

            written += take;
            _headOffset += take;
            if (_headOffset == head.Length)
            {
                InOrderMemory -= _head.Charge;
                _head = _behind is { Count: > 0 } ? _behind.Dequeue() : default;
                _headOffset = 0;
            }
        }

        UnreadBytes -= length;

        return buffer is null ? ByteChunk.OfLength(length) : ByteChunk.Of(buffer);
    }

    /// <summary>Discards everything unread (close() counts it first to decide on RST).</summary>
    public long DiscardAll()
    {
        long discarded = UnreadBytes;
        _head = default;
        _behind = null;
        _headOffset = 0;
        UnreadBytes = 0;
        InOrderMemory = 0;
        DiscardOutOfOrder();
        return discarded;
    }

    /// <summary>Forgets out-of-order data (Linux purges it when the FIN arrives).</summary>
    public void DiscardOutOfOrder()
    {
        _outOfOrder = null;
        OutOfOrderMemory = 0;
    }

    /// <summary>
    /// Holds an out-of-order segment's data (tcp_data_queue_ofo): one wholly held already is dropped, later
    /// ones it covers are replaced; it is coalesced into a held one that it continues exactly.
    /// </summary>
    public void AddOutOfOrder(SeqNum seq, ByteChunk data)
    {
        var end = seq + data.Length;
        _outOfOrder ??= [];
        int at = 0;
        while (at < _outOfOrder.Count && _outOfOrder[at].Seq < seq)
        {
            at++;
        }

        // Already wholly held? (A previous segment covers it.)
        if (at > 0 && _outOfOrder[at - 1].End >= end)
        {
            return;
        }

        int frags = SkbTruesize.FragsOf(data.Length);
        var previous = at > 0 ? _outOfOrder[at - 1] : default;
        bool coalesced = at > 0 && previous.End == seq && previous.Frags + frags <= SkbTruesize.MaxFrags;
        var held = new OutOfOrder(seq, data, coalesced ? data.Length : SkbTruesize.OfSegment(data.Length), coalesced ? previous.Frags + frags : frags);
        _outOfOrder.Insert(at, held);
        OutOfOrderMemory += held.Charge;
        // Remove later segments this one covers completely.
        while (at + 1 < _outOfOrder.Count && _outOfOrder[at + 1].End <= end)
        {
            OutOfOrderMemory -= _outOfOrder[at + 1].Charge;
            _outOfOrder.RemoveAt(at + 1);
        }
    }

    /// <summary>Moves held segments that now start at or before <paramref name="rcvNxt"/> into order; returns the new rcv_nxt.</summary>
    public SeqNum DrainOutOfOrder(SeqNum rcvNxt)
    {
        while (_outOfOrder is { Count: > 0 } && _outOfOrder[0].Seq <= rcvNxt)
        {
            var held = _outOfOrder[0];
            _outOfOrder.RemoveAt(0);
            OutOfOrderMemory -= held.Charge;
            int skip = rcvNxt - held.Seq;
            if (skip < held.Data.Length)
            {
                AppendInOrder(held.Data.Slice(skip, held.Data.Length - skip));
                rcvNxt += held.Data.Length - skip;
            }
        }

        if (_outOfOrder is { Count: 0 })
        {
            _outOfOrder = null;
        }

        return rcvNxt;
    }

    /// <summary>
    /// tcp_prune_ofo_queue's step: drops the highest held out-of-order segment if it starts at or after
    /// <paramref name="notBelow"/> (the segment that needs the room: data before it may fill a hole
    /// sooner), and returns what that freed; -1 when there is none to drop.
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

    /// <summary>
    /// tcp_collapse of the receive queue: from the first buffer worth it — partly read, or bloated (its
    /// memory, as window at <paramref name="scalingRatio"/>/256, more than its bytes) — to the end, the unread
    /// bytes are copied into new linear buffers of <see cref="SkbTruesize.CollapsedBytes"/> each and the old
    /// ones freed, with what was already read. Returns how many segments were collapsed (TCPRcvCollapsed).
    /// </summary>
    public int Collapse(int scalingRatio)
    {
        var held = new List<Held>(SegmentsHeld);
        if (_head.Data.Length > 0)
        {
            held.Add(_head);
        }

        held.AddRange(_behind ?? []);
        int start = FirstToCollapse(held, scalingRatio);
        if (start < 0)
        {
            return 0;
        }

        int offset = start == 0 ? _headOffset : 0;
        var collapsed = held.GetRange(0, start);
        collapsed.AddRange(Compact(held, start, offset));
        _head = collapsed[0];
        _behind = collapsed.Count > 1 ? new Queue<Held>(collapsed.Skip(1)) : null;
        _headOffset = start == 0 ? 0 : _headOffset;
        _tailFrags = 0;
        InOrderMemory = collapsed.Sum(h => (long)h.Charge);
        return held.Count - start;
    }

    /// <summary>The index of the first held segment to collapse from (the start of a buffer), or -1.</summary>
    private int FirstToCollapse(List<Held> held, int scalingRatio)
    {
        for (int first = 0; first < held.Count;)
        {
            // A buffer: the segment that was charged an sk_buff, then those coalesced into it.
            int next = first + 1;
            long length = held[first].Data.Length;
            long truesize = held[first].Charge;
            while (next < held.Count && held[next].Charge == held[next].Data.Length)
            {
                length += held[next].Data.Length;
                truesize += held[next].Charge;
                next++;
            }

            bool partlyRead = first == 0 && _headOffset > 0;
            if (partlyRead || truesize * scalingRatio / 256 > length)
            {
                return first;
            }

            first = next;
        }

        return -1;
    }

    /// <summary>The unread bytes of held[start..] (less <paramref name="offset"/> already read) in buffers of one page each.</summary>
    private static IEnumerable<Held> Compact(List<Held> held, int start, int offset)
    {
        long total = held.Skip(start).Sum(h => (long)h.Data.Length) - offset;
        bool bytes = held[start].Data.HasBytes;
        int index = start;
        while (total > 0)
        {
            int size = (int)Math.Min(total, SkbTruesize.CollapsedBytes);
            var buffer = bytes ? new byte[size] : null;
            for (int copied = 0; copied < size;)
            {
                var data = held[index].Data;
                int take = Math.Min(size - copied, data.Length - offset);
                if (buffer is not null && data.HasBytes)
                {
                    data.Bytes.Span.Slice(offset, take).CopyTo(buffer.AsSpan(copied));
                }

                copied += take;
                offset += take;
                if (offset == data.Length)
                {
                    index++;
                    offset = 0;
                }
            }

            total -= size;
            yield return new Held(buffer is null ? ByteChunk.OfLength(size) : ByteChunk.Of(buffer), SkbTruesize.OfLinear(size));
        }
    }

    /// <summary>The held ranges as SACK blocks, merged where contiguous, the one just received first (RFC 2018).</summary>
    public List<SackBlock> SackBlocks(SeqNum? mostRecent)
    {
        var blocks = new List<SackBlock>();
        foreach (var held in _outOfOrder ?? [])
        {
            if (blocks.Count > 0 && blocks[^1].Right >= held.Seq)
            {
                blocks[^1] = blocks[^1] with { Right = SeqNum.Max(blocks[^1].Right, held.End) };
            }
            else
            {
                blocks.Add(new SackBlock(held.Seq, held.End));
            }
        }

        if (mostRecent is { } recent)
        {
            int index = blocks.FindIndex(b => recent >= b.Left && recent < b.Right);
            if (index > 0)
            {
                var first = blocks[index];
                blocks.RemoveAt(index);
                blocks.Insert(0, first);
            }
        }

        return blocks;
    }

    /// <summary>An in-order segment (or collapsed buffer) and what it is charged.</summary>
    private readonly record struct Held(ByteChunk Data, int Charge);

    /// <summary>An out-of-order segment, what it is charged, and the page fragments of the buffer it is in so far.</summary>
    private readonly record struct OutOfOrder(SeqNum Seq, ByteChunk Data, int Charge, int Frags)
    {
        public SeqNum End => Seq + Data.Length;
    }
}
