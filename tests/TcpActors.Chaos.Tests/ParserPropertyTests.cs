using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace TcpActors.Chaos.Tests;

/// <summary>Property tests that fuzz the parsers with lines built from their own vocabulary and from junk.</summary>
public sealed class ParserPropertyTests
{
    private static readonly string[] s_iptablesWords =
    [
        "iptables", "sudo", "-A", "-I", "-D", "-R", "-C", "-F", "-Z", "-P", "-L", "-S", "-N", "INPUT", "OUTPUT", "FORWARD", "FOO",
        "1", "2", "0", "-1", "99999999999", "-s", "-d", "!", "10.0.0.1", "10.0.0.0/8", "1.2.3.4/33", "0/0", "localhost", "-p", "tcp",
        "udp", "icmp", "all", "--sport", "--dport", "80", "1000:2000", ":100", "100:", "2:1", "http", "--syn", "--tcp-flags",
        "--tcp-flag", "SYN,ACK", "ACK", "ALL", "NONE", "FOO,SYN", "-m", "statistic", "comment", "tcp", "--mode", "random", "nth",
        "--probability", "0.5", "1.5", "--every", "3", "--packet", "--comment", "\"a b\"", "'x'", "-j", "DROP", "ACCEPT", "REJECT",
        "RETURN", "--reject-with", "tcp-reset", "icmp-h", "-i", "-o", "eth0", "eth+", "-v", "-n", "-x", "--line-numbers", "-nvL",
        "-c", "--s", "--d", "--so", "--src=1.2.3.4", "-w", "-t", "filter", "nat", "--", "-", "=", "'", "\"", "--foo",
    ];

    private static readonly string[] s_tcWords =
    [
        "tc", "sudo", "qdisc", "q", "add", "change", "replace", "del", "show", "foo", "dev", "eth0", "lo", "root", "handle", "netem",
        "pfifo", "delay", "d", "latency", "20ms", "5ms", "25%", "1.5s", "10", "-5ms", "300s", "abc", "distribution", "normal",
        "pareto", "paretonormal", "uniform", "loss", "random", "state", "gemodel", "0.5%", "150%", "1%", "10%", "duplicate",
        "reorder", "gap", "5", "corrupt", "rate", "1mbit", "100kbit", "10%", "limit", "1000", "1k", "ecn", "slot", "-3", "%",
    ];

    /// <summary>Well-formed pieces of rules, so that most generated rules parse and the round trip is exercised.</summary>
    private static readonly string[] s_ruleFragments =
    [
        "-s 10.0.0.1", "! -s 10.0.0.0/8", "-d 192.168.1.0/24", "! -d 1.2.3.4", "-p tcp", "! -p tcp", "-p icmp", "--sport 80",
        "! --dport 1000:2000", "--dport :1023", "--syn", "! --syn", "--tcp-flags SYN,ACK SYN", "! --tcp-flags ALL NONE",
        "-m statistic --mode random --probability 0.25", "-m statistic --mode nth --every 3 --packet 1",
        "-m statistic --mode random ! --probability 0.7", "-m comment --comment 'a b'", "-m comment --comment x", "-m tcp",
        "-i eth0", "! -i eth+", "-j DROP", "-j ACCEPT", "-j RETURN", "-j REJECT", "-j REJECT --reject-with tcp-reset",
        "-j REJECT --reject-with icmp-host-prohibited", "-c 5 300",
    ];

    private static readonly Config s_config = Config.QuickThrowOnFailure
        .WithMaxTest(3000)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20251121UL, 1442695040888963407UL), FSharpOption<int>.None)));

    [Fact]
    public void Any_iptables_word_salad_parses_or_fails_with_a_located_parse_error()
    {
        // Proves the parser never throws anything but ChaosParseException, and its location is inside the line.
        var lines = Gen.ListOf(Gen.Elements(s_iptablesWords)).Select(words => string.Join(' ', words));

        Check.One(s_config, Prop.ForAll(lines.ToArbitrary(), line => ParsesOrFailsCleanly(line, () => IptablesParser.Parse(line))));
    }

    [Fact]
    public void Any_tc_word_salad_parses_or_fails_with_a_located_parse_error()
    {
        // Proves the same for tc and netem lines.
        var lines = Gen.ListOf(Gen.Elements(s_tcWords)).Select(words => string.Join(' ', words));

        Check.One(s_config, Prop.ForAll(lines.ToArbitrary(), line => ParsesOrFailsCleanly(line, () => ChaosCommandParser.Parse(line))));
    }

    [Fact]
    public void Arbitrary_text_never_crashes_the_parsers()
    {
        // Proves junk (any characters, quotes, tabs) gets a parse error, never another exception.
        var lines = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null);

        Check.One(s_config, Prop.ForAll(lines.ToArbitrary(), line =>
            ParsesOrFailsCleanly(line, () => ChaosCommandParser.Parse(line)) && ParsesOrFailsCleanly(line, () => NetemParser.Parse(line))));
    }

    [Fact]
    public void Every_rule_that_parses_reads_back_the_same_from_its_iptables_S_form()
    {
        // Proves the canonical -S text is a faithful rendering: parsing "-A INPUT <rule>" again gives an equal specification.
        var lines = Gen.ListOf(Gen.Elements(s_ruleFragments)).Select(fragments => "-A INPUT " + string.Join(' ', fragments));

        Check.One(s_config, Prop.ForAll(lines.ToArbitrary(), line =>
        {
            if (!TryParse(line, out var command) || command is not IptablesCommand.Append append)
            {
                return true;
            }

            var again = Assert.IsType<IptablesCommand.Append>(IptablesParser.Parse("-A INPUT " + append.Rule));
            return again.Rule.SameSpecification(append.Rule);
        }));
    }

    private static bool ParsesOrFailsCleanly(string line, Func<object> parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (ChaosParseException error)
        {
            return error.Column >= 1 && error.Column <= line.Length + 1 && error.WordIndex >= 0 && error.Message.Length > 0;
        }
    }

    private static bool TryParse(string line, out IptablesCommand command)
    {
        try
        {
            command = IptablesParser.Parse(line);
            return true;
        }
        catch (ChaosParseException)
        {
            command = null!;
            return false;
        }
    }
}
