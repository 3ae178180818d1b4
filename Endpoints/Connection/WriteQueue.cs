using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Linux's write queue (sk_write_queue): the sk_buffs written but not yet sent, each up to size_goal bytes and
/// each with its own PSH mark. tcp_sendmsg_locked tops up the tail while it is shorter than size_goal and starts
/// a new one otherwise; tcp_write_xmit sends the head, cut to the MSS or the window (tso_fragment, tcp_fragment:
/// the first part loses PSH, the rest keeps it), and never merges two. Only the ends are kept: the head begins
/// at snd_nxt, every other one where the one before it ends. The bytes themselves are in <see cref="SendQueue"/>.
/// A struct held inline by the socket (in a field that is not <c>readonly</c>), like its ring.
/// </summary>
internal struct WriteQueue
{
    /// <summary>tcp_sendmsg_locked allocates at most one sk_buff per size_goal bytes of a write; this bounds the queue.</summary>
    private const int SkbCountMax = 1 << 20;

    /// <summary>The unsent sk_buffs; the ring's array is taken by the first one and given back when the last is sent, so an idle socket holds none.</summary>
    private PooledRing<UnsentSkb> _skbs;

    public WriteQueue()
    {
    }

    /// <summary>One unsent sk_buff: where it ends and whether tcp_mark_push marked it.</summary>
    public readonly record struct UnsentSkb(SeqNum End, bool Push);

    public readonly bool IsEmpty => Count == 0;

    /// <summary>How many sk_buffs wait to be sent.</summary>
    public readonly int Count => _skbs.Count;

    /// <summary>The first unsent sk_buff (tcp_send_head); it begins at snd_nxt.</summary>
    public readonly UnsentSkb Head
    {
        get
        {
            ThrowIfEmpty();
            return _skbs[0];
        }
    }

    /// <summary>The last sk_buff written (tcp_write_queue_tail).</summary>
    public readonly UnsentSkb Tail
    {
        get
        {
            ThrowIfEmpty();
            return _skbs[_skbs.Count - 1];
        }
    }

    /// <summary>Where the tail begins: snd_nxt for the head, else the end of the one before it.</summary>
    public readonly SeqNum TailStart(SeqNum sndNxt) => _skbs.Count > 1 ? _skbs[_skbs.Count - 2].End : sndNxt;

    /// <summary>tcp_stream_alloc_skb + tcp_skb_entail: a new, empty sk_buff at write_seq.</summary>
    public void Add(SeqNum writeSeq, RingArrayPool<UnsentSkb> pool)
    {
        if (Count >= SkbCountMax)
        {
            throw new InvalidOperationException($"write queue holds more than {SkbCountMax} sk_buffs");
        }

        _skbs.Add(new UnsentSkb(writeSeq, Push: false), pool);
    }

    /// <summary>The write's bytes copied into the tail: it now ends at write_seq.</summary>
    public readonly void ExtendTail(SeqNum writeSeq)
    {
        ThrowIfEmpty();
        ref var tail = ref _skbs[_skbs.Count - 1];
        if (writeSeq < tail.End)
        {
            throw new InvalidOperationException($"the tail cannot shrink from {tail.End} to {writeSeq}");
        }

        tail = tail with { End = writeSeq };
    }

    /// <summary>tcp_mark_push on the tail.</summary>
    public readonly void MarkTailPush()
    {
        ThrowIfEmpty();
        ref var tail = ref _skbs[_skbs.Count - 1];
        tail = tail with { Push = true };
    }

    /// <summary>tcp_write_wakeup marks the head PSH before cutting a probe from it, so what stays keeps the mark.</summary>
    public readonly void MarkHeadPush()
    {
        ThrowIfEmpty();
        _skbs[0] = _skbs[0] with { Push = true };
    }

    /// <summary>Forgets the sk_buffs sent in full: those ending at or before snd_nxt (the ring's array goes back to the pool once empty).</summary>
    public void Sent(SeqNum sndNxt, RingArrayPool<UnsentSkb> pool)
    {
        while (_skbs.Count > 0 && _skbs[0].End <= sndNxt)
        {
            _skbs.RemoveAt(0, pool);
        }
    }

    private readonly void ThrowIfEmpty()
    {
        if (_skbs.Count == 0)
        {
            throw new InvalidOperationException("the write queue is empty");
        }
    }
}
