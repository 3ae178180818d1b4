namespace TcpActors.Network;

/// <summary>One SACK block: the peer holds [Left, Right).</summary>
public readonly record struct SackBlock(SeqNum Left, SeqNum Right);

/// <summary>
/// The TCP options TcpActors models; <c>default</c> means none. Presence decides the wire layout, which
/// follows Linux's <c>tcp_options_write</c> (see <see cref="TcpOptionsLayout"/>), so no order is stored.
/// </summary>
public readonly record struct TcpOptions
{
    /// <summary>Maximum segment size; 0 when absent (Linux sends it on SYN and SYN-ACK only).</summary>
    public ushort Mss { get; init; }

    public bool HasWindowScale { get; init; }

    /// <summary>The window scale shift, meaningful when <see cref="HasWindowScale"/>.</summary>
    public byte WindowScale { get; init; }

    public bool SackPermitted { get; init; }

    public bool HasTimestamps { get; init; }

    public uint TsVal { get; init; }

    public uint TsEcr { get; init; }

    /// <summary>SACK blocks, most recent first (at most 4; 3 with timestamps), or null.</summary>
    public SackBlock[]? SackBlocks { get; init; }

    public bool IsEmpty => Mss == 0 && !HasWindowScale && !SackPermitted && !HasTimestamps && SackBlocks is null;

    public static TcpOptions Timestamps(uint tsVal, uint tsEcr) => new() { HasTimestamps = true, TsVal = tsVal, TsEcr = tsEcr };
}
