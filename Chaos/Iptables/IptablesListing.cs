using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// <c>iptables -L</c> and <c>iptables -S</c> output, column for column as iptables 1.8 prints it, so that
/// a listing from a simulated host can be compared with one from a real machine. Without <c>-n</c>,
/// 0.0.0.0/0 is <c>anywhere</c>, 127.0.0.1 is <c>localhost</c> (as /etc/hosts says), ports carry their
/// /etc/services names and protocols their names; other addresses are printed through the names the
/// caller supplies (a simulation's host names, standing in for DNS), or as numbers.
/// </summary>
public static class IptablesListing
{
    /// <summary><c>iptables -L [CHAIN [NUMBER]]</c> with the given options; every line ends with a newline.</summary>
    public static string List(FirewallSnapshot snapshot, FirewallChain? chain, int? position, ListingOptions options, Func<IPv4Address, string?>? addressNames = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder(1024);
        if (chain is { } one && position is { } number)
        {
            var rule = snapshot[one].Rules.ElementAtOrDefault(number - 1);
            if (rule is not null)
            {
                AppendRule(text, rule, options, addressNames);
            }

            return text.ToString();
        }

        var chains = chain is { } selected ? [snapshot[selected]] : snapshot.Chains;
        for (int i = 0; i < chains.Count; i++)
        {
            if (i > 0)
            {
                text.Append('\n');
            }

            AppendChain(text, chains[i], options, addressNames);
        }

        return text.ToString();
    }

    /// <summary><c>iptables -S [CHAIN [NUMBER]]</c>: the policies, then every rule as the command that adds it.</summary>
    public static string ListRules(FirewallSnapshot snapshot, FirewallChain? chain, int? position)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder(512);
        var chains = chain is { } selected ? [snapshot[selected]] : snapshot.Chains;
        if (position is { } number)
        {
            var rule = chains[0].Rules.ElementAtOrDefault(number - 1);
            return rule is null ? "" : RuleCommand(chains[0].Chain, rule.Rule) + "\n";
        }

        foreach (var state in chains)
        {
            text.Append("-P ").Append(state.Chain.Name()).Append(' ').Append(state.Policy.Name()).Append('\n');
        }

        foreach (var state in chains)
        {
            foreach (var rule in state.Rules)
            {
                text.Append(RuleCommand(state.Chain, rule.Rule)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The command that adds the rule: <c>-A INPUT -s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP</c>.</summary>
    public static string RuleCommand(FirewallChain chain, FirewallRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        string specification = rule.ToString();
        return specification.Length == 0 ? "-A " + chain.Name() : $"-A {chain.Name()} {specification}";
    }

    /// <summary>
    /// A counter as iptables prints it: exact with <c>-x</c>; otherwise up to 99999 as is, then in units of
    /// 1000 rounded to nearest with a K, M, G or T suffix, each unit kept to at most four digits.
    /// In the table the value is right-aligned (5 wide, or 8 with <c>-x</c>); in the policy line it is not.
    /// </summary>
    public static string FormatCount(long count, bool exact, bool aligned)
    {
        var culture = CultureInfo.InvariantCulture;
        if (exact)
        {
            return aligned ? count.ToString(culture).PadLeft(8) + " " : count.ToString(culture) + " ";
        }

        if (count <= 99999)
        {
            return aligned ? count.ToString(culture).PadLeft(5) + " " : count.ToString(culture) + " ";
        }

        long value = (count + 500) / 1000;
        foreach (char unit in "KMGT")
        {
            if (value <= 9999 || unit == 'T')
            {
                string number = value.ToString(culture);
                return (aligned ? number.PadLeft(4) : number) + unit + " ";
            }

            value = (value + 500) / 1000;
        }

        throw new InvalidOperationException("unreachable");
    }

    private static void AppendChain(StringBuilder text, ChainSnapshot chain, ListingOptions options, Func<IPv4Address, string?>? addressNames)
    {
        text.Append("Chain ").Append(chain.Chain.Name()).Append(" (policy ").Append(chain.Policy.Name());
        if (options.Verbose)
        {
            text.Append(' ').Append(FormatCount(chain.PolicyCounters.Packets, options.Exact, aligned: false)).Append("packets, ");
            text.Append(FormatCount(chain.PolicyCounters.Bytes, options.Exact, aligned: false)).Append("bytes");
        }

        text.Append(")\n");
        AppendHeader(text, options);
        foreach (var rule in chain.Rules)
        {
            AppendRule(text, rule, options, addressNames);
        }
    }

    private static void AppendHeader(StringBuilder text, ListingOptions options)
    {
        if (options.LineNumbers)
        {
            text.Append("num  ");
        }

        if (options.Verbose)
        {
            text.Append(options.Exact ? "    pkts      bytes " : " pkts bytes ");
        }

        text.Append("target    ").Append(" prot ").Append("opt");
        if (options.Verbose)
        {
            text.Append(" in     ").Append("out    ");
        }

        text.Append(" source              ").Append(" destination         ").Append('\n');
    }

    private static void AppendRule(StringBuilder text, RuleSnapshot snapshot, ListingOptions options, Func<IPv4Address, string?>? addressNames)
    {
        var rule = snapshot.Rule;
        if (options.LineNumbers)
        {
            text.Append(snapshot.Number.ToString(CultureInfo.InvariantCulture).PadRight(4)).Append(' ');
        }

        if (options.Verbose)
        {
            text.Append(FormatCount(snapshot.Counters.Packets, options.Exact, aligned: true));
            text.Append(FormatCount(snapshot.Counters.Bytes, options.Exact, aligned: true));
        }

        text.Append(rule.Target.Name().PadRight(9)).Append(' ');
        text.Append(rule.Protocol?.Inverted == true ? '!' : ' ');
        byte protocol = rule.Protocol?.Number ?? 0;
        text.Append((options.Numeric ? protocol.ToString(CultureInfo.InvariantCulture) : ProtocolNames.Name(protocol)).PadRight(5));
        text.Append("-- ");
        if (options.Verbose)
        {
            text.Append(' ').Append(Interface(rule.InInterface, options.Numeric).PadRight(6)).Append(' ');
            text.Append(Interface(rule.OutInterface, options.Numeric).PadRight(6)).Append(' ');
        }

        AppendAddress(text, rule.Source, options.Numeric, addressNames);
        AppendAddress(text, rule.Destination, options.Numeric, addressNames);
        foreach (var match in rule.Matches)
        {
            match.AppendListing(text, options.Numeric);
        }

        if (rule.Target == RuleTarget.Reject)
        {
            text.Append(" reject-with ").Append(RejectNames.Name(rule.RejectWith));
        }

        text.Append('\n');
    }

    private static string Interface(InterfaceMatch? match, bool numeric) =>
        match is null ? (numeric ? "*" : "any") : (match.Inverted ? "!" : "") + match.Name;

    private static void AppendAddress(StringBuilder text, AddressMatch? match, bool numeric, Func<IPv4Address, string?>? addressNames)
    {
        var prefix = match?.Prefix ?? IPv4Prefix.Any;
        text.Append(match?.Inverted == true ? '!' : ' ');
        text.Append(FormatPrefix(prefix, numeric, addressNames).PadRight(19)).Append(' ');
    }

    private static string FormatPrefix(IPv4Prefix prefix, bool numeric, Func<IPv4Address, string?>? addressNames)
    {
        if (prefix.Length == 0)
        {
            return numeric ? "0.0.0.0/0" : "anywhere";
        }

        if (prefix.Length < 32)
        {
            return $"{prefix.Address}/{prefix.Length.ToString(CultureInfo.InvariantCulture)}";
        }

        if (numeric)
        {
            return prefix.Address.ToString();
        }

        return prefix.Address == IPv4Address.Loopback ? "localhost" : addressNames?.Invoke(prefix.Address) ?? prefix.Address.ToString();
    }
}
