using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary>netem's behaviour on an egress: delays and their distributions, loss models, duplication, corruption, reordering, rate, limit, replay.</summary>
public sealed class NetemQueueTests
{
    private static readonly Segment s_data = TestPackets.Tcp("10.0.0.1", 40000, "10.0.0.2", 8888, TcpFlags.Ack | TcpFlags.Psh, 1250);

    [Fact]
    public void A_fixed_delay_holds_every_packet_for_it_and_keeps_order()
    {
        // Proves delay 20ms: each packet leaves exactly 20 ms after it was handed over, in order.
        var netem = Netem("delay 20ms");

        var departures = Send(netem, 5, spacing: Duration.FromMilliseconds(1));

        Assert.Equal(Enumerable.Range(0, 5).Select(i => SimTime.FromSeconds(0.020 + (0.001 * i))), departures.Select(d => d.Time));
    }

    [Theory]
    [InlineData("delay 100ms 10ms", NetemDistribution.Uniform)]
    [InlineData("delay 100ms 10ms distribution normal", NetemDistribution.Normal)]
    [InlineData("delay 100ms 10ms distribution pareto", NetemDistribution.Pareto)]
    [InlineData("delay 100ms 10ms distribution paretonormal", NetemDistribution.ParetoNormal)]
    public void Jitter_follows_the_distribution_mean_and_spread(string options, NetemDistribution distribution)
    {
        // Proves over 50,000 packets that delays have the mean and standard deviation the distribution's table (or uniform) implies.
        var netem = Netem(options);
        var delays = Send(netem, 50_000, Duration.FromMilliseconds(1)).Select((d, i) => (d.Time.Nanoseconds - (i * 1_000_000L)) / 1e6).ToArray();

        var (expectedMean, expectedDeviation) = ExpectedDelay(100, 10, distribution);
        double mean = delays.Average();
        double deviation = Math.Sqrt(delays.Select(d => (d - mean) * (d - mean)).Average());
        Assert.InRange(mean, expectedMean - 0.15, expectedMean + 0.15);
        Assert.InRange(deviation, expectedDeviation * 0.97, expectedDeviation * 1.03);
        Assert.InRange(delays.Min(), distribution == NetemDistribution.Uniform ? 90 : 50, 100);
    }

    [Fact]
    public void Normal_jitter_puts_about_68_percent_within_one_jitter()
    {
        // Proves the normal table has the normal shape, not only its first two moments.
        var delays = Send(Netem("delay 100ms 10ms distribution normal"), 50_000, Duration.Zero).Select(d => d.Time.TotalMilliseconds).ToArray();

        double within = delays.Count(d => Math.Abs(d - 100) <= 10) / (double)delays.Length;
        Assert.InRange(within, 0.67, 0.70);
    }

    [Fact]
    public void Large_jitter_reorders_packets_as_on_linux()
    {
        // Proves the time-ordered queue: with jitter larger than the spacing, later packets can leave first.
        var departures = Send(Netem("delay 10ms 5ms"), 1000, Duration.FromMilliseconds(1));

        int overtaken = departures.Zip(departures.Skip(1)).Count(pair => pair.Second.Time < pair.First.Time);
        Assert.InRange(overtaken, 100, 500);
    }

    [Fact]
    public void Random_loss_loses_its_share()
    {
        // Proves loss 5% loses about 5% of 100,000 packets and reports each as lost.
        var events = new EventStream();
        var lost = 0;
        events.Subscribe<PacketImpaired>(e => lost += e.Outcome == NetemOutcome.Lost ? 1 : 0);
        var netem = Netem("loss 5%", events: events);

        int sent = Send(netem, 100_000, Duration.Zero).Count;

        Assert.InRange(100_000 - sent, 4_800, 5_200);
        Assert.Equal(100_000 - sent, lost);
    }

    [Fact]
    public void Correlated_loss_comes_in_bursts_and_below_its_nominal_rate_as_on_linux()
    {
        // Proves get_crandom's memory makes a loss after a loss likelier, and its narrowing of the numbers lowers the
        // loss rate below the nominal 20% (about 9% at 25% correlation) — netem's known behaviour, kept on purpose.
        var losses = LossPattern(Netem("loss 20% 25%"), 200_000);

        double overall = losses.Count(l => l) / (double)losses.Count;
        double afterLoss = ConditionalLoss(losses);
        Assert.InRange(overall, 0.07, 0.12);
        Assert.True(afterLoss > 1.5 * overall, $"loss after a loss {afterLoss:P2}, overall {overall:P2}");
        Assert.DoesNotContain(true, LossPattern(Netem("loss 20% 90%"), 20_000));
    }

    [Fact]
    public void Gilbert_elliott_loss_has_the_stationary_rate_and_burst_length()
    {
        // Proves gemodel p 1% r 10% (1-h 100%, 1-k 0%): loss rate p/(p+r) = 9.1% and mean burst 1/r = 10 packets.
        var losses = LossPattern(Netem("loss gemodel 1% 10%"), 300_000);

        double rate = losses.Count(l => l) / (double)losses.Count;
        Assert.InRange(rate, 0.0909 - 0.006, 0.0909 + 0.006);
        Assert.InRange(MeanBurst(losses), 9.3, 10.7);
    }

    [Fact]
    public void Gilbert_elliott_loss_in_the_good_state_uses_one_minus_k()
    {
        // Proves 1-k: with p 0 the chain stays good and loses 1-k = 2% of packets.
        var losses = LossPattern(Netem("loss gemodel 0% 100% 100% 2%"), 100_000);

        Assert.InRange(losses.Count(l => l) / 100_000.0, 0.018, 0.022);
    }

    [Fact]
    public void Four_state_loss_has_the_chain_s_rate_and_bursts()
    {
        // Proves state p13 1% p31 30%: between states 1 and 3 only, loss rate p13/(p13+p31) = 3.2%, bursts 1/p31 = 3.3 packets.
        var losses = LossPattern(Netem("loss state 1% 30%"), 300_000);

        Assert.InRange(losses.Count(l => l) / 300_000.0, 0.0323 - 0.003, 0.0323 + 0.003);
        Assert.InRange(MeanBurst(losses), 3.0, 3.7);
    }

    [Fact]
    public void Duplicates_come_first_and_are_never_duplicated_again()
    {
        // Proves duplicate 30%: about 30% extra copies, each published as a duplicate, the copy leaving with its own delay.
        var events = new EventStream();
        var duplicates = new List<PacketImpaired>();
        events.Subscribe<PacketImpaired>(e => { if (e.Duplicate) duplicates.Add(e); });
        var netem = Netem("duplicate 30%", events: events);

        int sent = Send(netem, 100_000, Duration.Zero).Count;

        Assert.InRange(sent - 100_000, 29_000, 31_000);
        Assert.Equal(sent - 100_000, duplicates.Count);
        Assert.Equal(duplicates.Count, netem.Counters.Duplicated);
    }

    [Fact]
    public void Corruption_marks_a_copy_and_leaves_the_original_object_alone()
    {
        // Proves corrupt 10%: about 10% leave with Corrupted set (the receiver's checksum will fail); packets are not mutated.
        var netem = Netem("corrupt 10%");

        var departures = Send(netem, 100_000, Duration.Zero);

        Assert.InRange(departures.Count(d => d.Packet.Corrupted), 9_500, 10_500);
        Assert.False(s_data.Corrupted);
        Assert.All(departures.Where(d => !d.Packet.Corrupted), d => Assert.Same(s_data, d.Packet));
    }

    [Fact]
    public void Reorder_sends_its_share_at_once_ahead_of_the_delayed_ones()
    {
        // Proves delay 10ms reorder 25%: about a quarter leave immediately, overtaking packets still held for 10 ms.
        var events = new EventStream();
        var reordered = 0;
        events.Subscribe<PacketImpaired>(e => reordered += e.Outcome == NetemOutcome.Reordered ? 1 : 0);
        var netem = Netem("delay 10ms reorder 25%", events: events);

        var departures = Send(netem, 100_000, Duration.FromMicroseconds(100));

        int immediate = departures.Select((d, i) => d.Time.Nanoseconds == i * 100_000L).Count(x => x);
        Assert.InRange(immediate, 24_000, 26_000);
        Assert.Equal(immediate, reordered);
        Assert.Equal(immediate, netem.Counters.Requeues);
    }

    [Fact]
    public void Reorder_with_a_gap_sends_every_nth_packet_at_once()
    {
        // Proves netem's gap: with reorder 100% gap 5, packets 5, 10, 15… leave at once and the rest after the delay.
        var departures = Send(Netem("delay 10ms reorder 100% gap 5"), 15, Duration.FromMilliseconds(1));

        var immediate = departures.Select((d, i) => (d, i)).Where(x => x.d.Time.Nanoseconds == x.i * 1_000_000L).Select(x => x.i + 1);
        Assert.Equal([5, 10, 15], immediate);
    }

    [Fact]
    public void Rate_serialises_packets_behind_one_another()
    {
        // Proves rate 1mbit: 1250-byte packets take 10 ms each, so three handed over together leave at 10, 20 and 30 ms.
        var departures = Send(Netem("rate 1mbit"), 3, Duration.Zero);

        Assert.Equal([10_000_000L, 20_000_000L, 30_000_000L], departures.Select(d => d.Time.Nanoseconds));
    }

    [Fact]
    public void Rate_with_delay_counts_time_spent_waiting_against_the_delay()
    {
        // Proves netem's rule: a packet queued behind the last one waits max(delay − wait, 0) more, plus its own serialisation.
        var departures = Send(Netem("delay 100ms rate 1mbit"), 3, Duration.Zero);

        Assert.Equal([110_000_000L, 120_000_000L, 130_000_000L], departures.Select(d => d.Time.Nanoseconds));
    }

    [Fact]
    public void Rate_cells_round_the_length_up_to_whole_cells()
    {
        // Proves rate RATE OVERHEAD CELLSIZE CELLOVERHEAD: (1250 + 14) bytes in 53-byte cells of 53 + 5 bytes each.
        var departure = Assert.Single(Send(Netem("rate 1mbps 14 53 5"), 1, Duration.Zero));

        Assert.Equal(24L * 58 * 1000, departure.Time.Nanoseconds);
    }

    [Fact]
    public void Limit_drops_packets_once_the_queue_is_full_and_frees_up_as_they_leave()
    {
        // Proves limit 3: the fourth packet queued at once is dropped (NetemQueueFull), and after the delay there is room again.
        var events = new EventStream();
        var drops = new List<PacketDropped>();
        events.Subscribe<PacketDropped>(drops.Add);
        var netem = Netem("delay 1s limit 3", events: events);

        Assert.Equal(3, Send(netem, 4, Duration.Zero).Count);
        var drop = Assert.Single(drops);
        Assert.Equal((DropReason.NetemQueueFull, "netem limit 3 on eth0"), (drop.Reason, drop.Detail));
        Assert.Equal(3, netem.QueueLength(SimTime.FromSeconds(0.5)));
        Assert.Equal(0, netem.QueueLength(SimTime.FromSeconds(1)));
        var later = new List<Departure>();
        netem.Enqueue(s_data, SimTime.FromSeconds(1), later);
        Assert.Single(later);
    }

    [Fact]
    public void The_same_stream_replays_the_same_decisions()
    {
        // Proves determinism: the same seed and stream name give identical departures; another name gives others.
        const string Options = "delay 10ms 5ms 25% distribution pareto loss 3% 25% duplicate 5% reorder 10% corrupt 1%";
        var first = Send(Netem(Options, RandomStream.Derive(7, "chaos/a/netem/eth0")), 5_000, Duration.FromMicroseconds(300));
        var again = Send(Netem(Options, RandomStream.Derive(7, "chaos/a/netem/eth0")), 5_000, Duration.FromMicroseconds(300));
        var other = Send(Netem(Options, RandomStream.Derive(7, "chaos/b/netem/eth0")), 5_000, Duration.FromMicroseconds(300));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Change_keeps_what_the_command_does_not_mention_as_netem_change_does()
    {
        // Proves tc qdisc change: delay and loss are replaced, while corrupt and rate, not mentioned, stay as they were.
        var netem = Netem("delay 10ms loss 5% corrupt 5% rate 1mbit");

        netem.Change(NetemParser.Parse("delay 20ms"));

        Assert.Equal(Duration.FromMilliseconds(20), netem.Settings.Latency);
        Assert.Null(netem.Settings.Loss);
        Assert.Equal(NetemProbability.FromPercent(5), netem.Settings.Corrupt);
        Assert.Equal(125_000UL, netem.Settings.RateBytesPerSecond);
    }

    [Fact]
    public void Events_report_delay_and_duplicates_with_their_outcomes()
    {
        // Proves PacketImpaired carries time, host, interface, outcome and delay for each copy.
        var events = new EventStream();
        var seen = new List<PacketImpaired>();
        events.Subscribe<PacketImpaired>(seen.Add);
        var netem = Netem("delay 20ms duplicate 100%", events: events);

        netem.Enqueue(s_data, SimTime.FromSeconds(1), []);

        Assert.Equal(
            [
                new PacketImpaired(SimTime.FromSeconds(1), "host", "eth0", s_data, NetemOutcome.Delayed, Duration.FromMilliseconds(20), Duplicate: true, Corrupted: false),
                new PacketImpaired(SimTime.FromSeconds(1), "host", "eth0", s_data, NetemOutcome.Delayed, Duration.FromMilliseconds(20), Duplicate: false, Corrupted: false),
            ],
            seen);
    }

    private static NetemQueueDiscipline Netem(string options, RandomStream? random = null, EventStream? events = null) =>
        new("host", "eth0", NetemParser.Parse(options), random ?? new RandomStream(2024), events);

    private static List<Departure> Send(NetemQueueDiscipline netem, int count, Duration spacing)
    {
        var departures = new List<Departure>();
        for (int i = 0; i < count; i++)
        {
            netem.Enqueue(s_data, new SimTime(spacing.Nanoseconds * i), departures);
        }

        return departures;
    }

    private static List<bool> LossPattern(NetemQueueDiscipline netem, int count)
    {
        var pattern = new List<bool>(count);
        var departures = new List<Departure>();
        for (int i = 0; i < count; i++)
        {
            departures.Clear();
            netem.Enqueue(s_data, SimTime.Zero, departures);
            pattern.Add(departures.Count == 0);
        }

        return pattern;
    }

    private static double ConditionalLoss(List<bool> losses)
    {
        int afterLoss = 0;
        int lossAfterLoss = 0;
        for (int i = 1; i < losses.Count; i++)
        {
            if (losses[i - 1])
            {
                afterLoss++;
                lossAfterLoss += losses[i] ? 1 : 0;
            }
        }

        return lossAfterLoss / (double)afterLoss;
    }

    private static double MeanBurst(List<bool> losses)
    {
        int bursts = losses.Zip(losses.Skip(1)).Count(pair => !pair.First && pair.Second) + (losses[0] ? 1 : 0);
        return losses.Count(l => l) / (double)bursts;
    }

    /// <summary>Mean and standard deviation (ms) of latency + jitter × entry / 8192 over the table, or of the uniform [l − j, l + j).</summary>
    private static (double Mean, double Deviation) ExpectedDelay(double latency, double jitter, NetemDistribution distribution)
    {
        var table = NetemDistributionTables.For(distribution);
        if (table is null)
        {
            return (latency - (jitter / 2 / 10_000_000), jitter / Math.Sqrt(3));
        }

        var values = table.Select(t => latency + (jitter * t / NetemDistributionTables.Scale)).ToArray();
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()));
    }
}
