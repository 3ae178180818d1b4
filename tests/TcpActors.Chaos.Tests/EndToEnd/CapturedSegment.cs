using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>A segment tcpdump saw on the receiver's eth0: when, and which way.</summary>
internal readonly record struct CapturedSegment(SimTime Time, CaptureDirection Direction, Segment Segment)
{
    public bool IsArrival => Direction == CaptureDirection.In;

    public bool CarriesData => Segment.PayloadLength > 0;

    /// <summary>The SACK blocks of the segment (none when it has no SACK option).</summary>
    public IReadOnlyList<SackBlock> SackBlocks => Segment.Options.SackBlocks ?? [];

    /// <summary>RFC 2883: the first block reports a duplicate when it lies below the cumulative ACK.</summary>
    public SackBlock? DuplicateSack => SackBlocks.Count > 0 && SackBlocks[0].Right <= Segment.Ack ? SackBlocks[0] : null;
}
