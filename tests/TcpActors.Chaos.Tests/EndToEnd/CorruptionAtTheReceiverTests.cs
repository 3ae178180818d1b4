using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// netem corrupt on the sender's egress, seen from the receiving host of a real TCP connection: every
/// corrupted segment fails the TCP checksum there and is discarded before TCP sees it (Tcp InCsumErrors),
/// the sender repairs the loss, and the application reads exactly what was written.
/// </summary>
public sealed class CorruptionAtTheReceiverTests
{
    [Fact]
    public void Corrupt_100_percent_loses_every_segment_to_the_receiver_s_checksum_until_netem_goes()
    {
        // Proves corrupt 100% from 5 ms to 300 ms: the 12 segments the client sends meanwhile (the 10 of its initial
        // window at 10 ms, sent as GSO packets that netem cuts into their segments before it corrupts each, the loss
        // probe at 22 ms, the first RTO retransmission at 226 ms) all reach the server corrupted, and each is counted as Linux counts it (Tcp InSegs and InCsumErrors) and discarded: the server
        // acknowledges no data until netem is deleted. Then the client retransmits every corrupted range and the
        // server reads the 30,000 bytes written, once each and in order.
        var run = ChaosTransfer.Run(new TransferPlan(7, "corrupt 100%", 30_000) { NetemUntil = SimTime.FromSeconds(0.300) });

        var corrupted = CorruptedArrivals(run);
        Assert.Equal([0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.022, 0.226], corrupted.Select(c => Math.Round(c.Time.TotalSeconds, 6)));
        Assert.All(run.Arrivals.Where(a => a.Time >= run.Plan.NetemAt && a.Time < run.Plan.NetemUntil!.Value), a => Assert.True(a.Segment.Corrupted, a.Segment.ToString()));
        Assert.DoesNotContain(run.Arrivals, a => a.Time >= run.Plan.NetemUntil!.Value && a.Segment.Corrupted);
        var firstDataAck = run.ReceiverReplies.First(r => r.Segment.Ack > run.Arrivals.First().Segment.Seq + 1);
        Assert.True(firstDataAck.Time >= run.Plan.NetemUntil!.Value, $"data acknowledged at {firstDataAck.Time} s, before netem was deleted");
        AssertEveryCorruptedSegmentWasDiscardedAndRepaired(run, corrupted);
    }

    [Fact]
    public void Corrupt_30_percent_for_the_whole_transfer_costs_retransmissions_but_never_a_byte()
    {
        // Proves corrupt 30% on the client's egress for the whole transfer (seed 7, 100,000 bytes): netem corrupts 38
        // of the 101 packets it sends (38%; 103 with the Reno window before CUBIC; originals and retransmissions alike, some ranges twice). A GSO packet it
        // chooses to corrupt it first cuts into its segments (netem_segment): the first is corrupted, each other one
        // goes through netem on its own, so only single segments arrive corrupted. The
        // server discards exactly those 38 (InCsumErrors = 38 = its BadChecksum drops) and no other, the client
        // re-sends every corrupted range, and the server reads every byte once, in order. The run replays
        // exactly: the same seed gives the same capture. (The totals are this seed's: a change in how TCP
        // retransmits changes them, not the equalities.)
        var plan = new TransferPlan(7, "corrupt 30%", 100_000);
        var run = ChaosTransfer.Run(plan);

        var corrupted = CorruptedArrivals(run);
        Assert.Equal(38, corrupted.Count);
        Assert.Equal(101, run.Netem!.Counters.SentPackets);
        Assert.All(corrupted, c => Assert.Equal(1, c.Segment.GsoSegs));
        Assert.Contains(corrupted.Where(c => c.CarriesData).GroupBy(c => c.Segment.Seq), sameRange => sameRange.Count() > 1);
        AssertEveryCorruptedSegmentWasDiscardedAndRepaired(run, corrupted);
        Assert.Equal(run.ReceiverTcpdump, ChaosTransfer.Run(plan).ReceiverTcpdump);
    }

    private static List<CapturedSegment> CorruptedArrivals(ChaosTransfer run) => run.Arrivals.Where(a => a.Segment.Corrupted).ToList();

    private static void AssertEveryCorruptedSegmentWasDiscardedAndRepaired(ChaosTransfer run, List<CapturedSegment> corrupted)
    {
        Assert.Empty(run.Errors);

        // What netem corrupted is what arrived corrupted, and the receiving host discarded each one, for a bad checksum.
        Assert.Equal(corrupted.Count, run.Netem!.Counters.Corrupted);
        Assert.Equal(corrupted.Count, run.Impaired.Count(e => e.Corrupted));
        var checksumDrops = run.ReceiverDrops.Where(d => d.Reason == DropReason.BadChecksum).ToList();
        Assert.Equal(corrupted.Select(c => (Packet)c.Segment), checksumDrops.Select(d => d.Packet), ReferenceEqualityComparer.Instance);
        Assert.Equal(corrupted.Count, run.ReceiverHost.DroppedCount(DropReason.BadChecksum));

        // Counted where Linux counts them: tcp_v4_rcv counts every segment (InSegs), a bad one too, then the checksum error.
        Assert.Equal(corrupted.Count, run.ReceiverCounters.InCsumErrors);
        Assert.Equal(run.Arrivals.Count(), run.ReceiverCounters.InSegments);
        Assert.Equal(0, run.SenderCounters.InCsumErrors);

        // The sender re-sent every corrupted range, and an intact copy of it arrived later.
        foreach (var bad in corrupted.Where(c => c.Segment.SequenceLength > 0))
        {
            Assert.Contains(run.Arrivals, a => a.Time >= bad.Time && !a.Segment.Corrupted && a.Segment.Seq <= bad.Segment.Seq && a.Segment.EndSeq >= bad.Segment.EndSeq);
        }

        int corruptedRanges = corrupted.Where(c => c.Segment.SequenceLength > 0).Select(c => (c.Segment.Seq, c.Segment.EndSeq)).Distinct().Count();
        Assert.InRange(run.SenderCounters.RetransmittedSegments, corruptedRanges, long.MaxValue);

        // The application read every byte written, once, in order.
        Assert.NotNull(run.EndOfStreamAt);
        Assert.Equal(run.Written, run.Read);
    }
}
