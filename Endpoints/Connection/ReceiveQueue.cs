using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Received data: the in-order bytes the application has not read yet, and segments that arrived out
/// of order (held until the gap fills, see ReceiveQueue.OutOfOrder.cs, with the SACK state they produce). Each segment is held with what it is
/// charged to the receive buffer (<see cref="SkbTruesize"/>), so that <see cref="Memory"/> is Linux's
/// sk_rmem_alloc: a segment's charge is released when the application has read all of it.
/// </summary>
internal sealed partial class ReceiveQueue
{
    // The oldest unread segment is held inline and only later ones in a queue, created when first
    // needed (an application that reads as data comes never needs it); out-of-order data likewise.
    private Held _head;
    private Queue<Held>? _behind;
    private List<OutOfOrderBuffer>? _outOfOrder;
    private SelectiveAcks? _sacks;
    private int _headOffset;

    // Page fragments in the sk_buff the last in-order segment went into (0 for a linear one).
    private int _tailFrags;

    /// <summary>Unread in-order bytes (what ss shows as Recv-Q, without the FIN).</summary>
    public long UnreadBytes { get; private set; }

    /// <summary>sk_rmem_alloc: what the held segments are charged, in order and out of order.</summary>
    public long Memory => InOrderMemory + OutOfOrderMemory;

    /// <summary>Out-of-order buffers held (sk_buffs: segments coalesced into one count once).</summary>
    public int OutOfOrderCount => _outOfOrder?.Count ?? 0;

    /// <summary>What the SACK option reports (tp->selective_acks, tp->duplicate_sack), made when first needed.</summary>
    public SelectiveAcks Sacks => _sacks ??= new();

    /// <summary>Whether the next segment has SACK blocks to carry: a remembered block or a D-SACK.</summary>
    public bool HasSackBlocks => _sacks is { PendingBlocks: > 0 };

    /// <summary>Segments (or collapsed buffers) still holding unread bytes.</summary>
    public int SegmentsHeld => (_head.Data.Length > 0 ? 1 : 0) + (_behind?.Count ?? 0);

    /// <summary>
    /// Nothing held, charged or to be reported in a SACK option: what a new queue holds (the fragment count of
    /// the last buffer matters only while a segment is held; the SACK blocks past the count are never read).
    /// </summary>
    public bool IsIdle =>
        UnreadBytes == 0 && _head.Data.Length == 0 && _headOffset == 0 && _behind is not { Count: > 0 }
        && _outOfOrder is not { Count: > 0 } && InOrderMemory == 0 && OutOfOrderMemory == 0 && !HasSackBlocks;

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

    /// <summary>
    /// The unread bytes of the sk_buff a read starts in: the rest of the head segment and of the segments coalesced
    /// after it (charged their length only), up to the next segment that has a buffer of its own. tcp_recvmsg
    /// copies one sk_buff at a time and calls tcp_rcv_space_adjust after each.
    /// </summary>
    public long UnreadInHeadBuffer
    {
        get
        {
            if (UnreadBytes == 0)
            {
                return 0;
            }

            long bytes = _head.Data.Length - _headOffset;
            if (_behind is { Count: > 0 } behind)
            {
                foreach (var held in behind)
                {
                    if (held.Charge != held.Data.Length)
                    {
                        break;
                    }

                    bytes += held.Data.Length;
                }
            }

            return bytes;
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

    /// <summary>An in-order segment (or collapsed buffer) and what it is charged.</summary>
    private readonly record struct Held(ByteChunk Data, int Charge);
}
