namespace TcpActors.Network;

/// <summary>
/// Why a packet was discarded. Nothing vanishes unexplained: every drop in the network and in the TCP
/// stacks is published with one of these (like Linux's SKB_DROP_REASON_*), as a metric tag and a trace event.
/// </summary>
public enum DropReason : byte
{
    /// <summary>An iptables rule with target DROP (or REJECT, which also answers).</summary>
    FilterRule,

    /// <summary>netem loss (random, correlated or Gilbert-Elliott).</summary>
    NetemLoss,

    /// <summary>The netem queue was over its limit.</summary>
    NetemQueueFull,

    /// <summary>A link's queue was full (tail drop).</summary>
    LinkQueueFull,

    /// <summary>Larger than the link MTU with DF set.</summary>
    MtuExceeded,

    /// <summary>No route to the destination.</summary>
    NoRoute,

    /// <summary>TTL reached zero at a router.</summary>
    TtlExpired,

    /// <summary>The checksum failed (the packet was corrupted in flight).</summary>
    BadChecksum,

    /// <summary>The link or interface was down (partition, flap).</summary>
    LinkDown,

    /// <summary>Addressed to a host that does not forward and does not own the address.</summary>
    NotForThisHost,

    /// <summary>An ICMP error the host did not send: its destination's bucket was empty (net.ipv4.icmp_ratelimit).</summary>
    IcmpRateLimit,

    /// <summary>A TCP stack discarded it (out of window, PAWS, no socket for an RST, listener overflow…); the detail says which.</summary>
    TcpStack,
}
