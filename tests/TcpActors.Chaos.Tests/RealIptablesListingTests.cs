using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary>
/// The seed rules and some traffic, replayed through a simulated firewall, must leave the same counters
/// and print the same listings, byte for byte, as iptables did on a real machine (see RealLinux/README.md).
/// </summary>
public sealed class RealIptablesListingTests
{
    /// <summary>The rules as they were typed on the real machine (seed lines 000 and 002 among them).</summary>
    public static readonly string[] Rules =
    [
        "sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP",
        "iptables -I INPUT -s 192.168.12.37 -p tcp  --tcp-flag  ACK   ACK  -j DROP",
        "iptables -A INPUT -s 192.168.12.36  -j DROP",
        "iptables -A INPUT -p tcp --syn -j ACCEPT",
        "iptables -A INPUT -p tcp --tcp-flags SYN,ACK,FIN,RST ACK",
        "iptables -A INPUT -p tcp --dport 9999 -j REJECT --reject-with tcp-reset",
        "iptables -A OUTPUT -p tcp --dport 60000 -m statistic --mode nth --every 2 --packet 0",
        "iptables -A OUTPUT -d 10.0.0.0/8 -j DROP",
        "iptables -A OUTPUT -p tcp ! --dport 7 -j ACCEPT",
    ];

    /// <summary>What tcpdump -i lo saw on the real machine: IP length, source, destination, flags.</summary>
    public static readonly (int Length, string From, string To, string Flags)[] LoopbackTraffic =
    [
        (60, "127.0.0.1.60263", "127.0.0.1.7", "S"),
        (40, "127.0.0.1.7", "127.0.0.1.60263", "R."),
        (60, "127.0.0.1.40037", "127.0.0.1.7", "S"),
        (40, "127.0.0.1.7", "127.0.0.1.40037", "R."),
        (60, "127.0.0.1.52597", "127.0.0.1.7", "S"),
        (40, "127.0.0.1.7", "127.0.0.1.52597", "R."),
        (60, "192.168.12.36.53415", "127.0.0.1.7", "S"),
        (60, "127.0.0.1.57911", "127.0.0.1.60000", "S"),
        (60, "127.0.0.1.60000", "127.0.0.1.57911", "S."),
        (60, "192.168.12.37.41913", "127.0.0.1.8888", "S"),
        (60, "127.0.0.1.8888", "192.168.12.37.41913", "S."),
        (52, "192.168.12.37.41913", "127.0.0.1.8888", "."),
        (52, "192.168.12.37.41913", "127.0.0.1.8888", "R."),
    ];

    [Theory]
    [InlineData("iptables -L -v", "iptables-L-v.txt")]
    [InlineData("iptables -L -v -n", "iptables-L-v-n.txt")]
    [InlineData("iptables -L", "iptables-L.txt")]
    [InlineData("iptables -L -n -v -x --line-numbers", "iptables-L-n-v-x-line-numbers.txt")]
    [InlineData("iptables -nvxL --line-numbers", "iptables-L-n-v-x-line-numbers.txt")]
    [InlineData("iptables -S", "iptables-S.txt")]
    public void Listing_after_the_real_traffic_equals_what_iptables_printed(string listCommand, string expectedFile)
    {
        // Proves counters, column layout, names and numbers all match real iptables 1.8.9 output.
        var firewall = FirewallWithRealTraffic();

        var result = firewall.Apply(IptablesParser.Parse(listCommand));

        Assert.True(result.Succeeded);
        Assert.Equal(File.ReadAllText(RealFile(expectedFile)), result.Text);
    }

    [Theory]
    [InlineData("iptables -L -v", "counters-iptables-L-v.txt")]
    [InlineData("iptables -L -v -n", "counters-iptables-L-v-n.txt")]
    [InlineData("iptables -L -n --line-numbers", "counters-iptables-L-n-line-numbers.txt")]
    [InlineData("iptables -L -v -x -n", "counters-iptables-L-v-x-n.txt")]
    [InlineData("iptables -S", "counters-iptables-S.txt")]
    public void Listing_of_many_kinds_of_rules_and_large_counters_equals_what_iptables_printed(string listCommand, string expectedFile)
    {
        // Proves K/M/G/T counter units, negations in every column, service names, comments, REJECT kinds and statistic forms.
        var firewall = new HostFirewall("host", new RandomStream(1), events: null);
        foreach (string rule in File.ReadAllLines(RealFile("rules-with-counters.txt")))
        {
            Assert.True(firewall.Apply(IptablesParser.Parse(rule)).Succeeded, rule);
        }

        Assert.Equal(File.ReadAllText(RealFile(expectedFile)), firewall.Apply(IptablesParser.Parse(listCommand)).Text);
    }

    [Fact]
    public void Counters_after_the_real_traffic_equal_the_real_counters()
    {
        // Proves per-rule and policy packet and byte counting, including rules without a target and the nth counter.
        var snapshot = FirewallWithRealTraffic().Snapshot();

        Assert.Equal(
            [new(2, 104), new(1, 60), new(1, 60), new(5, 300), new(0, 0), new(0, 0)],
            snapshot[FirewallChain.Input].Rules.Select(r => r.Counters));
        Assert.Equal(new RuleCounters(4, 180), snapshot[FirewallChain.Input].PolicyCounters);
        Assert.Equal([new(1, 60), new(0, 0), new(9, 464)], snapshot[FirewallChain.Output].Rules.Select(r => r.Counters));
        Assert.Equal(new RuleCounters(4, 240), snapshot[FirewallChain.Output].PolicyCounters);
    }

    private static string RealFile(string name) => Path.Combine(AppContext.BaseDirectory, "RealLinux", name);

    /// <summary>Every loopback packet passes OUTPUT and, if accepted there, INPUT, as on lo.</summary>
    internal static HostFirewall FirewallWithRealTraffic()
    {
        var firewall = new HostFirewall("host", new RandomStream(1), events: null);
        foreach (string rule in Rules)
        {
            Assert.True(firewall.Apply(IptablesParser.Parse(rule)).Succeeded, rule);
        }

        foreach (var (length, from, to, flags) in LoopbackTraffic)
        {
            var segment = TestPackets.FromTcpdump(length, from, to, flags);
            if (firewall.Filter(segment, TestPackets.Context(HookPoint.Output, outInterface: "lo")).Action == FilterAction.Accept)
            {
                firewall.Filter(segment, TestPackets.Context(HookPoint.Input, inInterface: "lo"));
            }
        }

        return firewall;
    }
}
