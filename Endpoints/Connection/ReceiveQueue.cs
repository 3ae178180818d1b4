using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Received data: the in-order bytes the application has not read yet, and segments that arrived out
/// of order (held until the gap fills; they produce SACK blocks).
/// </summary>
internal sealed class ReceiveQueue
{
    // The oldest unread chunk is held inline and only later ones in a queue, created when first
    // needed (an application that reads as data comes never needs it); out-of-order data likewise.
    private ByteChunk _head;
    private Queue<ByteChunk>? _behind;
    private List<(SeqNum Seq, ByteChunk Data)>? _outOfOrder;
    private int _headOffset;

    /// <summary>Unread in-order bytes (what ss shows as Recv-Q, without the FIN).</summary>
    public long UnreadBytes { get; private set; }

    public int OutOfOrderCount => _outOfOrder?.Count ?? 0;

    /// <summary>Chunks (received segments) still holding unread bytes.</summary>
    public int SegmentsHeld => (_head.Length > 0 ? 1 : 0) + (_behind?.Count ?? 0);

    public long OutOfOrderBytes => _outOfOrder?.Sum(o => (long)o.Data.Length) ?? 0;

    public void AppendInOrder(ByteChunk data)
    {
        if (data.Length > 0)
        {
            if (_head.Length == 0)
            {
                _head = data;
            }
            else
            {
                (_behind ??= new()).Enqueue(data);
            }

            UnreadBytes += data.Length;
        }
    }

    /// <summary>Reads up to <paramref name="max"/> bytes (one chunk, merged when it spans several).</summary>
    public ByteChunk Read(int max)
    {
        int length = (int)Math.Min(max, UnreadBytes);
        if (length == 0)
        {
            return ByteChunk.Empty;
        }

        bool bytes = _head.HasBytes;
        var buffer = bytes ? new byte[length] : null;
        int written = 0;
        while (written < length)
        {
            var head = _head;
            int take = Math.Min(length - written, head.Length - _headOffset);
            if (buffer is not null && head.HasBytes)
            {
                head.Bytes.Span.Slice(_headOffset, take).CopyTo(buffer.AsSpan(written));
            }

            written += take;
            _headOffset += take;
            if (_headOffset == head.Length)
            {
                _head = _behind is { Count: > 0 } ? _behind.Dequeue() : ByteChunk.Empty;
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
        _head = ByteChunk.Empty;
        _behind = null;
        _headOffset = 0;
        UnreadBytes = 0;
        _outOfOrder = null;
        return discarded;
    }

    /// <summary>Forgets out-of-order data (Linux purges it when the FIN arrives).</summary>
    public void DiscardOutOfOrder() => _outOfOrder = null;

    /// <summary>Holds an out-of-order segment's data (overlaps with what is held are trimmed or replaced).</summary>
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
        if (at > 0 && _outOfOrder[at - 1].Seq + _outOfOrder[at - 1].Data.Length >= end)
        {
            return;
        }

        _outOfOrder.Insert(at, (seq, data));
        // Remove later segments this one covers completely.
        while (at + 1 < _outOfOrder.Count && _outOfOrder[at + 1].Seq + _outOfOrder[at + 1].Data.Length <= end)
        {
            _outOfOrder.RemoveAt(at + 1);
        }
    }

    /// <summary>Moves held segments that now start at or before <paramref name="rcvNxt"/> into order; returns the new rcv_nxt.</summary>
    public SeqNum DrainOutOfOrder(SeqNum rcvNxt)
    {
        while (_outOfOrder is { Count: > 0 } && _outOfOrder[0].Seq <= rcvNxt)
        {
            var (seq, data) = _outOfOrder[0];
            _outOfOrder.RemoveAt(0);
            int skip = rcvNxt - seq;
            if (skip < data.Length)
            {
                AppendInOrder(data.Slice(skip, data.Length - skip));
                rcvNxt += data.Length - skip;
            }
        }

        if (_outOfOrder is { Count: 0 })
        {
            _outOfOrder = null;
        }

        return rcvNxt;
    }

    /// <summary>The held ranges as SACK blocks, merged where contiguous, the one just received first (RFC 2018).</summary>
    public List<SackBlock> SackBlocks(SeqNum? mostRecent)
    {
        var blocks = new List<SackBlock>();
        foreach (var (seq, data) in _outOfOrder ?? [])
        {
            var end = seq + data.Length;
            if (blocks.Count > 0 && blocks[^1].Right >= seq)
            {
                blocks[^1] = blocks[^1] with { Right = SeqNum.Max(blocks[^1].Right, end) };
            }
            else
            {
                blocks.Add(new SackBlock(seq, end));
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
}
