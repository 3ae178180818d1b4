namespace TcpActors.Network;

/// <summary>
/// Software segmentation of a GSO super-segment (skb_gso_segment → tcp_gso_segment, net/ipv4/tcp_offload.c), done
/// when the egress device cannot take it whole (netif_skb_features drops the GSO features when gso_segs exceeds
/// the device's gso_max_segs, or the packet its gso_max_size). Each piece carries gso_size bytes (the last the rest)
/// and a copy of the header with its own sequence number; PSH and FIN stay on the last piece only, CWR on the first;
/// each IPv4 header takes the next IP ID (inet_gso_segment with a fixed ID off).
/// </summary>
public static class GsoSegmentation
{
    /// <summary>True if <paramref name="segment"/> must be split before it leaves through <paramref name="egress"/>.</summary>
    public static bool NeedsSegmentation(Segment segment, NetworkInterface egress)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(egress);
        return segment.GsoSegs > 1 && (segment.GsoSegs > egress.GsoMaxSegs || segment.IpLength > egress.GsoMaxSize);
    }

    /// <summary>The segments <paramref name="segment"/> stands for, in sequence order.</summary>
    public static IReadOnlyList<Segment> Split(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        int count = segment.GsoSegs;
        if (count <= 1)
        {
            return [segment];
        }

        var pieces = new Segment[count];
        const TcpFlags lastOnly = TcpFlags.Psh | TcpFlags.Fin;
        for (int i = 0; i < count; i++)
        {
            int offset = i * segment.GsoSize;
            int length = Math.Min(segment.GsoSize, segment.PayloadLength - offset);
            var flags = i == count - 1 ? segment.Flags : segment.Flags & ~lastOnly;
            if (i > 0)
            {
                flags &= ~TcpFlags.Cwr;
            }

            pieces[i] = segment with
            {
                Seq = segment.Seq + offset,
                Flags = flags,
                PayloadLength = length,
                Payload = segment.Payload.Length > 0 ? segment.Payload.Slice(offset, length) : segment.Payload,
                IpId = (ushort)(segment.IpId + i),
                GsoSize = 0,
            };
        }

        return pieces;
    }
}
