namespace TcpActors.Endpoints;

/// <summary>
/// What Linux charges a socket's receive memory (sk_rmem_alloc) for data: each sk_buff's truesize
/// (include/linux/skbuff.h, net/core/skbuff.c). A received segment costs its bytes plus its sk_buff;
/// one that continues the last buffer of the queue is coalesced into it (tcp_try_coalesce,
/// skb_try_coalesce) and costs only its bytes, while that buffer has page fragments to spare; a buffer
/// tcp_collapse makes holds one page's worth of bytes in linear memory.
/// </summary>
internal static class SkbTruesize
{
    /// <summary>
    /// skb->truesize − len of a received segment: 832 reproduces the kernel's rcv_ssthresh after 1000-byte
    /// segments on a veth path (67408, then 70173, in tests/reference/kernel/08-shutdown-shut-wr.txt), and
    /// sk_rmem_alloc after four 1448-byte segments, the last three coalesced (r6624 = 832 + 4 × 1448, in
    /// tests/reference/kernel/25-slow-reader-rcvbuf.txt).
    /// </summary>
    public const int SegmentOverhead = 832;

    /// <summary>MAX_SKB_FRAGS (CONFIG_MAX_SKB_FRAGS, default 17): the page fragments one sk_buff can hold.</summary>
    public const int MaxFrags = 17;

    /// <summary>The sender's page fragments (sk_page_frag, 32 KB): a segment's bytes take one fragment per started 32 KB.</summary>
    private const int PageFragBytes = 32768;

    /// <summary>SKB_MAX_ORDER(0, 0): the bytes tcp_collapse copies into one new sk_buff (a 4 KB page less skb_shared_info).</summary>
    public const int CollapsedBytes = 4096 - SharedInfoBytes;

    /// <summary>SKB_DATA_ALIGN(sizeof(struct sk_buff)).</summary>
    private const int SkBuffBytes = 256;

    /// <summary>SKB_DATA_ALIGN(sizeof(struct skb_shared_info)).</summary>
    private const int SharedInfoBytes = 320;

    /// <summary>The truesize of a received segment of <paramref name="length"/> bytes in an sk_buff of its own.</summary>
    public static int OfSegment(int length) => length + SegmentOverhead;

    /// <summary>The page fragments a received segment's bytes occupy.</summary>
    public static int FragsOf(int length) => Math.Max(1, (length + PageFragBytes - 1) / PageFragBytes);

    /// <summary>
    /// The truesize of a linear sk_buff of <paramref name="length"/> bytes (alloc_skb: the data and
    /// skb_shared_info, cache-line aligned, in the kmalloc size class that holds them, plus the sk_buff).
    /// </summary>
    public static int OfLinear(int length)
    {
        int needed = ((length + 63) & ~63) + SharedInfoBytes;
        int size = 32;
        while (size < needed)
        {
            size = size is 64 ? 96 : size is 96 ? 128 : size is 128 ? 192 : size is 192 ? 256 : size * 2;
        }

        return size + SkBuffBytes;
    }
}
