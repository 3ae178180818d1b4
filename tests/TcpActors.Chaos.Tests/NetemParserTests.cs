using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary>The tc and netem parsers: every option, tc's abbreviations and time arithmetic, and tc-worded errors.</summary>
public sealed class NetemParserTests
{
    [Fact]
    public void A_full_tc_line_parses_into_kernel_values()
    {
        // Proves every option at once: delay with jitter and correlation, distribution, correlated loss, duplicate, reorder, corrupt, rate, limit.
        var command = TcParser.Parse("sudo tc qdisc add dev eth0 root netem delay 20ms 5ms 25% distribution normal loss random 0.5% 25% duplicate 1% reorder 25% 50% corrupt 0.1% rate 1mbit limit 500");

        Assert.Equal(TcVerb.Add, command.Verb);
        Assert.Equal("eth0", command.Device);
        var settings = command.Settings!;
        Assert.Equal(Duration.FromMilliseconds(20), settings.Latency);
        Assert.Equal(Duration.FromMilliseconds(5), settings.Jitter);
        Assert.Equal(NetemProbability.FromPercent(25), settings.DelayCorrelation);
        Assert.Equal(NetemDistribution.Normal, settings.Distribution);
        Assert.Equal(new RandomLoss(NetemProbability.FromPercent(0.5)), settings.Loss);
        Assert.Equal(NetemProbability.FromPercent(25), settings.LossCorrelation);
        Assert.Equal(NetemProbability.FromPercent(1), settings.Duplicate);
        Assert.Equal(NetemProbability.FromPercent(25), settings.Reorder);
        Assert.Equal(NetemProbability.FromPercent(50), settings.ReorderCorrelation);
        Assert.Equal(1u, settings.Gap);
        Assert.Equal(NetemProbability.FromPercent(0.1), settings.Corrupt);
        Assert.Equal(125_000UL, settings.RateBytesPerSecond);
        Assert.Equal(500u, settings.Limit);
        Assert.Equal("limit 500 delay 20ms  5ms 25% loss 0.5% 25% duplicate 1% reorder 25% 50% corrupt 0.1% rate 1Mbit gap 1", settings.ToString());
    }

    [Fact]
    public void The_netem_part_alone_parses_for_the_command_line_option()
    {
        // Proves the --netem form ("delay 20ms 5ms loss 0.5%") without tc, qdisc, dev or root.
        var settings = NetemParser.Parse("delay 20ms 5ms loss 0.5%");

        Assert.Equal(new NetemSettings { Latency = Duration.FromMilliseconds(20), Jitter = Duration.FromMilliseconds(5), Loss = new RandomLoss(NetemProbability.FromPercent(0.5)) }, settings);
        Assert.Equal(1000u, settings.Limit);
        Assert.Equal(settings, NetemParser.Parse("netem delay 20ms 5ms loss 0.5%"));
    }

    [Theory]
    [InlineData("delay 10ms", 10_000_000)]
    [InlineData("delay 1.5s", 1_500_000_000)]
    [InlineData("delay 100us", 99_968)]
    [InlineData("delay 1us", 960)]
    [InlineData("delay 10", 9_984)]
    [InlineData("delay 1.9us", 960)]
    [InlineData("delay 1e3us", 1_000_000)]
    [InlineData("delay 10MS", 10_000_000)]
    [InlineData("latency 2secs", 2_000_000_000)]
    [InlineData("d 5msec", 5_000_000)]
    public void Delays_become_whole_microseconds_in_64_ns_ticks_as_tc_sends_them(string options, long nanoseconds)
    {
        // Proves tc 6.1's arithmetic: microseconds truncated, times 15.625 ticks truncated, times 64 ns (so 1us is 960 ns).
        Assert.Equal(new Duration(nanoseconds), NetemParser.Parse(options).Latency);
    }

    [Theory]
    [InlineData("loss 0.5", 0.5)]
    [InlineData("loss 0.5%", 0.5)]
    [InlineData("loss random 3%", 3)]
    [InlineData("drop 100%", 100)]
    [InlineData("lo 5%", 5)]
    public void Loss_percentages_read_with_or_without_the_percent_sign(string options, double percent)
    {
        // Proves tc's parse_percent: a bare number is a percentage too, and loss/drop may be abbreviated.
        Assert.Equal(new RandomLoss(NetemProbability.FromPercent(percent)), NetemParser.Parse(options).Loss);
    }

    [Fact]
    public void Gilbert_elliott_and_four_state_models_take_tc_defaults()
    {
        // Proves gemodel P [R [1-H [1-K]]] and state P13 [P31 [P32 [P23 P14]]] with tc 6.1's defaults for omitted values.
        var percent = NetemProbability.FromPercent;
        Assert.Equal(new GilbertElliottLoss(percent(1), percent(99), percent(0), percent(0)), NetemParser.Parse("loss gemodel 1%").Loss);
        Assert.Equal(new GilbertElliottLoss(percent(1), percent(10), new NetemProbability(uint.MaxValue - percent(70).Scaled), percent(0.1)),
            NetemParser.Parse("loss gemodel 1% 10% 70% 0.1%").Loss);
        Assert.Equal(new FourStateLoss(percent(5), percent(95), percent(0), percent(100), percent(0)), NetemParser.Parse("loss state 5%").Loss);
        Assert.Equal(new FourStateLoss(percent(1), percent(10), percent(70), percent(0.1), percent(1)), NetemParser.Parse("loss state 1% 10% 70% 0.1% 1%").Loss);
        Assert.Equal("limit 1000 loss gemodel p 1% r 10% 1-h 70% 1-k 0.1%", NetemParser.Parse("loss gemodel 1% 10% 70% 0.1%").ToString());
    }

    [Theory]
    [InlineData("rate 1mbit", 125_000)]
    [InlineData("rate 100kbit", 12_500)]
    [InlineData("rate 1.5Mbit", 187_500)]
    [InlineData("rate 1000", 125)]
    [InlineData("rate 1mbps", 1_000_000)]
    [InlineData("rate 10kibit", 1_280)]
    [InlineData("rate 1gbit", 125_000_000)]
    public void Rates_are_bits_unless_bytes_are_said(string options, ulong bytesPerSecond)
    {
        // Proves tc's rate units: bit, kbit, mbit, gbit, IEC kibit…, and kbps/mbps meaning bytes per second.
        Assert.Equal(bytesPerSecond, NetemParser.Parse(options).RateBytesPerSecond);
    }

    [Fact]
    public void Rate_takes_packet_overhead_and_cells()
    {
        // Proves rate RATE [PACKETOVERHEAD [CELLSIZE [CELLOVERHEAD]]], with signed overheads.
        var settings = NetemParser.Parse("rate 1mbit 20 53 -5");

        Assert.Equal((20, 53u, -5), (settings.PacketOverhead, settings.CellSize, settings.CellOverhead));
    }

    [Fact]
    public void Duplicate_correlation_needs_another_correlation_to_reach_the_kernel()
    {
        // Proves tc 6.1's quirk: duplicate's own correlation is sent only with the correlation attribute another option sets.
        Assert.Equal(NetemProbability.Zero, NetemParser.Parse("duplicate 10% 50%").DuplicateCorrelation);
        Assert.Equal(NetemProbability.FromPercent(50), NetemParser.Parse("duplicate 10% 50% loss 1% 10%").DuplicateCorrelation);
    }

    [Fact]
    public void Reorder_sets_gap_one_and_gap_can_be_given()
    {
        // Proves tc gives reorder a gap of 1 unless "gap N" says otherwise, and "uniform" means no table.
        Assert.Equal(1u, NetemParser.Parse("delay 10ms reorder 25%").Gap);
        Assert.Equal(5u, NetemParser.Parse("gap 5 delay 10ms reorder 100%").Gap);
        Assert.Equal(NetemDistribution.Uniform, NetemParser.Parse("delay 10ms 1ms distribution uniform").Distribution);
        Assert.Equal(NetemDistribution.ParetoNormal, NetemParser.Parse("delay 10ms 1ms distribution paretonormal").Distribution);
    }

    [Theory]
    [InlineData("tc qdisc add dev eth0 root netem delay 1ms", TcVerb.Add)]
    [InlineData("tc qdisc change dev eth0 root netem delay 1ms", TcVerb.Change)]
    [InlineData("tc qdisc replace root dev eth0 netem delay 1ms", TcVerb.Replace)]
    [InlineData("tc q a dev eth0 root netem delay 1ms", TcVerb.Add)]
    [InlineData("qdisc add dev eth0 root netem delay 1ms", TcVerb.Add)]
    [InlineData("tc qdisc del dev eth0 root", TcVerb.Delete)]
    [InlineData("tc qdisc delete dev eth0 root netem", TcVerb.Delete)]
    public void Tc_verbs_and_word_orders_parse(string line, TcVerb verb)
    {
        // Proves add/change/replace/del, tc's prefixes (q a), dev and root in either order, and the optional tc word.
        var command = TcParser.Parse(line);

        Assert.Equal(verb, command.Verb);
        Assert.Equal("eth0", command.Device);
    }

    [Fact]
    public void Show_takes_an_optional_device()
    {
        // Proves tc qdisc show with and without dev.
        Assert.Equal(new TcCommand(TcVerb.Show, null, null), TcParser.Parse("tc qdisc show"));
        Assert.Equal(new TcCommand(TcVerb.Show, "eth0", null), TcParser.Parse("tc qdisc ls dev eth0"));
    }

    [Theory]
    [InlineData("tc qdisc add dev eth0 root netem foo", "What is \"foo\"? (expected a netem option: limit, delay, distribution, loss, duplicate, reorder, gap, corrupt or rate)", 7, 34)]
    [InlineData("tc qdisc add dev eth0 root netem reorder 10%", "reordering not possible without specifying some delay (expected delay TIME before or after reorder)", 7, 34)]
    [InlineData("tc qdisc add dev eth0 root netem delay 10ms gap 3", "gap specified without reorder probability (expected reorder PERCENT)", 9, 45)]
    [InlineData("tc qdisc add dev eth0 root netem delay 10ms distribution normal", "distribution specified but no latency and jitter values (expected delay TIME JITTER)", 9, 45)]
    [InlineData("tc qdisc add dev eth0 root netem delay 10ms 1ms distribution foo", "No distribution data for foo (expected normal, pareto, paretonormal or uniform)", 11, 62)]
    [InlineData("tc qdisc add dev eth0 root netem loss 150%", "Illegal \"loss percent\" (expected a percentage from 0% to 100%, got \"150%\")", 8, 39)]
    [InlineData("tc qdisc add dev eth0 root netem loss -1%", "Unknown loss parameter: -1% (expected random, state, gemodel or a percentage)", 8, 39)]
    [InlineData("tc qdisc add dev eth0 root netem loss", "Command line is not complete. Try option \"help\" (expected random PERCENT, state P13 or gemodel PERCENT after \"loss\")", 8, 38)]
    [InlineData("tc qdisc add dev eth0 root netem delay", "Command line is not complete. Try option \"help\" (expected TIME after \"delay\")", 8, 39)]
    [InlineData("tc qdisc add dev eth0 root netem loss 1% loss 2%", "Illegal \"duplicate loss argument\" (expected loss once)", 9, 42)]
    [InlineData("tc qdisc add dev eth0 root netem delay abc", "Illegal \"latency\" (expected a time such as 20ms, 1.5s or 100us, got \"abc\")", 8, 40)]
    [InlineData("tc qdisc add dev eth0 root netem delay 10 ms", "What is \"ms\"? (expected a netem option: limit, delay, distribution, loss, duplicate, reorder, gap, corrupt or rate)", 9, 43)]
    [InlineData("tc qdisc add dev eth0 root netem delay 10ms 5ms 200%", "Illegal \"latency\" (expected a percentage from 0% to 100%, got \"200%\")", 10, 49)]
    [InlineData("tc qdisc add dev eth0 root netem delay -5ms", "Illegal \"latency\" (expected a time such as 20ms, 1.5s or 100us, got \"-5ms\")", 8, 40)]
    [InlineData("tc qdisc add dev eth0 root netem delay 300s", "Illegal \"latency\": 300s is too large (expected at most about 274s)", 8, 40)]
    [InlineData("tc qdisc add dev eth0 root netem duplicate 5%%", "Illegal \"duplicate\" (expected a percentage from 0% to 100%, got \"5%%\")", 8, 44)]
    [InlineData("tc qdisc add dev eth0 root netem rate abc", "Illegal \"rate\" (expected a rate such as 100kbit, 1mbit or 1gbit, got \"abc\")", 8, 39)]
    [InlineData("tc qdisc add dev eth0 root netem rate 10%", "Illegal \"rate\": a percentage of the device speed is not supported (expected a rate such as 1mbit)", 8, 39)]
    [InlineData("tc qdisc add dev eth0 root netem limit abc", "Illegal \"limit\" (expected a number of packets, got \"abc\")", 8, 40)]
    [InlineData("tc qdisc add dev eth0 root netem loss 5% ecn", "ecn is not supported by TcpActors (its segments carry no ECN codepoint)", 9, 42)]
    [InlineData("tc qdisc add dev eth0 root pfifo", "qdisc kind \"pfifo\" is not supported (expected netem)", 6, 28)]
    [InlineData("tc qdisc add root netem delay 1ms", "missing \"dev IF\" (expected tc qdisc add dev IF root netem ...)", 2, 10)]
    [InlineData("tc qdisc add dev eth0 netem delay 1ms", "missing \"root\" (TcpActors models netem as an interface's root qdisc)", 2, 10)]
    [InlineData("tc qdisc add dev eth0 root", "missing the qdisc kind (expected netem and its options)", 6, 27)]
    [InlineData("tc qdisc add dev eth0 dev eth1 root netem", "duplicate \"dev\": \"eth1\" is the second value.", 6, 27)]
    [InlineData("tc qdisc add dev eth0 handle 1: root netem", "\"handle\" is not supported by TcpActors (expected dev IF root netem OPTIONS)", 5, 23)]
    [InlineData("tc qdisc foo dev eth0 root netem", "Command \"foo\" is unknown, try \"tc qdisc help\". (expected add, change, replace, del or show)", 2, 10)]
    [InlineData("tc filter add dev eth0", "Object \"filter\" is unknown, try \"tc help\". (expected qdisc)", 1, 4)]
    public void Errors_use_tc_words_and_say_where_and_what_was_expected(string line, string message, int wordIndex, int column)
    {
        // Proves each tc error message, with its word index and column.
        var error = Assert.Throws<ChaosParseException>(() => TcParser.Parse(line));

        Assert.Equal(message, error.Message);
        Assert.Equal((wordIndex, column), (error.WordIndex, error.Column));
    }

    [Fact]
    public void The_chaos_command_parser_tells_iptables_from_tc()
    {
        // Proves one entry point for both tools, with or without sudo and the program name.
        Assert.IsType<IptablesCommand.Append>(ChaosCommandParser.Parse("sudo iptables -A INPUT -j DROP"));
        Assert.IsType<IptablesCommand.Append>(ChaosCommandParser.Parse("-A INPUT -j DROP"));
        Assert.IsType<TcCommand>(ChaosCommandParser.Parse("sudo tc qdisc add dev lo root netem delay 1ms"));
        Assert.IsType<TcCommand>(ChaosCommandParser.Parse("qdisc del dev lo root"));
        var error = Assert.Throws<ChaosParseException>(() => ChaosCommandParser.Parse("sudo ip link set eth0 down"));
        Assert.Equal(("unknown command \"ip\" (expected iptables or tc)", 1, 6), (error.Message, error.WordIndex, error.Column));
    }
}
