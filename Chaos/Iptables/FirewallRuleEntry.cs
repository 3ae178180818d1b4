using System.Globalization;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// A rule installed in a chain: the specification, flattened into fields that make matching a handful
/// of integer comparisons, plus the state iptables keeps per rule (packet and byte counters, the
/// statistic match's nth counter). An absent match is stored as one that always holds (mask 0, port
/// range 0-65535, flag mask 0), so the hot path has no null checks for the common matches.
/// </summary>
internal sealed class FirewallRuleEntry
{
    public FirewallRuleEntry(FirewallChain chain, FirewallRule rule)
    {
        Chain = chain;
        Rule = rule;
        (SourceAddress, SourceMask, SourceInverted) = Flatten(rule.Source);
        (DestinationAddress, DestinationMask, DestinationInverted) = Flatten(rule.Destination);
        ProtocolNumber = rule.Protocol?.Number ?? 0;
        ProtocolInverted = rule.Protocol?.Inverted ?? false;
        InInterface = rule.InInterface;
        OutInterface = rule.OutInterface;
        var tcp = rule.Matches.OfType<TcpMatch>().FirstOrDefault();
        HasTcpMatch = tcp is not null;
        (SourcePortFirst, SourcePortLast, SourcePortInverted) = Flatten(tcp?.SourcePorts);
        (DestinationPortFirst, DestinationPortLast, DestinationPortInverted) = Flatten(tcp?.DestinationPorts);
        FlagsMask = tcp?.Flags?.Mask ?? TcpFlags.None;
        FlagsComparison = tcp?.Flags?.Comparison ?? TcpFlags.None;
        FlagsInverted = tcp?.Flags?.Inverted ?? false;
        var length = rule.Matches.OfType<LengthMatch>().FirstOrDefault();
        HasLengthMatch = length is not null;
        (LengthMinimum, LengthMaximum, LengthInverted) = length is null ? (0, 0, false) : (length.Minimum, length.Maximum, length.Inverted);
        var multiport = rule.Matches.OfType<MultiportMatch>().FirstOrDefault();
        HasMultiportMatch = multiport is not null;
        MultiportDirection = multiport?.Direction ?? MultiportDirection.Either;
        MultiportFirsts = multiport is null ? [] : [.. multiport.Ports.Select(p => p.First)];
        MultiportLasts = multiport is null ? [] : [.. multiport.Ports.Select(p => p.Last)];
        MultiportInverted = multiport?.Inverted ?? false;
        Statistic = rule.Matches.OfType<StatisticMatch>().FirstOrDefault();
        int statisticIndex = Statistic is null ? int.MaxValue : IndexOf(rule, Statistic);
        TcpBeforeStatistic = tcp is not null && IndexOf(rule, tcp) < statisticIndex;
        LengthBeforeStatistic = length is not null && IndexOf(rule, length) < statisticIndex;
        MultiportBeforeStatistic = multiport is not null && IndexOf(rule, multiport) < statisticIndex;
        Target = rule.Target;
        RejectWith = rule.RejectWith;
        Packets = rule.InitialCounters.Packets;
        Bytes = rule.InitialCounters.Bytes;
        NthCounter = InitialNthCounter(Statistic);
        Name = "";
    }

    public FirewallChain Chain { get; }

    public FirewallRule Rule { get; }

    public uint SourceAddress { get; }

    public uint SourceMask { get; }

    public bool SourceInverted { get; }

    public uint DestinationAddress { get; }

    public uint DestinationMask { get; }

    public bool DestinationInverted { get; }

    /// <summary>0 (with no inversion) matches every protocol.</summary>
    public byte ProtocolNumber { get; }

    public bool ProtocolInverted { get; }

    public InterfaceMatch? InInterface { get; }

    public InterfaceMatch? OutInterface { get; }

    public bool HasTcpMatch { get; }

    public ushort SourcePortFirst { get; }

    public ushort SourcePortLast { get; }

    public bool SourcePortInverted { get; }

    public ushort DestinationPortFirst { get; }

    public ushort DestinationPortLast { get; }

    public bool DestinationPortInverted { get; }

    public TcpFlags FlagsMask { get; }

    public TcpFlags FlagsComparison { get; }

    public bool FlagsInverted { get; }

    public bool HasLengthMatch { get; }

    public int LengthMinimum { get; }

    public int LengthMaximum { get; }

    public bool LengthInverted { get; }

    public bool HasMultiportMatch { get; }

    public MultiportDirection MultiportDirection { get; }

    /// <summary>The first port of each multiport entry (a single port is a range of one).</summary>
    public ushort[] MultiportFirsts { get; }

    /// <summary>The last port of each multiport entry, index for index with <see cref="MultiportFirsts"/>.</summary>
    public ushort[] MultiportLasts { get; }

    public bool MultiportInverted { get; }

    public StatisticMatch? Statistic { get; }

    /// <summary>
    /// Whether each stateless match comes before <c>-m statistic</c> (always true without one): the statistic
    /// counter sees only packets the earlier matches let through, and packets later matches would refuse.
    /// </summary>
    public bool TcpBeforeStatistic { get; }

    public bool LengthBeforeStatistic { get; }

    public bool MultiportBeforeStatistic { get; }

    public RuleTarget Target { get; }

    public RejectWith RejectWith { get; }

    public long Packets { get; set; }

    public long Bytes { get; set; }

    /// <summary>xt_statistic's nth counter: a packet matches when it wraps to 0 (starts at every − 1 − packet).</summary>
    public uint NthCounter { get; set; }

    /// <summary>How verdicts and drop events name the rule: <c>INPUT rule 2: -s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP</c>.</summary>
    public string Name { get; private set; }

    public int Number { get; private set; }

    public RuleCounters Counters => new(Packets, Bytes);

    /// <summary>Gives the entry its (1-based) place in the chain; names change when rules are inserted or deleted above it.</summary>
    public void Renumber(int number)
    {
        if (number != Number || Name.Length == 0)
        {
            Number = number;
            Name = string.Create(CultureInfo.InvariantCulture, $"{Chain.Name()} rule {number}: {Rule}");
        }
    }

    public void ResetCounters()
    {
        Packets = 0;
        Bytes = 0;
    }

    private static (uint Address, uint Mask, bool Inverted) Flatten(AddressMatch? match) =>
        match is null ? (0u, 0u, false) : (match.Prefix.Address.Value, match.Prefix.Mask, match.Inverted);

    private static (ushort First, ushort Last, bool Inverted) Flatten(PortRange? range) =>
        range is null ? ((ushort)0, ushort.MaxValue, false) : (range.First, range.Last, range.Inverted);

    private static int IndexOf(FirewallRule rule, RuleMatch match)
    {
        for (int i = 0; i < rule.Matches.Count; i++)
        {
            if (ReferenceEquals(rule.Matches[i], match))
            {
                return i;
            }
        }

        return -1;
    }

    private static uint InitialNthCounter(StatisticMatch? statistic) =>
        statistic is { Mode: StatisticMode.Nth } nth ? nth.Every - 1 - nth.Packet : 0;
}
