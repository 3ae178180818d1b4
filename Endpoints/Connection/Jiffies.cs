namespace TcpActors.Endpoints;

/// <summary>
/// Linux keeps TCP's timers in jiffies; on these machines HZ = 250, so one jiffy is 4 ms. RTOs are
/// computed in microseconds and rounded up to whole jiffies (usecs_to_jiffies), which is why an RTO
/// with rto_min 200 ms is 204 ms on the wire. The simulator reproduces that arithmetic; it does not
/// reproduce the timer wheel's lateness (kernel timers fire up to ~1/8 of their length late), so
/// comparisons with the kernel need a tolerance on long timers.
/// </summary>
internal static class Jiffies
{
    public const int Hz = 250;

    public const long Nanoseconds = 1_000_000_000L / Hz;

    /// <summary>usecs_to_jiffies: rounds up to whole jiffies, in nanoseconds.</summary>
    public static long RoundUp(long nanoseconds) => (nanoseconds + Nanoseconds - 1) / Nanoseconds * Nanoseconds;

    /// <summary>
    /// tcp_jiffies32 at an instant: the ticks since the run began (the kernel's count has another phase). Linux
    /// compares stamps in whole ticks, so two instants 289 ms apart can be 73 ticks apart, an RTO of 292 ms.
    /// </summary>
    public static long At(long nanoseconds) => nanoseconds / Nanoseconds;

    /// <summary>TCP_RTO_MIN: HZ/5 = 200 ms.</summary>
    public const long RtoMin = 200_000_000;

    /// <summary>TCP_RTO_MAX: 120 s.</summary>
    public const long RtoMax = 120_000_000_000;

    /// <summary>TCP_TIMEOUT_INIT: 1 s, the first SYN and SYN-ACK timeout (RFC 6298 (2.1)).</summary>
    public const long TimeoutInit = 1_000_000_000;

    /// <summary>TCP_ATO_MIN = TCP_DELACK_MIN: HZ/25 = 40 ms.</summary>
    public const long AtoMin = 40_000_000;

    /// <summary>TCP_DELACK_MAX: HZ/5 = 200 ms.</summary>
    public const long DelackMax = 200_000_000;

    /// <summary>TCP_RESOURCE_PROBE_INTERVAL: HZ/2, the retry delay when a local send fails.</summary>
    public const long ResourceProbeInterval = 500_000_000;

    /// <summary>TCP_TIMEOUT_MIN: 2 jiffies.</summary>
    public const long TimeoutMin = 2 * Nanoseconds;
}
