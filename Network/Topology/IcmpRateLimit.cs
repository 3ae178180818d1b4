namespace TcpActors.Network;

/// <summary>
/// The per-destination limit on the ICMP errors a host sends (icmpv4_xrlim_allow, inet_peer_xrlim_allow in
/// net/ipv4/icmp.c and net/ipv4/inetpeer.c): each destination has a bucket of jiffies that fills with time up
/// to six messages' worth (XRLIM_BURST_FACTOR) and pays net.ipv4.icmp_ratelimit (1 s) per message. A new
/// destination starts full: six errors pass at once, then one a second. Only the types in
/// net.ipv4.icmp_ratemask are limited (destination unreachable is, by default); errors to the host itself
/// (the loopback device) never are. The host-wide limit before it is <see cref="IcmpGlobalLimit"/>.
/// </summary>
internal sealed class IcmpRateLimit
{
    /// <summary>XRLIM_BURST_FACTOR: a bucket holds this many messages' worth of time.</summary>
    private const int BurstFactor = 6;

    /// <summary>HZ = 250, as on the kernel the experiments ran on: a jiffy is 4 ms.</summary>
    private const long JiffyNanoseconds = 4_000_000;

    /// <summary>Buckets kept before the full ones (indistinguishable from new) are forgotten.</summary>
    private const int PeersBeforeCleanup = 4096;

    private const int DestinationUnreachableType = 3;

    private readonly Dictionary<uint, Bucket> _peers = [];

    /// <summary>ICMP_MIB_RATELIMITHOST: errors not sent because their destination's bucket was empty.</summary>
    public long Refused { get; private set; }

    /// <summary>icmpv4_mask_allow's converse: destination unreachable is in net.ipv4.icmp_ratemask, so the limits apply.</summary>
    public static bool Limits(Sysctls sysctls) => (sysctls.IcmpRatemask & (1 << DestinationUnreachableType)) != 0;

    /// <summary>Whether a destination-unreachable error to <paramref name="destination"/> may leave now, taking its token if so.</summary>
    public bool AllowDestinationUnreachable(IPv4Address destination, long nowNanoseconds, Sysctls sysctls)
    {
        long timeout = (sysctls.IcmpRatelimit * 1_000_000L + JiffyNanoseconds - 1) / JiffyNanoseconds;
        long now = nowNanoseconds / JiffyNanoseconds;
        long capacity = BurstFactor * timeout;
        // inet_getpeer: a new peer's rate_last lies 60 s back, so its first computation starts full.
        var bucket = _peers.TryGetValue(destination.Value, out var known) ? known : new Bucket(0, now - (60 * 250));
        long tokens = bucket.Tokens;
        if (now != bucket.Last)
        {
            tokens = Math.Min(tokens + (now - bucket.Last), capacity);
        }

        bool allowed = tokens >= timeout;
        if (allowed)
        {
            tokens -= timeout;
        }
        else
        {
            Refused++;
        }

        if (_peers.Count >= PeersBeforeCleanup && !_peers.ContainsKey(destination.Value))
        {
            ForgetFullBuckets(now, capacity);
        }

        _peers[destination.Value] = new Bucket(tokens, now);
        return allowed;
    }

    private void ForgetFullBuckets(long now, long capacity)
    {
        var full = _peers.Where(p => p.Value.Tokens + (now - p.Value.Last) >= capacity).Select(p => p.Key).ToList();
        foreach (uint address in full)
        {
            _peers.Remove(address);
        }
    }

    /// <summary>inet_peer's rate_tokens and rate_last, in jiffies.</summary>
    private readonly record struct Bucket(long Tokens, long Last);
}
