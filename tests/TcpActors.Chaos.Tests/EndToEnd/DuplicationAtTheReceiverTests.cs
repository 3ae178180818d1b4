using TcpActors.Network;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// netem duplicate on the sender's egress, seen from the receiving host of a real TCP connection: every
/// segment arrives twice, each repeated data segment (and the repeated FIN) draws an immediate ACK with
/// a D-SACK block naming it (RFC 2883, Linux's tcp_dsack_set), and the application reads every byte once.
/// </summary>
public sealed class DuplicationAtTheReceiverTests
{
    [Fact]
    public void Duplicate_100_percent_delivers_every_segment_twice_and_each_copy_is_dsacked()
    {
        // Proves duplicate 100% from 5 ms (seed 7, 30,000 bytes, SACK on as by default): the server's capture shows
        // each of the 24 segments the client sends after that (22 data segments: each of the two writes, 16,384 and
        // 13,616 bytes, ends in a short one, as Linux cuts a write into its own sk_buffs; the FIN, the last ACK)
        // twice in a row; for the second copy of each data segment the server sends a duplicate ACK (the same cumulative ACK
        // as its ACK of the first copy) whose first SACK block is the copy's range, below the cumulative ACK:
        // a D-SACK. The repeated FIN is D-SACKed by the ACK of the FIN, the first FIN's ACK having been delayed
        // (CLOSE-WAIT enters ping-pong mode, as tcp_fin does). D-SACKs are not loss: the client retransmits
        // nothing, and the server reads the 30,000 bytes once each. The copy of the client's last ACK finds the
        // server's socket gone (LAST-ACK ended with the first copy) and is answered with a reset, as Linux does.
        // GSO off (gso_max_segs 1): netem duplicates a GSO packet whole, and it is each segment's copy that is told here.
        var run = ChaosTransfer.Run(new TransferPlan(7, "duplicate 100%", 30_000) { GsoMaxSegs = 1 });

        var underNetem = run.Receiver.Select((c, i) => (Captured: c, Index: i)).Where(x => x.Captured.IsArrival && x.Captured.Time >= run.Plan.NetemAt).ToList();
        Assert.Equal(48, underNetem.Count);
        Assert.Equal(24, run.Netem!.Counters.Duplicated);
        Assert.Equal(24, run.Impaired.Count(e => e.Duplicate));
        var pairs = underNetem.Chunk(2).ToList();
        Assert.All(pairs, pair => Assert.Same(pair[0].Captured.Segment, pair[1].Captured.Segment));
        Assert.Equal(22, pairs.Count(pair => pair[0].Captured.CarriesData));
        Assert.Equal(2 + 48, run.ReceiverCounters.InSegments);

        // Every repeated data segment and the repeated FIN, and nothing else, is D-SACKed, in order.
        var repeated = pairs.Where(pair => pair[1].Captured.Segment.SequenceLength > 0).Select(pair => pair[1]).ToList();
        var dsacks = run.ReceiverReplies.Where(r => r.DuplicateSack is not null).ToList();
        Assert.Equal(
            repeated.Select(r => new SackBlock(r.Captured.Segment.Seq, r.Captured.Segment.EndSeq)),
            dsacks.Select(r => r.DuplicateSack!.Value));
        var duplicateAcks = run.DuplicateAcks();
        Assert.Equal(22, duplicateAcks.Count);
        foreach (var copy in repeated)
        {
            var reply = run.ReplyAfter(copy.Index);
            Assert.Equal(copy.Captured.Time, reply.Time);
            Assert.Equal(new SackBlock(copy.Captured.Segment.Seq, copy.Captured.Segment.EndSeq), reply.DuplicateSack);
            if (copy.Captured.CarriesData)
            {
                Assert.Contains(duplicateAcks, d => ReferenceEquals(d.Segment, reply.Segment));
            }
            else
            {
                Assert.True(copy.Captured.Segment.IsFin);
                Assert.Equal(copy.Captured.Segment.EndSeq, reply.Segment.Ack);
            }
        }

        Assert.Equal(0, run.SenderCounters.RetransmittedSegments);
        Assert.Empty(run.Errors);
        Assert.Equal(run.Written, run.Read);

        var last = run.Receiver[^1];
        Assert.False(last.IsArrival);
        Assert.True(last.Segment.IsRst);
        Assert.Equal(1, run.ReceiverCounters.OutResets);
    }
}
