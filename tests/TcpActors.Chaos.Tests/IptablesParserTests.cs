using TcpActors.Network;

namespace TcpActors.Chaos.Tests;

/// <summary>The iptables parser: every supported option, the seeds' exact lines, and iptables-worded errors with positions.</summary>
public sealed class IptablesParserTests
{
    [Theory]
    [InlineData("sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP", "-s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP")]
    [InlineData("sudo iptables -D INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP", "-s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP")]
    [InlineData("iptables -A INPUT -s 192.168.12.36  -j DROP", "-s 192.168.12.36/32 -j DROP")]
    [InlineData("iptables -I INPUT -s 192.168.12.36  -j DROP", "-s 192.168.12.36/32 -j DROP")]
    [InlineData("iptables -I INPUT -s 192.168.12.37 -p tcp  --tcp-flag  ACK   ACK  -j DROP", "-s 192.168.12.37/32 -p tcp -m tcp --tcp-flags ACK ACK -j DROP")]
    [InlineData("-A INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP", "-s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP")]
    public void The_seed_lines_parse_to_the_rules_iptables_saves(string line, string saved)
    {
        // Proves the lines in the seed posts (sudo, doubled spaces, the --tcp-flag abbreviation, no leading word) are understood.
        var command = IptablesParser.Parse(line);

        var rule = command switch
        {
            IptablesCommand.Append append => append.Rule,
            IptablesCommand.Insert insert => insert.Rule,
            IptablesCommand.Delete delete => delete.Rule,
            _ => throw new InvalidOperationException(command.ToString()),
        };
        Assert.Equal(saved, rule.ToString());
    }

    [Theory]
    [InlineData("-A INPUT -s 10.1.2.3/24 -j DROP", "-s 10.1.2.0/24 -j DROP")]
    [InlineData("-A INPUT -s 10.1.2.3/255.255.0.0 -j DROP", "-s 10.1.0.0/16 -j DROP")]
    [InlineData("-A INPUT ! -s 10.0.0.0/8 -j DROP", "! -s 10.0.0.0/8 -j DROP")]
    [InlineData("-A INPUT -d 0/0 -j DROP", "-d 0.0.0.0/0 -j DROP")]
    [InlineData("-A INPUT -s localhost -j DROP", "-s 127.0.0.1/32 -j DROP")]
    [InlineData("-A OUTPUT ! -d 10.1.2.3 -p tcp ! --dport 80 -j REJECT", "! -d 10.1.2.3/32 -p tcp -m tcp ! --dport 80 -j REJECT --reject-with icmp-port-unreachable")]
    [InlineData("-A INPUT -p tcp --sport 1000:2000 --dport :100 -j DROP", "-p tcp -m tcp --sport 1000:2000 --dport 0:100 -j DROP")]
    [InlineData("-A INPUT -p tcp --dport 100: -j DROP", "-p tcp -m tcp --dport 100:65535 -j DROP")]
    [InlineData("-A INPUT -p tcp --dport 5:5 -j DROP", "-p tcp -m tcp --dport 5 -j DROP")]
    [InlineData("-A INPUT -p tcp --sport 0:65535 -j DROP", "-p tcp -m tcp -j DROP")]
    [InlineData("-A INPUT -p tcp --dport http -j DROP", "-p tcp -m tcp --dport 80 -j DROP")]
    [InlineData("-A INPUT -p tcp --dport www -j DROP", "-p tcp -m tcp --dport 80 -j DROP")]
    [InlineData("-A INPUT -p TCP --dport 81 -j DROP", "-p tcp -m tcp --dport 81 -j DROP")]
    [InlineData("-A INPUT -p 6 --dport 81 -j DROP", "-p tcp -m tcp --dport 81 -j DROP")]
    [InlineData("-A INPUT -p all -j DROP", "-j DROP")]
    [InlineData("-A INPUT ! -p tcp -j DROP", "! -p tcp -j DROP")]
    [InlineData("-A INPUT -p icmp -j DROP", "-p icmp -j DROP")]
    [InlineData("-A INPUT -p tcp --syn -j ACCEPT", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT")]
    [InlineData("-A INPUT -p tcp ! --syn -j DROP", "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP")]
    [InlineData("-A INPUT -p tcp --tcp-flags syn,ack SYN -j DROP", "-p tcp -m tcp --tcp-flags SYN,ACK SYN -j DROP")]
    [InlineData("-A INPUT -p tcp --tcp-flags ALL NONE -j DROP", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP")]
    [InlineData("-A INPUT -p tcp ! --tcp-flags SYN SYN -j DROP", "-p tcp -m tcp ! --tcp-flags SYN SYN -j DROP")]
    [InlineData("-A INPUT -p tcp -m tcp -j DROP", "-p tcp -m tcp -j DROP")]
    [InlineData("-A INPUT -m statistic --mode random --probability 0.25 -j DROP", "-m statistic --mode random --probability 0.25000000000 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode random ! --probability 0.5 -j DROP", "-m statistic --mode random ! --probability 0.50000000000 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode random --probability 0.000001 -j DROP", "-m statistic --mode random --probability 0.00000099977 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode nth --every 3 --packet 1 -j DROP", "-m statistic --mode nth --every 3 --packet 1 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode nth --every 10 -j DROP", "-m statistic --mode nth --every 10 --packet 0 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode nth ! --every 3 --packet 1 -j DROP", "-m statistic --mode nth ! --every 3 --packet 1 -j DROP")]
    [InlineData("-A INPUT -p tcp --syn -m statistic --mode random --probability 0.5 -j DROP", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m statistic --mode random --probability 0.50000000000 -j DROP")]
    [InlineData("-A INPUT -m statistic --mode random --probability 0.5 -p tcp --syn -j DROP", "-p tcp -m statistic --mode random --probability 0.50000000000 -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP")]
    [InlineData("-A INPUT -i eth0 -j DROP", "-i eth0 -j DROP")]
    [InlineData("-A INPUT ! -i eth0 -j DROP", "! -i eth0 -j DROP")]
    [InlineData("-A FORWARD -i veth+ -o eth1 -j RETURN", "-i veth+ -o eth1 -j RETURN")]
    [InlineData("-A INPUT -m comment --comment 'hello world' -j DROP", "-m comment --comment \"hello world\" -j DROP")]
    [InlineData("-A INPUT -m comment --comment partition -j DROP", "-m comment --comment partition -j DROP")]
    [InlineData("-A INPUT -j REJECT", "-j REJECT --reject-with icmp-port-unreachable")]
    [InlineData("-A INPUT -p tcp -j REJECT --reject-with tcp-reset", "-p tcp -j REJECT --reject-with tcp-reset")]
    [InlineData("-A INPUT -p tcp -j REJECT --reject-with tcp-rst", "-p tcp -j REJECT --reject-with tcp-reset")]
    [InlineData("-A INPUT -j REJECT --reject-with icmp-h", "-j REJECT --reject-with icmp-host-unreachable")]
    [InlineData("-A INPUT -j REJECT --reject-with ICMP-NET-PROHIBITED", "-j REJECT --reject-with icmp-net-prohibited")]
    [InlineData("-A INPUT -j REJECT --rej admin-prohib", "-j REJECT --reject-with icmp-admin-prohibited")]
    [InlineData("-A INPUT -j REJECT --reject-with icmp-proto-unreachable", "-j REJECT --reject-with icmp-proto-unreachable")]
    [InlineData("-A INPUT -j REJECT --reject-with net-unreach", "-j REJECT --reject-with icmp-net-unreachable")]
    [InlineData("-A INPUT -j REJECT --reject-with icmp-host-prohibited", "-j REJECT --reject-with icmp-host-prohibited")]
    [InlineData("-A INPUT", "")]
    [InlineData("-A INPUT -j RETURN", "-j RETURN")]
    [InlineData("-AINPUT -j ACCEPT", "-j ACCEPT")]
    [InlineData("--append INPUT --source 1.2.3.4 --jump DROP", "-s 1.2.3.4/32 -j DROP")]
    [InlineData("-A INPUT --sour 1.2.3.4 --jum DROP", "-s 1.2.3.4/32 -j DROP")]
    [InlineData("-A INPUT --src=1.2.3.4 --protocol=tcp --dport=22 -j DROP", "-s 1.2.3.4/32 -p tcp -m tcp --dport 22 -j DROP")]
    [InlineData("-A INPUT -p tcp --so 1.2.3.4 -j DROP", "-s 1.2.3.4/32 -p tcp -j DROP")]
    [InlineData("-A INPUT -p tcp --dp 5 --sp 6 -j DROP", "-p tcp -m tcp --sport 6 --dport 5 -j DROP")]
    [InlineData("-A INPUT -p tcp --destination-p 5 -j DROP", "-p tcp -m tcp --dport 5 -j DROP")]
    [InlineData("-A INPUT -p tcp --sy -j DROP", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP")]
    [InlineData("-A INPUT -w -j DROP", "-j DROP")]
    [InlineData("-A INPUT -w 5 -t filter -j DROP", "-j DROP")]
    public void Rules_parse_to_their_canonical_iptables_S_form(string line, string saved)
    {
        // Proves each match, target and option spelling (prefixes, '=' values, bundles) against what real iptables -S prints.
        var command = Assert.IsType<IptablesCommand.Append>(IptablesParser.Parse(line));

        Assert.Equal(saved, command.Rule.ToString());
    }

    [Fact]
    public void Commands_take_their_chains_and_rule_numbers()
    {
        // Proves each command's shape: chain, optional rule number, policy, listing flags.
        Assert.Equal(new IptablesCommand.Insert(FirewallChain.Input, 1, new FirewallRule { Target = RuleTarget.Drop }), IptablesParser.Parse("-I INPUT -j DROP"));
        Assert.Equal(3, Assert.IsType<IptablesCommand.Insert>(IptablesParser.Parse("-I OUTPUT 3 -j DROP")).Position);
        Assert.Equal(new IptablesCommand.DeleteNumber(FirewallChain.Forward, 2), IptablesParser.Parse("iptables -D FORWARD 2"));
        Assert.Equal(2, Assert.IsType<IptablesCommand.Replace>(IptablesParser.Parse("-R INPUT 2 -j ACCEPT")).Position);
        Assert.IsType<IptablesCommand.Check>(IptablesParser.Parse("-C INPUT -j DROP"));
        Assert.Equal(new IptablesCommand.Flush(null), IptablesParser.Parse("iptables -F"));
        Assert.Equal(new IptablesCommand.Flush(FirewallChain.Input), IptablesParser.Parse("iptables -F INPUT"));
        Assert.Equal(new IptablesCommand.Zero(FirewallChain.Input, 2), IptablesParser.Parse("iptables -Z INPUT 2"));
        Assert.Equal(new IptablesCommand.SetPolicy(FirewallChain.Forward, RuleTarget.Drop), IptablesParser.Parse("iptables -P FORWARD DROP"));
        Assert.Equal(new IptablesCommand.ListRules(FirewallChain.Output, null), IptablesParser.Parse("iptables -S OUTPUT"));
        Assert.Equal(new IptablesCommand.List(null, null, new ListingOptions(false, false, false, false)), IptablesParser.Parse("sudo iptables -L"));
        Assert.Equal(new IptablesCommand.List(FirewallChain.Input, null, default), IptablesParser.Parse("sudo iptables -L INPUT"));
        Assert.Equal(new IptablesCommand.List(FirewallChain.Input, null, new ListingOptions(true, true, false, false)), IptablesParser.Parse("iptables -nvL INPUT"));
        Assert.Equal(new IptablesCommand.List(FirewallChain.Input, 2, new ListingOptions(true, false, true, true)), IptablesParser.Parse("iptables -L INPUT 2 -v -x --line-numbers"));
    }

    [Fact]
    public void Counters_given_with_dash_c_start_the_rule_but_are_not_part_of_its_specification()
    {
        // Proves -c PACKETS BYTES sets initial counters, and that -D still finds the rule without them.
        var rule = Assert.IsType<IptablesCommand.Append>(IptablesParser.Parse("-A INPUT -c 10 2000 -s 10.0.0.1 -j ACCEPT")).Rule;
        var plain = Assert.IsType<IptablesCommand.Delete>(IptablesParser.Parse("-D INPUT -s 10.0.0.1 -j ACCEPT")).Rule;

        Assert.Equal(new RuleCounters(10, 2000), rule.InitialCounters);
        Assert.True(rule.SameSpecification(plain));
    }

    [Fact]
    public void Host_names_resolve_through_the_simulation()
    {
        // Proves -s/-d accept simulated host names when the caller resolves them, as DNS would on a real machine.
        var command = IptablesParser.Parse("-A INPUT -s server -j DROP", name => name == "server" ? IPv4Address.Parse("10.0.0.2") : null);

        Assert.Equal("-s 10.0.0.2/32 -j DROP", Assert.IsType<IptablesCommand.Append>(command).Rule.ToString());
    }

    [Theory]
    [InlineData("iptables -A INPUT --foo -j DROP", "unknown option \"--foo\"", 3, 19)]
    [InlineData("iptables -A INPUT -p tcp --s 1 -j DROP", "option \"--s\" is ambiguous (it could be --source, --src, --set-counters, --source-port, --sport or --syn)", 5, 26)]
    [InlineData("iptables -A INPUT -p tcp --d 1 -j DROP", "option \"--d\" is ambiguous (it could be --delete, --delete-chain, --destination, --dst, --destination-port or --dport)", 5, 26)]
    [InlineData("iptables -A INPUT --in eth0 -j DROP", "option \"--in\" is ambiguous (it could be --insert or --in-interface)", 3, 19)]
    [InlineData("iptables -A INPUT -p tcp --dport 80 --so 1.2.3.4 -j DROP", "option \"--so\" is ambiguous (it could be --source or --source-port)", 7, 37)]
    [InlineData("iptables -A INPUT -m statistic --mode random --p 0.5 -j DROP", "option \"--p\" is ambiguous (it could be --policy, --protocol, --probability or --packet)", 7, 46)]
    [InlineData("iptables -A INPUT -p tcp --tcp 1 -j DROP", "option \"--tcp\" is ambiguous (it could be --tcp-flags or --tcp-option)", 5, 26)]
    [InlineData("iptables -A INPUT --tcp-flags ACK ACK -j DROP", "unknown option \"--tcp-flags\" (--tcp-flags needs -p tcp before it)", 3, 19)]
    [InlineData("iptables -A INPUT --dport 80 -p tcp -j DROP", "unknown option \"--dport\" (--dport needs -p tcp before it)", 3, 19)]
    [InlineData("iptables -A INPUT --probability 0.5 -j DROP", "unknown option \"--probability\" (--probability needs -m statistic before it)", 3, 19)]
    [InlineData("iptables -A INPUT -j ACCEPT --reject-with tcp-reset", "unknown option \"--reject-with\" (--reject-with needs -j REJECT before it)", 5, 29)]
    [InlineData("iptables -A INPUT -Q", "unknown option \"-Q\"", 3, 19)]
    [InlineData("iptables -A INPUT -s", "option \"-s\" requires an argument", 4, 21)]
    [InlineData("iptables -A INPUT -j", "option \"-j\" requires an argument", 4, 21)]
    [InlineData("iptables -A", "option \"-A\" requires an argument", 2, 12)]
    [InlineData("iptables -A INPUT -p tcp --sport", "option \"--sport\" requires an argument", 6, 33)]
    [InlineData("iptables -A INPUT -p tcp --sport -j DROP", "invalid port/service `-j' specified (expected a port, a service name or a range FIRST:LAST)", 6, 34)]
    [InlineData("iptables -A INPUT -s 10.0.0.0/33 -j DROP", "invalid mask `33' specified (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -s 10.0.0.1/08 -j DROP", "invalid mask `08' specified (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -s 010.0.0.1 -j DROP", "host/network `010.0.0.1': '010' has a leading zero, which iptables reads as octal (010 is 8): write the address without leading zeros (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -d 10.08.0.0/16 -j DROP", "host/network `10.08.0.0': '08' has a leading zero, which iptables reads as octal (010 is 8): write the address without leading zeros (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -s 10.0.0.300 -j DROP", "host/network `10.0.0.300' not found (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -s 10.0.0.0/255.0.255.0 -j DROP", "invalid mask `255.0.255.0' specified (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)", 4, 22)]
    [InlineData("iptables -A INPUT -m statistic --mode random --probability 1.5 -j DROP", "statistic: bad value for option \"--probability\", or out of range (0-1).", 8, 60)]
    [InlineData("iptables -A INPUT -m statistic --mode random --probability -0.1 -j DROP", "statistic: bad value for option \"--probability\", or out of range (0-1).", 8, 60)]
    [InlineData("iptables -A INPUT -m statistic --mode random --probability abc -j DROP", "statistic: bad value for option \"--probability\", or out of range (0-1).", 8, 60)]
    [InlineData("iptables -A INPUT -p tcp --dport 2000:1000 -j DROP", "invalid portrange (min > max) (expected a port, a service name or a range FIRST:LAST)", 6, 34)]
    [InlineData("iptables -A INPUT -p tcp --dport 70000 -j DROP", "invalid port/service `70000' specified (expected a port, a service name or a range FIRST:LAST)", 6, 34)]
    [InlineData("iptables -A INPUT -p tcp --sport 1:2:3 -j DROP", "invalid port/service `2:3' specified (expected a port, a service name or a range FIRST:LAST)", 6, 34)]
    [InlineData("iptables -A INPUT -p tcp --dport 080 -j DROP", "invalid port/service `080' specified (expected a port, a service name or a range FIRST:LAST)", 6, 34)]
    [InlineData("iptables -A FOO -j DROP", "No chain/target/match by that name: \"FOO\" (expected INPUT, FORWARD or OUTPUT)", 2, 13)]
    [InlineData("iptables -A input -j DROP", "No chain/target/match by that name: \"input\" (expected INPUT, FORWARD or OUTPUT)", 2, 13)]
    [InlineData("iptables -A INPUT -j FOO", "Chain 'FOO' does not exist (expected ACCEPT, DROP, REJECT or RETURN; user-defined chains are not modelled)", 4, 22)]
    [InlineData("iptables -A INPUT -j drop", "Chain 'drop' does not exist (expected ACCEPT, DROP, REJECT or RETURN; user-defined chains are not modelled)", 4, 22)]
    [InlineData("iptables -A INPUT -j REJECT --reject-with foo", "unknown reject type \"foo\" (expected tcp-reset or an icmp type such as icmp-port-unreachable)", 6, 43)]
    [InlineData("iptables -A INPUT -j REJECT --reject-with tcp-reset", "--reject-with tcp-reset is only valid with -p tcp (the kernel refuses the rule: Invalid argument)", 6, 43)]
    [InlineData("iptables -A INPUT -p tcp --tcp-flags FOO ACK -j DROP", "Unknown TCP flag `FOO' (expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE, separated by commas)", 6, 38)]
    [InlineData("iptables -A INPUT -p tcp --tcp-flags SYN,ECE SYN -j DROP", "Unknown TCP flag `ECE' (expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE, separated by commas)", 6, 38)]
    [InlineData("iptables -A INPUT -p tcp --tcp-flags ACK -j DROP", "--tcp-flags requires two args. (expected MASK COMPARISON, e.g. --tcp-flags SYN,ACK SYN)", 5, 26)]
    [InlineData("iptables -A INPUT -p tcp --tcp-flags ! SYN SYN -j DROP", "Unknown TCP flag `!' (expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE, separated by commas)", 6, 38)]
    [InlineData("iptables -A INPUT -p tcp --syn --syn -j DROP", "Only one of `--syn' or `--tcp-flags' allowed", 6, 32)]
    [InlineData("iptables -A INPUT -p tcp --sport 80 --sport 81 -j DROP", "Only one `--source-port' allowed", 7, 37)]
    [InlineData("iptables -A INPUT -m statistic --mode nth --every 0 -j DROP", "statistic: bad value for option \"--every\", or out of range (1-4294967295).", 8, 51)]
    [InlineData("iptables -A INPUT -m statistic --mode nth --every 3 --packet 3 -j DROP", "the --packet p must be 0 <= p <= n-1", 9, 53)]
    [InlineData("iptables -A INPUT -m statistic --mode random -j DROP", "--probability must be specified when using random mode", 5, 32)]
    [InlineData("iptables -A INPUT -m statistic --probability 0.5 -j DROP", "statistic: option \"--mode\" must be specified (expected --mode random or --mode nth)", 3, 19)]
    [InlineData("iptables -A INPUT -m statistic --mode foo -j DROP", "Bad mode \"foo\" (expected random or nth)", 6, 39)]
    [InlineData("iptables -A INPUT -m statistic --mode nth --every 3 --packet 1 --probability 0.2 -j DROP", "statistic: option \"--probability\" cannot be used together with \"--every\".", 11, 64)]
    [InlineData("iptables -A INPUT -m statistic --mode random --probability 0.5 --probability 0.6 -j DROP", "statistic: option \"--probability\" can only be used once.", 9, 64)]
    [InlineData("iptables -A INPUT -m statistic ! --mode random --probability 0.5 -j DROP", "statistic: option \"--mode\" cannot be inverted.", 5, 32)]
    [InlineData("iptables -A INPUT -m foo -j DROP", "Couldn't load match `foo':No such file or directory (expected tcp, statistic, comment, length or multiport)", 4, 22)]
    [InlineData("iptables -A INPUT -m tcp --dport 80 -j DROP", "TCP match requires '-p tcp'", 3, 19)]
    [InlineData("iptables -A INPUT -m comment -j DROP", "comment: option \"--comment\" must be specified", 3, 19)]
    [InlineData("iptables -A INPUT -s 1.2.3.4 -s 1.2.3.5 -j DROP", "multiple -s flags not allowed", 5, 30)]
    [InlineData("iptables -A INPUT -p tcp -p udp", "multiple -p flags not allowed", 5, 26)]
    [InlineData("iptables -A INPUT -p ! tcp", "a ! after -p is no longer allowed (expected ! -p VALUE)", 4, 22)]
    [InlineData("iptables -A INPUT -j DROP -j ACCEPT", "multiple -j flags not allowed", 5, 27)]
    [InlineData("iptables -A INPUT -p foo -j DROP", "unknown protocol \"foo\" specified (expected tcp, udp, icmp, all or a number 0-255)", 4, 22)]
    [InlineData("iptables -A INPUT -p 256 -j DROP", "unknown protocol \"256\" specified (expected tcp, udp, icmp, all or a number 0-255)", 4, 22)]
    [InlineData("iptables -A INPUT ! -p all -j DROP", "rule would never match protocol (! -p all)", 5, 24)]
    [InlineData("iptables -A INPUT -s ! 1.2.3.4 -j DROP", "a ! after -s is no longer allowed (expected ! -s VALUE)", 4, 22)]
    [InlineData("iptables -A INPUT -j DROP extra", "Bad argument `extra'", 5, 27)]
    [InlineData("iptables -A INPUT ! ! -s 1.2.3.4 -j DROP", "multiple consecutive ! not allowed", 4, 21)]
    [InlineData("iptables -A INPUT ! -j DROP", "cannot have ! before -j", 3, 19)]
    [InlineData("iptables -A INPUT -s 1.2.3.4 !", "nothing appropriate following !", 6, 31)]
    [InlineData("iptables -A INPUT -o eth0 -j DROP", "Can't use -o with INPUT", 3, 19)]
    [InlineData("iptables -A OUTPUT -i eth0 -j DROP", "Can't use -i with OUTPUT", 3, 20)]
    [InlineData("iptables -A INPUT -i averyveryverylongname -j DROP", "interface name `averyveryverylongname' must be shorter than IFNAMSIZ (15)", 4, 22)]
    [InlineData("iptables -A INPUT -A INPUT -j DROP", "Cannot use -A with -A", 3, 19)]
    [InlineData("iptables -A INPUT -D INPUT -j DROP", "Cannot use -D with -A", 3, 19)]
    [InlineData("iptables -A INPUT -n -j DROP", "Illegal option `-n' with this command", 3, 19)]
    [InlineData("iptables -A INPUT --line-numbers -j DROP", "Illegal option `--line-numbers' with this command", 3, 19)]
    [InlineData("iptables -L -p tcp", "Illegal option `-p' with this command", 2, 13)]
    [InlineData("iptables -F INPUT -j DROP", "Illegal option `-j' with this command", 3, 19)]
    [InlineData("iptables -D INPUT 1 -j DROP", "Illegal option `-j' with this command", 4, 21)]
    [InlineData("iptables -I INPUT x -j DROP", "Invalid rule number `x' (expected a positive number)", 3, 19)]
    [InlineData("iptables -I INPUT 0 -j DROP", "Invalid rule number `0' (expected a positive number)", 3, 19)]
    [InlineData("iptables -D INPUT abc", "Invalid rule number `abc' (expected a positive number)", 3, 19)]
    [InlineData("iptables -L INPUT OUTPUT", "Invalid rule number `OUTPUT' (expected a positive number)", 3, 19)]
    [InlineData("iptables -F INPUT OUTPUT", "Bad argument `OUTPUT'", 3, 19)]
    [InlineData("iptables -P INPUT", "-P requires a chain and a policy", 3, 18)]
    [InlineData("iptables -P INPUT REJECT", "Bad policy name \"REJECT\" (expected ACCEPT or DROP)", 3, 19)]
    [InlineData("iptables -j DROP", "no command specified (expected -A, -I, -D, -R, -C, -F, -Z, -P, -L or -S)", 1, 10)]
    [InlineData("iptables", "no command specified (expected -A, -I, -D, -R, -C, -F, -Z, -P, -L or -S)", 1, 9)]
    [InlineData("iptables -t nat -A INPUT -j DROP", "table 'nat' is not supported (TcpActors models the filter table only)", 2, 13)]
    [InlineData("iptables -N FOO", "option \"-N\" is not supported: user-defined chains are not modelled (expected the built-in INPUT, FORWARD and OUTPUT chains)", 1, 10)]
    [InlineData("iptables -A INPUT -f -j DROP", "option \"-f\" is not supported by TcpActors", 3, 19)]
    [InlineData("iptables -A INPUT -c 1 -j DROP", "-c requires packet and byte counter", 3, 19)]
    [InlineData("iptables -A INPUT -m comment --comment 'oops -j DROP", "unterminated single quote (expected a closing ')", 6, 40)]
    [InlineData("iptables -R INPUT -j DROP", "-R requires a rule number", 3, 19)]
    public void Errors_say_what_is_wrong_where_and_what_was_expected(string line, string message, int wordIndex, int column)
    {
        // Proves each error's exact wording (iptables' own where it has one) and its word index and column.
        var error = Assert.Throws<ChaosParseException>(() => IptablesParser.Parse(line));

        Assert.Equal(message, error.Message);
        Assert.Equal((wordIndex, column), (error.WordIndex, error.Column));
    }

    [Fact]
    public void An_error_formats_as_file_line_column()
    {
        // Proves the compiler-style location a scenario loader prints.
        var error = Assert.Throws<ChaosParseException>(() => IptablesParser.Parse("iptables -A INPUT --foo"));

        Assert.Equal("chaos.txt:7:19: unknown option \"--foo\"", error.Format("chaos.txt", 7));
        Assert.Equal((3, 18, "--foo"), (error.WordIndex, error.Offset, error.Word));
        Assert.Equal("column 19 (word 4 \"--foo\"): unknown option \"--foo\"", error.ToString());
    }
}
