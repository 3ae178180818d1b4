namespace TcpActors.Telemetry;

/// <summary>
/// The tcpdump command-line options the formatter reproduces. Addresses and ports are always numeric
/// (<c>-n</c>): the simulation has no name service, and numeric output is what comparisons need.
/// </summary>
public sealed record TcpdumpOptions
{
    public static readonly TcpdumpOptions Default = new();

    public TcpdumpTimestampFormat Timestamps { get; init; } = TcpdumpTimestampFormat.TimeOfDay;

    /// <summary><c>-S</c>: print absolute sequence numbers instead of tcpdump's per-conversation relative ones.</summary>
    public bool AbsoluteSequenceNumbers { get; init; }

    /// <summary><c>-v</c>: the IP header line (tos, ttl, id, offset, flags, proto, length) and TCP checksums.</summary>
    public bool Verbose { get; init; }

    /// <summary>
    /// The wall-clock instant that simulated time zero maps to. Times of day are printed in UTC, as tcpdump
    /// prints them with <c>TZ=UTC</c>. Default: the Unix epoch, so a run starts at <c>00:00:00.000000</c>.
    /// </summary>
    public DateTimeOffset Epoch { get; init; } = DateTimeOffset.UnixEpoch;
}
