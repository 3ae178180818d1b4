using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// One transfer through netem: the run's seed (netem's draws, ISNs, the payload bytes), the netem options
/// put on the sender's egress (<c>tc qdisc add dev eth0 root netem NETEM</c> on the client) at
/// <see cref="NetemAt"/> and deleted at <see cref="NetemUntil"/> (never, when null), and the bytes the client
/// writes from <see cref="WriteAt"/> on, in writes of <see cref="WriteSize"/>, before it closes.
/// </summary>
internal sealed record TransferPlan(ulong Seed, string Netem, int Bytes)
{
    /// <summary>When netem goes on: after the handshake (the client connects at 1 ms over an instant link).</summary>
    public SimTime NetemAt { get; init; } = SimTime.FromSeconds(0.005);

    public SimTime? NetemUntil { get; init; }

    public SimTime WriteAt { get; init; } = SimTime.FromSeconds(0.010);

    public int WriteSize { get; init; } = 16_384;

    /// <summary>
    /// gso_max_segs of both hosts' eth0: null keeps the device's default (GSO on: netem takes a GSO packet whole, but
    /// for corrupt, which cuts it into its segments first); 1 sends one segment per packet, for tests of what netem
    /// does to each segment.
    /// </summary>
    public int? GsoMaxSegs { get; init; }

    /// <summary>
    /// Both hosts' net.ipv4.tcp_congestion_control. cubic, not the default bbr: these tests tell what netem does to
    /// each segment, and their counts were worked out segment by segment with a window that is not paced; BBR's
    /// pacing spreads the same bytes over other sk_buff boundaries and times (BBR has its own tests).
    /// </summary>
    public string CongestionControl { get; init; } = "cubic";
}
