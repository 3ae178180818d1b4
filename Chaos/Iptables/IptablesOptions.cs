namespace TcpActors.Chaos;

/// <summary>Every option iptables knows, whether TcpActors supports it or not (the unsupported ones still take part in prefix matching).</summary>
internal enum IptablesOption : byte
{
    Append, Delete, Insert, Replace, Check, List, ListRules, Flush, Zero, NewChain, DeleteChain, RenameChain, Policy,
    Source, Destination, Protocol, InInterface, OutInterface, Jump, Goto, Match, Table,
    Numeric, Verbose, Exact, LineNumbers, SetCounters, Wait, WaitInterval, Fragment, Version, Help, Modprobe, Ipv4, Ipv6,
    SourcePort, DestinationPort, Syn, TcpFlags, TcpOption,
    Mode, Probability, Every, Packet,
    Comment,
    Length,
    SourcePorts, DestinationPorts, Ports,
    RejectWith,
}

/// <summary>Whether an option takes a value: none, one required (<c>-s ADDR</c>), or one that may follow (<c>-L [CHAIN]</c>).</summary>
internal enum OptionArgument : byte
{
    None,
    Required,
    Optional,
}

/// <summary>One option as getopt_long sees it: its long name, its short letter (main options only) and its argument.</summary>
internal sealed record OptionSpec(string LongName, char ShortName, IptablesOption Option, OptionArgument Argument)
{
    /// <summary>How iptables names the option in messages: <c>-s</c> for those with a letter, else <c>--sport</c>.</summary>
    public string DisplayName => ShortName != '\0' ? "-" + ShortName : "--" + LongName;
}

/// <summary>
/// The long-option tables getopt_long searches: iptables' own options, plus those of each match or target
/// once it is loaded. A match's options are merged when it is loaded (<c>-m statistic</c>, <c>-j REJECT</c>,
/// or lazily by <c>-p tcp</c> at the first option nothing else knows), so a prefix such as <c>--so</c> means
/// <c>--source</c> before the tcp options are loaded and is ambiguous after — exactly as in iptables.
/// </summary>
internal static class IptablesOptionTables
{
    public static IReadOnlyList<OptionSpec> Main { get; } =
    [
        new("append", 'A', IptablesOption.Append, OptionArgument.Required),
        new("delete", 'D', IptablesOption.Delete, OptionArgument.Required),
        new("check", 'C', IptablesOption.Check, OptionArgument.Required),
        new("insert", 'I', IptablesOption.Insert, OptionArgument.Required),
        new("replace", 'R', IptablesOption.Replace, OptionArgument.Required),
        new("list", 'L', IptablesOption.List, OptionArgument.Optional),
        new("list-rules", 'S', IptablesOption.ListRules, OptionArgument.Optional),
        new("flush", 'F', IptablesOption.Flush, OptionArgument.Optional),
        new("zero", 'Z', IptablesOption.Zero, OptionArgument.Optional),
        new("new-chain", 'N', IptablesOption.NewChain, OptionArgument.Required),
        new("delete-chain", 'X', IptablesOption.DeleteChain, OptionArgument.Optional),
        new("rename-chain", 'E', IptablesOption.RenameChain, OptionArgument.Required),
        new("policy", 'P', IptablesOption.Policy, OptionArgument.Required),
        new("source", 's', IptablesOption.Source, OptionArgument.Required),
        new("destination", 'd', IptablesOption.Destination, OptionArgument.Required),
        new("src", 's', IptablesOption.Source, OptionArgument.Required),
        new("dst", 'd', IptablesOption.Destination, OptionArgument.Required),
        new("protocol", 'p', IptablesOption.Protocol, OptionArgument.Required),
        new("in-interface", 'i', IptablesOption.InInterface, OptionArgument.Required),
        new("jump", 'j', IptablesOption.Jump, OptionArgument.Required),
        new("table", 't', IptablesOption.Table, OptionArgument.Required),
        new("match", 'm', IptablesOption.Match, OptionArgument.Required),
        new("numeric", 'n', IptablesOption.Numeric, OptionArgument.None),
        new("out-interface", 'o', IptablesOption.OutInterface, OptionArgument.Required),
        new("verbose", 'v', IptablesOption.Verbose, OptionArgument.None),
        new("wait", 'w', IptablesOption.Wait, OptionArgument.Optional),
        new("wait-interval", 'W', IptablesOption.WaitInterval, OptionArgument.Required),
        new("exact", 'x', IptablesOption.Exact, OptionArgument.None),
        new("fragments", 'f', IptablesOption.Fragment, OptionArgument.None),
        new("version", 'V', IptablesOption.Version, OptionArgument.None),
        new("help", 'h', IptablesOption.Help, OptionArgument.Optional),
        new("line-numbers", '\0', IptablesOption.LineNumbers, OptionArgument.None),
        new("modprobe", 'M', IptablesOption.Modprobe, OptionArgument.Required),
        new("set-counters", 'c', IptablesOption.SetCounters, OptionArgument.Required),
        new("goto", 'g', IptablesOption.Goto, OptionArgument.Required),
        new("ipv4", '4', IptablesOption.Ipv4, OptionArgument.None),
        new("ipv6", '6', IptablesOption.Ipv6, OptionArgument.None),
    ];

    public static IReadOnlyList<OptionSpec> Tcp { get; } =
    [
        new("source-port", '\0', IptablesOption.SourcePort, OptionArgument.Required),
        new("sport", '\0', IptablesOption.SourcePort, OptionArgument.Required),
        new("destination-port", '\0', IptablesOption.DestinationPort, OptionArgument.Required),
        new("dport", '\0', IptablesOption.DestinationPort, OptionArgument.Required),
        new("syn", '\0', IptablesOption.Syn, OptionArgument.None),
        new("tcp-flags", '\0', IptablesOption.TcpFlags, OptionArgument.Required),
        new("tcp-option", '\0', IptablesOption.TcpOption, OptionArgument.Required),
    ];

    public static IReadOnlyList<OptionSpec> Statistic { get; } =
    [
        new("mode", '\0', IptablesOption.Mode, OptionArgument.Required),
        new("probability", '\0', IptablesOption.Probability, OptionArgument.Required),
        new("every", '\0', IptablesOption.Every, OptionArgument.Required),
        new("packet", '\0', IptablesOption.Packet, OptionArgument.Required),
    ];

    public static IReadOnlyList<OptionSpec> Comment { get; } =
    [
        new("comment", '\0', IptablesOption.Comment, OptionArgument.Required),
    ];

    public static IReadOnlyList<OptionSpec> Length { get; } =
    [
        new("length", '\0', IptablesOption.Length, OptionArgument.Required),
    ];

    public static IReadOnlyList<OptionSpec> Multiport { get; } =
    [
        new("source-ports", '\0', IptablesOption.SourcePorts, OptionArgument.Required),
        new("sports", '\0', IptablesOption.SourcePorts, OptionArgument.Required),
        new("destination-ports", '\0', IptablesOption.DestinationPorts, OptionArgument.Required),
        new("dports", '\0', IptablesOption.DestinationPorts, OptionArgument.Required),
        new("ports", '\0', IptablesOption.Ports, OptionArgument.Required),
    ];

    public static IReadOnlyList<OptionSpec> Reject { get; } =
    [
        new("reject-with", '\0', IptablesOption.RejectWith, OptionArgument.Required),
    ];

    public static OptionSpec? ShortOption(char letter)
    {
        foreach (var spec in Main)
        {
            if (spec.ShortName == letter)
            {
                return spec;
            }
        }

        return null;
    }
}

/// <summary>The outcome of looking a long option up: found, unknown, or ambiguous among several meanings.</summary>
internal readonly record struct OptionLookup(OptionSpec? Found, IReadOnlyList<OptionSpec> Candidates)
{
    public bool IsAmbiguous => Found is null && Candidates.Count > 1;

    /// <summary>
    /// getopt_long's rule: an exact name wins; otherwise the name must be a prefix of exactly one option,
    /// or of several that mean the same thing (<c>--destination-p</c> fits only <c>--destination-port</c>,
    /// <c>--s</c> fits --source, --src, --sport… and is ambiguous).
    /// </summary>
    public static OptionLookup Resolve(string name, IEnumerable<IReadOnlyList<OptionSpec>> tables)
    {
        var candidates = new List<OptionSpec>();
        foreach (var table in tables)
        {
            foreach (var spec in table)
            {
                if (string.Equals(spec.LongName, name, StringComparison.Ordinal))
                {
                    return new OptionLookup(spec, [spec]);
                }

                if (spec.LongName.StartsWith(name, StringComparison.Ordinal))
                {
                    candidates.Add(spec);
                }
            }
        }

        bool oneMeaning = candidates.Count > 0 && candidates.TrueForAll(c => c.Option == candidates[0].Option);
        return new OptionLookup(oneMeaning ? candidates[0] : null, candidates);
    }
}
