using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// Linux's write queue (sk_write_queue): the sk_buffs written but not yet sent, each up to size_goal bytes and
/// each with its own PSH mark. tcp_sendmsg_locked tops up the tail while it is shorter than size_goal and starts
/// a new one otherwise; tcp_write_xmit sends the head, cut to the MSS or the window (tso_fragment, tcp_fragment:
/// the first part loses PSH, the rest keeps it), and never merges two. Only the ends are kept: the head begins
/// at snd_nxt, every other one where the one before it ends. The bytes themselves are in <see cref="SendQueue"/>.
/// </summary>
internal sealed class WriteQueue
{
    /// <summary>tcp_sendmsg_locked allocates at most one sk_buff per size_goal bytes of a write; this bounds the queue.</summary>
    private const int SkbCountMax = 1 << 20;

    /// <summary>The unsent sk_buffs; made by the first one and dropped when the last is sent, so an idle socket holds no ring.</summary>
    private PooledRing<UnsentSkb>? _skbs;

    /// <summary>One unsent sk_buff: where it ends and whether tcp_mark_push marked it.</summary>
    public readonly record struct UnsentSkb(SeqNum End, bool Push);

    public bool IsEmpty => Count == 0;

    /// <summary>How many sk_buffs wait to be sent.</summary>
    public int Count => _skbs?.Count ?? 0;

    /// <summary>The first unsent sk_buff (tcp_send_head); it begins at snd_nxt.</summary>
    public UnsentSkb Head
    {
        get
        {
            return Skbs[0];
        }
    }

    /// <summary>The last sk_buff written (tcp_write_queue_tail).</summary>
    public UnsentSkb Tail
    {
        get
        {
            var skbs = Skbs;
            return skbs[skbs.Count - 1];
        }
    }

    /// <summary>Where the tail begins: snd_nxt for the head, else the end of the one before it.</summary>
    public SeqNum TailStart(SeqNum sndNxt) => _skbs is { Count: > 1 } skbs ? skbs[skbs.Count - 2].End : sndNxt;

    /// <summary>tcp_stream_alloc_skb + tcp_skb_entail: a new, empty sk_buff at write_seq.</summary>
    public void Add(SeqNum writeSeq)
    {
        if (Count >= SkbCountMax)
        {
            throw new InvalidOperationException($"write queue holds more than {SkbCountMax} sk_buffs");
        }

        (_skbs ??= new()).Add(new UnsentSkb(writeSeq, Push: false));
    }

    /// <summary>The write's bytes copied into the tail: it now ends at write_seq.</summary>
    public void ExtendTail(SeqNum writeSeq)
    {
        var skbs = Skbs;
        ref var tail = ref skbs[skbs.Count - 1];
        if (writeSeq < tail.End)
        {
            throw new InvalidOperationException($"the tail cannot shrink from {tail.End} to {writeSeq}");
        }

        tail = tail with { End = writeSeq };
    }

    /// <summary>tcp_mark_push on the tail.</summary>
    public void MarkTailPush()
    {
        var skbs = Skbs;
        ref var tail = ref skbs[skbs.Count - 1];
        tail = tail with { Push = true };
    }

    /// <summary>tcp_write_wakeup marks the head PSH before cutting a probe from it, so what stays keeps the mark.</summary>
    public void MarkHeadPush()
    {
        var skbs = Skbs;
        skbs[0] = skbs[0] with { Push = true };
    }

    /// <summary>Forgets the sk_buffs sent in full: those ending at or before snd_nxt (the ring's array goes back to the pool once empty).</summary>
    public void Sent(SeqNum sndNxt)
    {
        if (_skbs is not { } skbs)
        {
            return;
        }

        while (skbs.Count > 0 && skbs[0].End <= sndNxt)
        {
            skbs.RemoveAt(0);
        }

        if (skbs.Count == 0)
        {
            _skbs = null;
        }
    }

    /// <summary>The ring, which holds at least one sk_buff.</summary>
    private PooledRing<UnsentSkb> Skbs => _skbs is { Count: > 0 } skbs ? skbs : throw new InvalidOperationException("the write queue is empty");
}
