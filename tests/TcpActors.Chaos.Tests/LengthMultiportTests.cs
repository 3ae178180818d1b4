using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary><c>-m length</c> and <c>-m multiport</c>: parsing, <c>-S</c> and <c>-L</c> forms, matching, inversion and iptables-worded errors.</summary>
public sealed class LengthMultiportTests
{
    private static readonly Segment s_syn = TestPackets.Tcp("10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.Syn, 60);
    private static readonly Segment s_ack = TestPackets.Tcp("10.0.0.2", 443, "10.0.0.1", 40000, TcpFlags.Ack);
    private static readonly Segment s_data = TestPackets.Tcp("10.0.0.2", 8080, "10.0.0.1", 40000, TcpFlags.Psh | TcpFlags.Ack, 1500);

    [Theory]
    [InlineData("-A INPUT -m length --length 53:65535 -j DROP", "-m length --length 53:65535 -j DROP")]
    [InlineData("-A INPUT -m length --length 53: -j DROP", "-m length --length 53:65535 -j DROP")]
    [InlineData("-A INPUT -m length --length :100 -j DROP", "-m length --length 0:100 -j DROP")]
    [InlineData("-A INPUT -m length --length 40 -j DROP", "-m length --length 40 -j DROP")]
    [InlineData("-A INPUT -m length --length 40:40 -j DROP", "-m length --length 40 -j DROP")]
    [InlineData("-A INPUT -m length ! --length 40:60 -j DROP", "-m length ! --length 40:60 -j DROP")]
    [InlineData("-A INPUT -m length --len 60 -j DROP", "-m length --length 60 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j DROP", "-p tcp -m multiport --dports 80,443,8000:8080 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --destination-ports http,https -j DROP", "-p tcp -m multiport --dports 80,443 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --sports 1,2:3 -j DROP", "-p tcp -m multiport --sports 1,2:3 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --source-ports 22 -j DROP", "-p tcp -m multiport --sports 22 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --ports 22,80 -j DROP", "-p tcp -m multiport --ports 22,80 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport ! --dports 22,80 -j DROP", "-p tcp -m multiport ! --dports 22,80 -j DROP")]
    [InlineData("-A INPUT -p udp -m multiport --dports 53 -j DROP", "-p udp -m multiport --dports 53 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -j DROP", "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -j DROP")]
    [InlineData("-A INPUT -p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13 -j DROP", "-p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13 -j DROP")]
    [InlineData("-A INPUT -s 10.0.1.2 -p tcp --syn -m multiport --dports 80 -m length --length 60 -j DROP", "-s 10.0.1.2/32 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 80 -m length --length 60 -j DROP")]
    public void Rules_parse_to_their_canonical_iptables_S_form(string line, string saved)
    {
        // Proves both matches print as iptables -S does, with ranges filled and service names numbered.
        var command = Assert.IsType<IptablesCommand.Append>(IptablesParser.Parse(line));

        Assert.Equal(saved, command.Rule.ToString());
        var again = Assert.IsType<IptablesCommand.Append>(IptablesParser.Parse("-A INPUT " + saved));
        Assert.Equal(saved, again.Rule.ToString());
    }

    [Fact]
    public void Listings_print_the_matches_as_iptables_does()
    {
        // Proves -S round-trips the rules and -L prints "length 53:65535" and "multiport dports http,https" (numbers with -n).
        var firewall = Firewall(
            "-A INPUT -m length ! --length 53:65535 -j DROP",
            "-A INPUT -p tcp -m multiport --dports 80,443:500 -j DROP");

        Assert.Equal(
            "-P INPUT ACCEPT\n-A INPUT -m length ! --length 53:65535 -j DROP\n-A INPUT -p tcp -m multiport --dports 80,443:500 -j DROP\n",
            firewall.Apply(IptablesParser.Parse("-S INPUT")).Text);
        string listing = firewall.Apply(IptablesParser.Parse("-L INPUT")).Text;
        Assert.Contains("length !53:65535", listing, StringComparison.Ordinal);
        Assert.Contains("multiport dports http,https:500", listing, StringComparison.Ordinal);
        string numeric = firewall.Apply(IptablesParser.Parse("-L INPUT -n")).Text;
        Assert.Contains("multiport dports 80,443:500", numeric, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_compares_the_IP_total_length()
    {
        // Proves the range is inclusive and covers the IP header (a bare ACK is 40 bytes, this SYN 60).
        var firewall = Firewall("-A INPUT -m length --length 41:1500 -j DROP");

        Assert.Equal(FilterAction.Accept, firewall.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_data, Input).Action);
    }

    [Fact]
    public void An_inverted_length_matches_outside_the_range()
    {
        // Proves ! --length 60 drops everything but the 60-byte SYN.
        var firewall = Firewall("-A INPUT -m length ! --length 60 -j DROP");

        Assert.Equal(FilterAction.Drop, firewall.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, Input).Action);
    }

    [Fact]
    public void Multiport_matches_any_listed_port_or_range()
    {
        // Proves --dports takes single ports and ranges, --sports looks only at the source, --ports at either.
        var destinations = Firewall("-A INPUT -p tcp -m multiport --dports 22,80 -j DROP");
        var sources = Firewall("-A INPUT -p tcp -m multiport --sports 443,8000:8080 -j DROP");
        var either = Firewall("-A INPUT -p tcp -m multiport --ports 80,8080 -j DROP");

        Assert.Equal(FilterAction.Drop, destinations.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Accept, destinations.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Accept, sources.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, sources.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Drop, sources.Filter(s_data, Input).Action);
        Assert.Equal(FilterAction.Drop, either.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, either.Filter(s_data, Input).Action);
        Assert.Equal(FilterAction.Accept, either.Filter(s_ack, Input).Action);
    }

    [Fact]
    public void An_inverted_multiport_matches_ports_outside_the_list()
    {
        // Proves ! --dports 80 drops what is not going to port 80, and that only TCP reaches the match.
        var firewall = Firewall("-A INPUT -p tcp -m multiport ! --dports 80 -j DROP");

        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_ack, Input).Action);
        Assert.Equal([1L], firewall.Snapshot()[FirewallChain.Input].Rules.Select(r => r.Counters.Packets));
    }

    [Fact]
    public void A_statistic_match_counts_only_packets_the_earlier_matches_pass()
    {
        // Proves command-line order: with -m length before -m statistic nth, short packets do not advance the counter.
        var firewall = Firewall("-A INPUT -m length --length 60 -m statistic --mode nth --every 2 -j DROP");

        Assert.Equal(FilterAction.Accept, firewall.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_ack, Input).Action);
        Assert.Equal(FilterAction.Accept, firewall.Filter(s_syn, Input).Action);
        Assert.Equal(FilterAction.Drop, firewall.Filter(s_syn, Input).Action);
    }

    [Theory]
    [InlineData("iptables -A INPUT -m length -j DROP", "length: option \"--length\" must be specified", 3, 19)]
    [InlineData("iptables -A INPUT -m length --length abc -j DROP", "length: bad value for option \"--length\" near \"abc\", or out of range (0-65535).", 6, 38)]
    [InlineData("iptables -A INPUT -m length --length 70000 -j DROP", "length: bad value for option \"--length\" near \"70000\", or out of range (0-65535).", 6, 38)]
    [InlineData("iptables -A INPUT -m length --length 1:2:3 -j DROP", "length: Argument to \"--length\" has unexpected characters near \":3\".", 6, 38)]
    [InlineData("iptables -A INPUT -m length --length : -j DROP", "length: bad value for option \"--length\" near \"\", or out of range (0-65535).", 6, 38)]
    [InlineData("iptables -A INPUT -m length --length 1 --length 2 -j DROP", "length: option \"--length\" can only be used once.", 7, 40)]
    [InlineData("iptables -A INPUT --length 60 -j DROP", "unknown option \"--length\" (--length needs -m length before it)", 3, 19)]
    [InlineData("iptables -A INPUT -m multiport --dports 80 -j DROP", "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'", 5, 32)]
    [InlineData("iptables -A INPUT -m multiport --dports 80 -p tcp -j DROP", "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'", 5, 32)]
    [InlineData("iptables -A INPUT -p icmp -m multiport --dports 80 -j DROP", "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP", 7, 40)]
    [InlineData("iptables -A INPUT ! -p tcp -m multiport --dports 80 -j DROP", "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP", 8, 41)]
    [InlineData("iptables -A INPUT -p tcp -m multiport -j DROP", "multiport expection an option (expected --sports, --dports or --ports)", 5, 26)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 80 --sports 81 -j DROP", "multiport can only have one option", 9, 51)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j DROP", "too many ports specified (expected at most 15, a range counting as two)", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16 -j DROP", "too many ports specified (expected at most 15, a range counting as two)", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 80,foo -j DROP", "invalid port/service `foo' specified", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 80, -j DROP", "invalid port/service `' specified", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 90:80 -j DROP", "invalid portrange specified", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp -m multiport --dports 80: -j DROP", "invalid port/service `' specified", 8, 48)]
    [InlineData("iptables -A INPUT -p tcp --ports 80 -j DROP", "unknown option \"--ports\" (--ports needs -m multiport before it)", 5, 26)]
    public void Errors_say_what_is_wrong_where_and_what_was_expected(string line, string message, int wordIndex, int column)
    {
        // Proves libxt_length's and libxt_multiport's wording, at the offending word.
        var error = Assert.Throws<ChaosParseException>(() => IptablesParser.Parse(line));

        Assert.Equal(message, error.Message);
        Assert.Equal((wordIndex, column), (error.WordIndex, error.Column));
    }

    private static HookContext Input => TestPackets.Context(HookPoint.Input, "eth0");

    private static HostFirewall Firewall(params string[] lines)
    {
        var firewall = new HostFirewall("host", new RandomStream(1), events: null);
        foreach (string line in lines)
        {
            firewall.Apply(IptablesParser.Parse(line));
        }

        return firewall;
    }
}
