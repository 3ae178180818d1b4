using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// The properties of one direction of a point-to-point link.
/// </summary>
/// <param name="Delay">Propagation delay.</param>
/// <param name="BandwidthBitsPerSecond">Serialisation rate; 0 means infinitely fast (no queueing).</param>
/// <param name="QueueLimitPackets">Packets that may wait for the wire before tail drop (Linux's txqueuelen is 1000).</param>
/// <param name="Mtu">Largest IP packet carried; larger ones with DF set are dropped.</param>
public sealed record LinkSettings(Duration Delay, long BandwidthBitsPerSecond = 0, int QueueLimitPackets = 1000, int Mtu = 1500)
{
    /// <summary>
    /// gso_max_segs of the interface sending in this direction (<c>ip link set dev c0 gso_max_segs 1</c> turns GSO
    /// off); null keeps the device's default (<see cref="NetworkInterface.DefaultGsoMaxSegs"/>).
    /// </summary>
    public int? GsoMaxSegs { get; init; }

    /// <summary>A veth-like link: no delay, no rate limit, MTU 1500.</summary>
    public static LinkSettings Instant { get; } = new(Duration.Zero);
}
