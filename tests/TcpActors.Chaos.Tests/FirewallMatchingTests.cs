using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary>How a host firewall decides: first match wins, RETURN and policies, negation, flag masks, counters, statistics and events.</summary>
public sealed class FirewallMatchingTests
{
    private static readonly Segment s_pureAck = TestPackets.Tcp("10.0.0.2", 8888, "10.0.0.1", 40000, TcpFlags.Ack);
    private static readonly Segment s_syn = TestPackets.Tcp("10.0.0.1", 40000, "10.0.0.2", 8888, TcpFlags.Syn, 60);
    private static readonly Segment s_synAck = TestPackets.Tcp("10.0.0.2", 8888, "10.0.0.1", 40000, TcpFlags.Syn | TcpFlags.Ack, 60);
    private static readonly Segment s_finAck = TestPackets.Tcp("10.0.0.2", 8888, "10.0.0.1", 40000, TcpFlags.Fin | TcpFlags.Ack);
    private static readonly Segment s_pshAck = TestPackets.Tcp("10.0.0.2", 8888, "10.0.0.1", 40000, TcpFlags.Psh | TcpFlags.Ack, 140);
    private static readonly Segment s_rstAck = TestPackets.Tcp("10.0.0.2", 8888, "10.0.0.1", 40000, TcpFlags.Rst | TcpFlags.Ack);

    [Fact]
    public void The_first_matching_rule_decides()
    {
        // Proves rules are tried in order and the first final target wins, even when a later rule also matches.
        var firewall = Firewall("-A INPUT -s 10.0.0.2 -j ACCEPT", "-A INPUT -s 10.0.0.0/8 -j DROP");

        var verdict = firewall.Filter(s_pureAck, Input);

        Assert.Equal(FilterAction.Accept, verdict.Action);
        Assert.Equal("INPUT rule 1: -s 10.0.0.2/32 -j ACCEPT", verdict.Rule);
        Assert.Equal([1L, 0L], firewall.Snapshot()[FirewallChain.Input].Rules.Select(r => r.Counters.Packets));
    }

    [Fact]
    public void Rules_without_a_target_count_and_let_the_packet_go_on()
    {
        // Proves a rule with no -j counts the packet and evaluation continues to the next rule.
        var firewall = Firewall("-A INPUT -p tcp", "-A INPUT -p tcp --dport 40000 -j DROP");

        Assert.Equal(FilterAction.Drop, firewall.Filter(s_pureAck, Input).Action);
        Assert.Equal([1L, 1L], firewall.Snapshot()[FirewallChain.Input].Rules.Select(r => r.Counters.Packets));
    }

    [Fact]
    public void Return_in_a_built_in_chain_applies_the_policy()
    {
        // Proves RETURN skips the rest of the chain and the chain policy decides (and is counted).
        var firewall = Firewall("-P INPUT DROP", "-A INPUT -s 10.0.0.2 -j RETURN", "-A INPUT -j ACCEPT");

        var verdict = firewall.Filter(s_pureAck, Input);

        Assert.Equal(FilterAction.Drop, verdict.Action);
        Assert.Equal("INPUT policy DROP", verdict.Rule);
        var input = firewall.Snapshot()[FirewallChain.Input];
        Assert.Equal(new RuleCounters(1, 40), input.PolicyCounters);
        Assert.Equal(0, input.Rules[1].Counters.Packets);
    }

    [Fact]
    public void The_chains_apply_at_their_hook_points_only()
    {
        // Proves INPUT, OUTPUT and FORWARD filter their own hooks, and PREROUTING/POSTROUTING have no filter table.
        var firewall = Firewall("-A INPUT -j DROP", "-A OUTPUT -j REJECT", "-P FORWARD DROP");

        Assert.Equal(FilterAction.Drop, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Reject, firewall.Filter(s_syn, TestPackets.Context(HookPoint.Output)).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_syn, TestPackets.Context(HookPoint.Forward, "eth0", "eth1")).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, TestPackets.Context(HookPoint.PreRouting, "eth0")).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, TestPackets.Context(HookPoint.PostRouting, null, "eth0")).Action);
    }

    [Fact]
    public void Flag_masks_compare_only_the_flags_in_the_mask()
    {
        // Proves --tcp-flags SYN,ACK,FIN,RST ACK matches pure ACKs (PSH and data allowed) but not SYN-ACK, FIN-ACK or RST-ACK.
        var firewall = Firewall("-A INPUT -p tcp --tcp-flags SYN,ACK,FIN,RST ACK -j DROP");

        Assert.Equal(FilterAction.Drop, firewall.Filter(s_pureAck, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_pshAck, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_synAck, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_finAck, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_rstAck, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, Input).Action);
    }

    [Fact]
    public void The_seed_ack_rule_drops_every_segment_that_carries_an_ack()
    {
        // Proves seed 002's --tcp-flag ACK ACK drops everything after the SYN (SYN-ACK, data, FIN, RST with ACK), not the SYN.
        var firewall = Firewall("iptables -I INPUT -s 10.0.0.2 -p tcp  --tcp-flag  ACK   ACK  -j DROP");

        Assert.All([s_pureAck, s_synAck, s_finAck, s_pshAck, s_rstAck], s => Assert.Equal(FilterAction.Drop, firewall.Filter(s, Input).Action));
        Assert.Equal(FilterAction.Accept, firewall.Filter(TestPackets.Tcp("10.0.0.2", 1, "10.0.0.1", 2, TcpFlags.Syn, 60), Input).Action);
    }

    [Fact]
    public void Syn_is_the_flag_mask_syn_rst_ack_fin_equal_to_syn()
    {
        // Proves --syn matches exactly the segments --tcp-flags SYN,RST,ACK,FIN SYN does, over every flag combination.
        var syn = Firewall("-A INPUT -p tcp --syn -j DROP");
        var spelledOut = Firewall("-A INPUT -p tcp --tcp-flags SYN,RST,ACK,FIN SYN -j DROP");

        for (int bits = 0; bits < 256; bits++)
        {
            var segment = TestPackets.Tcp("10.0.0.2", 1, "10.0.0.1", 2, (TcpFlags)bits);
            bool expected = ((TcpFlags)bits & (TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Ack | TcpFlags.Fin)) == TcpFlags.Syn;
            Assert.Equal(expected, syn.Filter(segment, Input).Action == FilterAction.Drop);
            Assert.Equal(expected, spelledOut.Filter(segment, Input).Action == FilterAction.Drop);
        }
    }

    [Theory]
    [InlineData("-A INPUT ! -s 10.0.0.2 -j DROP", false)]
    [InlineData("-A INPUT ! -s 10.9.0.0/16 -j DROP", true)]
    [InlineData("-A INPUT ! -d 10.0.0.1 -j DROP", false)]
    [InlineData("-A INPUT -p tcp ! --sport 8888 -j DROP", false)]
    [InlineData("-A INPUT -p tcp ! --sport 8000:8887 -j DROP", true)]
    [InlineData("-A INPUT -p tcp ! --dport 1:39999 -j DROP", true)]
    [InlineData("-A INPUT ! -p tcp -j DROP", false)]
    [InlineData("-A INPUT ! -p icmp -j DROP", true)]
    [InlineData("-A INPUT -p tcp ! --syn -j DROP", true)]
    [InlineData("-A INPUT -p tcp ! --tcp-flags ACK ACK -j DROP", false)]
    [InlineData("-A INPUT ! -i eth0 -j DROP", false)]
    [InlineData("-A INPUT ! -i eth1 -j DROP", true)]
    [InlineData("-A INPUT -i eth+ -j DROP", true)]
    [InlineData("-A INPUT -i lo -j DROP", false)]
    public void Negation_inverts_each_match_on_its_own(string rule, bool drops)
    {
        // Proves '!' applies to the one match it precedes, for addresses, ports, protocols, flags and interfaces.
        var firewall = Firewall(rule);

        Assert.Equal(drops, firewall.Filter(s_pureAck, Input).Action == FilterAction.Drop);
    }

    [Fact]
    public void Protocol_matches_tell_tcp_from_icmp()
    {
        // Proves -p icmp matches ICMP errors and -p tcp matches segments, and -p all both.
        var icmp = new IcmpPacket { Source = IPv4Address.Parse("10.0.0.3"), Destination = IPv4Address.Parse("10.0.0.1"), Code = IcmpUnreachableCode.PortUnreachable, Quoted = s_syn };
        var firewall = Firewall("-A INPUT -p icmp -j DROP");

        Assert.Equal(FilterAction.Drop, firewall.Filter(icmp, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, Firewall("-A INPUT -j DROP").Filter(icmp, Input).Action);
    }

    [Fact]
    public void Reject_reports_the_answer_to_send()
    {
        // Proves REJECT verdicts carry --reject-with (default icmp-port-unreachable) for the host to answer with.
        Assert.Equal(new FilterVerdict(FilterAction.Reject, RejectWith.TcpReset, "INPUT rule 1: -p tcp -j REJECT --reject-with tcp-reset"),
            Firewall("-A INPUT -p tcp -j REJECT --reject-with tcp-reset").Filter(s_syn, Input));
        Assert.Equal(RejectWith.IcmpPortUnreachable, Firewall("-A INPUT -j REJECT").Filter(s_syn, Input).RejectWith);
    }

    [Fact]
    public void Counters_count_ip_bytes_and_survive_renumbering()
    {
        // Proves byte counters add the IP length, rules keep counters when rules are inserted above, -Z zeroes them.
        var firewall = Firewall("-A INPUT -p tcp --dport 40000");
        firewall.Filter(s_pureAck, Input);
        firewall.Filter(s_pshAck, Input);
        firewall.Apply(IptablesParser.Parse("-I INPUT -s 192.0.2.1 -j DROP"));

        var rules = firewall.Snapshot()[FirewallChain.Input].Rules;
        Assert.Equal(new RuleCounters(2, 40 + 140), rules[1].Counters);
        Assert.Equal(2, rules[1].Number);

        firewall.Apply(IptablesParser.Parse("-Z INPUT"));
        Assert.Equal(new RuleCounters(0, 0), firewall.Snapshot()[FirewallChain.Input].Rules[1].Counters);
    }

    [Fact]
    public void Delete_by_specification_removes_the_first_equal_rule_and_reports_a_missing_one()
    {
        // Proves -D spec (seed 000's delete line) removes the rule its -A added, and fails like iptables when none is left.
        var firewall = Firewall("sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP");

        Assert.True(firewall.Apply(IptablesParser.Parse("sudo iptables -D INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP")).Succeeded);
        Assert.Equal(0, firewall.RuleCount);
        Assert.Equal(CommandResult.Failure("iptables: Bad rule (does a matching rule exist in that chain?)."),
            firewall.Apply(IptablesParser.Parse("-D INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP")));
    }

    [Theory]
    [InlineData("-D INPUT 3", "iptables: Index of deletion too big.")]
    [InlineData("-I INPUT 4 -j DROP", "iptables: Index of insertion too big.")]
    [InlineData("-R INPUT 3 -j DROP", "iptables: Index of replacement too big.")]
    [InlineData("-C INPUT -s 7.7.7.7 -j DROP", "iptables: Bad rule (does a matching rule exist in that chain?).")]
    public void Impossible_changes_fail_with_iptables_messages(string line, string message)
    {
        // Proves the run-time failures read as iptables prints them.
        var firewall = Firewall("-A INPUT -j ACCEPT", "-A INPUT -j DROP");

        Assert.Equal(CommandResult.Failure(message), firewall.Apply(IptablesParser.Parse(line)));
    }

    [Fact]
    public void Insert_replace_and_delete_by_number_edit_the_chain_in_place()
    {
        // Proves -I N, -R N and -D N act on 1-based positions, and -F empties the chain.
        var firewall = Firewall("-A INPUT -s 1.1.1.1 -j DROP", "-A INPUT -s 3.3.3.3 -j DROP");
        firewall.Apply(IptablesParser.Parse("-I INPUT 2 -s 2.2.2.2 -j DROP"));
        firewall.Apply(IptablesParser.Parse("-R INPUT 1 -s 4.4.4.4 -j DROP"));
        firewall.Apply(IptablesParser.Parse("-D INPUT 3"));

        Assert.Equal("-P INPUT ACCEPT\n-A INPUT -s 4.4.4.4/32 -j DROP\n-A INPUT -s 2.2.2.2/32 -j DROP\n", firewall.Apply(IptablesParser.Parse("-S INPUT")).Text);
        firewall.Apply(IptablesParser.Parse("-F"));
        Assert.Equal(0, firewall.RuleCount);
    }

    [Fact]
    public void Random_statistic_matches_about_its_probability_and_replays_per_seed()
    {
        // Proves --mode random drops close to P of 20,000 packets, and the same seed drops exactly the same packets.
        var first = DropPattern(Firewall(seed: 42, "-A INPUT -m statistic --mode random --probability 0.3 -j DROP"), 20_000);
        var again = DropPattern(Firewall(seed: 42, "-A INPUT -m statistic --mode random --probability 0.3 -j DROP"), 20_000);
        var other = DropPattern(Firewall(seed: 43, "-A INPUT -m statistic --mode random --probability 0.3 -j DROP"), 20_000);

        double rate = first.Count(d => d) / 20_000.0;
        Assert.InRange(rate, 0.3 - 0.015, 0.3 + 0.015);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 1000)]
    public void Random_statistic_at_the_ends_never_or_always_matches(double probability, int drops)
    {
        // Proves probability 0 never matches and 1 always matches (the threshold is 0 or 2^31).
        var firewall = Firewall(seed: 1, $"-A INPUT -m statistic --mode random --probability {probability.ToString(System.Globalization.CultureInfo.InvariantCulture)} -j DROP");

        Assert.Equal(drops, DropPattern(firewall, 1000).Count(d => d));
    }

    [Fact]
    public void Nth_statistic_matches_packet_p_then_every_nth()
    {
        // Proves --every 3 --packet 1 matches packets 1, 4, 7… counting from 0, and the inverted form the others.
        var pattern = DropPattern(Firewall("-A INPUT -m statistic --mode nth --every 3 --packet 1 -j DROP"), 9);
        var inverted = DropPattern(Firewall("-A INPUT -m statistic --mode nth ! --every 3 --packet 1 -j DROP"), 9);
        var first = DropPattern(Firewall("-A INPUT -m statistic --mode nth --every 4 -j DROP"), 9);

        Assert.Equal([false, true, false, false, true, false, false, true, false], pattern);
        Assert.Equal(pattern.Select(d => !d), inverted);
        Assert.Equal([true, false, false, false, true, false, false, false, true], first);
    }

    [Fact]
    public void Nth_counter_advances_only_for_packets_that_reach_the_match()
    {
        // Proves a preceding tcp match keeps non-matching packets from advancing the counter, as matches run in order.
        var firewall = Firewall("-A INPUT -p tcp --syn -m statistic --mode nth --every 2 -j DROP");
        var drops = new List<bool>();
        foreach (var segment in new[] { s_syn, s_pureAck, s_syn, s_pureAck, s_syn })
        {
            drops.Add(firewall.Filter(segment, Input).Action == FilterAction.Drop);
        }

        Assert.Equal([true, false, false, false, true], drops);
    }

    [Fact]
    public void Drops_and_rejects_are_published_with_the_rule_that_decided()
    {
        // Proves PacketFiltered and Network's PacketDropped(FilterRule) are published for drops, and nothing for policy accepts.
        var events = new EventStream();
        var filtered = new List<PacketFiltered>();
        var dropped = new List<PacketDropped>();
        events.Subscribe<PacketFiltered>(filtered.Add);
        events.Subscribe<PacketDropped>(dropped.Add);
        var firewall = new HostFirewall("server", new RandomStream(1), events);
        firewall.Apply(IptablesParser.Parse("-A INPUT -p tcp -s 10.0.0.2 --sport 8888 -j DROP"));

        firewall.Filter(s_pureAck, TestPackets.Context(HookPoint.Input, "eth0", host: "server", nanoseconds: 2_000_000_000));
        firewall.Filter(s_syn, TestPackets.Context(HookPoint.Input, "eth0", host: "server"));

        var verdict = Assert.Single(filtered);
        Assert.Equal(new PacketFiltered(SimTime.FromSeconds(2), "server", HookPoint.Input, FirewallChain.Input, 1,
            "-s 10.0.0.2/32 -p tcp -m tcp --sport 8888 -j DROP", FilterAction.Drop, null, s_pureAck), verdict);
        Assert.Equal(new PacketDropped(SimTime.FromSeconds(2), "server", DropReason.FilterRule,
            "INPUT rule 1: -s 10.0.0.2/32 -p tcp -m tcp --sport 8888 -j DROP", s_pureAck), Assert.Single(dropped));
    }

    private static HookContext Input => TestPackets.Context(HookPoint.Input, "eth0");

    private static HostFirewall Firewall(params string[] lines) => Firewall(1, lines);

    private static HostFirewall Firewall(ulong seed, params string[] lines)
    {
        var firewall = new HostFirewall("host", new RandomStream(seed), events: null);
        foreach (string line in lines)
        {
            Assert.True(firewall.Apply(IptablesParser.Parse(line)).Succeeded, line);
        }

        return firewall;
    }

    private static List<bool> DropPattern(HostFirewall firewall, int packets)
    {
        var drops = new List<bool>(packets);
        for (int i = 0; i < packets; i++)
        {
            drops.Add(firewall.Filter(s_pureAck, Input).Action == FilterAction.Drop);
        }

        return drops;
    }
}
