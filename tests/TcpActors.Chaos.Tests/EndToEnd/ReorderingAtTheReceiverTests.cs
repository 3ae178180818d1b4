using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>
/// netem reorder and jitter on the sender's egress, seen from the receiving host of a real TCP
/// connection: segments arrive out of order, the receiver answers each at once with a duplicate ACK whose
/// first SACK block reports it, and the application still reads the bytes in order.
/// </summary>
public sealed class ReorderingAtTheReceiverTests
{
    private const int OutOfOrderWithReorder = 10;

    // GSO off (gso_max_segs 1) in these runs: netem reorders and delays a GSO packet whole, and it is what happens to
    // each segment, and the receiver's answer to each, that is told here.
    private static readonly TransferPlan s_reorder = new(7, "delay 10ms reorder 25% 50%", 100_000) { GsoMaxSegs = 1 };

    [Fact]
    public void Reorder_sends_some_segments_ahead_and_the_receiver_dupacks_and_sacks_each()
    {
        // Proves delay 10ms reorder 25% 50% (netem's reorder needs a delay: the chosen packets leave at once, the
        // others 10 ms later) from 5 ms on, seed 7, 100,000 bytes: netem sends 10 segments ahead; all 10 reach
        // the server out of order (beyond the next byte it expects; one sent ahead may also find everything before
        // it arrived), and for each the server at once sends an ACK of the byte it still awaits whose first SACK block
        // covers that segment (RFC 2018: the block of the most recently received segment first). The server's 49
        // duplicate ACKs all carry SACK blocks. The client's 43 retransmissions were all spurious (nothing is
        // lost, originals are only late). This is RACK as Linux runs it, not fewer retransmissions than before
        // (14, when a loss needed three SACKed segments): the segments sent ahead skip the 10 ms delay, so
        // min_rtt is the bare link's and the reordering window (min_rtt/4) is nil; with fewer than three
        // segments SACKed RACK arms its timer (one jiffy and TCP_TIMEOUT_MIN, 4 ms), which runs out before the
        // original, 10 ms late, arrives. The D-SACKs undo (one D-SACK undo, three partial undos on timestamps)
        // but cannot widen a window of a quarter of nothing. All 43 retransmissions are D-SACKed in this run (the
        // receiver D-SACKs a duplicate below rcv_nxt, though not one of data it holds out of order: receiver side,
        // docs/fidelity.md). The numbers are those of the sender as it writes since the send buffer is Linux's
        // (docs/fidelity.md, "Send-buffer waits": the write waits for space, which moves what is in flight when
        // netem reorders), of a receiver whose buffer autotunes, and of CUBIC, the default (49 duplicate ACKs and 43
        // retransmissions; 40 and 36 with the Reno window the simulator had before, under the same sysctl). The server
        // reads the 100,000 bytes in order.
        var run = ChaosTransfer.Run(s_reorder);

        var reordered = run.Impaired.Where(e => e.Outcome == NetemOutcome.Reordered).ToList();
        Assert.All(run.Impaired.Except(reordered), e => Assert.Equal((NetemOutcome.Delayed, Duration.FromMilliseconds(10)), (e.Outcome, e.Delay)));
        var outOfOrder = run.OutOfOrderArrivals();
        Assert.Equal(10, reordered.Count);
        // Every segment that reaches the server out of order is one netem sent ahead; one sent ahead may still
        // arrive in order, when everything before it had already arrived.
        var sentAhead = reordered.Select(e => e.Packet).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.All(outOfOrder, o => Assert.Contains(run.Receiver[o.Index].Segment, sentAhead));
        Assert.Equal(OutOfOrderWithReorder, outOfOrder.Count);
        foreach (var (index, expected) in outOfOrder)
        {
            var arrival = run.Receiver[index];
            var reply = run.ReplyAfter(index);
            Assert.Equal(arrival.Time, reply.Time);
            Assert.Equal(expected, reply.Segment.Ack);
            Assert.NotEmpty(reply.SackBlocks);
            Assert.True(reply.SackBlocks[0].Left <= arrival.Segment.Seq && reply.SackBlocks[0].Right >= arrival.Segment.EndSeq, $"{reply.Segment} does not SACK {arrival.Segment} first");
        }

        var duplicateAcks = run.DuplicateAcks();
        Assert.Equal(49, duplicateAcks.Count);
        Assert.All(duplicateAcks, d => Assert.NotEmpty(d.SackBlocks));
        var sender = run.SenderCounters;
        Assert.Equal((43L, 43L, 0L, 0L), (sender.RetransmittedSegments, sender.FastRetransmits, sender.Timeouts, sender.LossProbes));
        Assert.Equal(43, run.ReceiverReplies.Count(r => r.DuplicateSack is not null));
        Assert.Equal((2L, 3L, 3L), (sender.DsackUndos, sender.PartialUndos, sender.TimestampReorders));
        Assert.Empty(run.Errors);
        Assert.Equal(run.Written, run.Read);
    }

    [Fact]
    public void Reorder_sack_blocks_come_most_recent_first_as_linux_sends_them()
    {
        // Proves that every SACK option the server sends in answer to an out-of-order segment lists the blocks
        // Linux would (its tp->selective_acks, rebuilt from the capture by LinuxSackBlocks), in Linux's order:
        // most recently changed first: here up to three blocks, the option's limit beside timestamps
        // (SackBlockDialogueTests and tests/reference/kernel/32-sack-blocks-*.txt cover more holes than fit the option).
        var run = ChaosTransfer.Run(s_reorder);

        var sequence = new ReceiveSequence();
        var options = new List<(int Left, int Right)[]>();
        var isn = run.Receiver.First(c => c.IsArrival && c.Segment.IsSyn).Segment.Seq;
        for (int index = 0; index < run.Receiver.Count; index++)
        {
            var captured = run.Receiver[index];
            if (captured.IsArrival && sequence.Arrive(captured.Segment))
            {
                var reply = run.ReplyAfter(index);
                Assert.Equal(sequence.Sacks.Blocks.Take(3), reply.SackBlocks);
                options.Add([.. reply.SackBlocks.Select(b => (b.Left - isn, b.Right - isn))]);
            }
        }

        Assert.Equal(10, options.Count);
        Assert.Equal(
            "{4345:5793} | {40009:41457} | {18825:20273}{40009:41457} | {18825:21721}{40009:41457} | {34217:35665}{40009:41457} | {40009:42905}{34217:35665} | {76209:77657} | {79105:80553}{76209:77657} | {94953:96401}{79105:80553}{76209:77657} | {61729:63177}{94953:96401}{79105:80553}",
            string.Join(" | ", options.Select(o => string.Concat(o.Select(b => $"{{{b.Left}:{b.Right}}}")))));
    }

    [Fact]
    public void Jitter_spreads_arrivals_over_the_delay_plus_or_minus_the_jitter_and_reorders_them()
    {
        // Proves delay 100ms 20ms (uniform jitter, no rate) from 5 ms on, seed 7, 100,000 bytes: each of the 98
        // segments the client sends reaches the server between 80 and 120 ms after the client's TCP handed it to
        // netem (the link is instant), spread over that range; since netem sends packets by their time to send,
        // 54 of them arrive after a segment the client sent later, as on Linux, and 42 reach the server's TCP out
        // of order (beyond the byte it awaits); the server's 61 duplicate ACKs carry SACK blocks (its other ACKs
        // for held data offer a window that held data opened, tcp_grow_window with SACK); the server reads
        // the bytes intact and in order. 27 of the 98 are retransmissions (48 of 119 with the Reno window the
        // simulator had before CUBIC), all spurious: RACK's reordering window (min_rtt/4, 20 ms, one step more per
        // round with a D-SACK) is narrower than the jitter's 40 ms spread until the D-SACKs have widened it, as on Linux.
        var run = ChaosTransfer.Run(new TransferPlan(7, "delay 100ms 20ms", 100_000) { GsoMaxSegs = 1 });

        var departures = new Dictionary<Packet, (SimTime Time, int Order)>(ReferenceEqualityComparer.Instance);
        foreach (var impaired in run.Impaired)
        {
            Assert.Equal(NetemOutcome.Delayed, impaired.Outcome);
            departures.Add(impaired.Packet, (impaired.Time, departures.Count));
        }

        var underNetem = run.Arrivals.Where(a => a.Time >= run.Plan.NetemAt).ToList();
        Assert.Equal(98, underNetem.Count);
        Assert.Equal(departures.Count, underNetem.Count);
        var delays = underNetem.Select(a => a.Time - departures[a.Segment].Time).ToList();
        Assert.All(delays, delay => Assert.InRange(delay.Nanoseconds, 80_000_000, 119_999_999));
        Assert.Equal((80_382_840L, 119_766_403L), (delays.Min(d => d.Nanoseconds), delays.Max(d => d.Nanoseconds)));

        int latestSent = -1;
        int overtaken = 0;
        foreach (var arrival in underNetem)
        {
            int order = departures[arrival.Segment].Order;
            overtaken += order < latestSent ? 1 : 0;
            latestSent = Math.Max(latestSent, order);
        }

        Assert.Equal((54, 42, 61, 27L), (overtaken, run.OutOfOrderArrivals().Count, run.DuplicateAcks().Count(d => d.SackBlocks.Count > 0), run.SenderCounters.RetransmittedSegments));
        Assert.Empty(run.Errors);
        Assert.Equal(run.Written, run.Read);
    }
}
