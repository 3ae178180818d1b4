using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>The decision of one chain for one packet: the target that applies and the rule that chose it (null: the policy).</summary>
internal readonly record struct ChainDecision(RuleTarget Target, FirewallRuleEntry? Rule);

/// <summary>
/// Rule matching as ipt_do_table does it: the IP-header checks first (addresses, interfaces, protocol),
/// then each extension match in the order it was given, then the target. The first rule whose target
/// is final (ACCEPT, DROP, REJECT) decides; RETURN in a built-in chain and falling off its end both
/// apply the policy. Every rule that matches counts the packet, final target or not.
/// </summary>
internal static class RuleEvaluation
{
    /// <summary>Runs <paramref name="rules"/> over the packet; counts matches, and advances statistic counters and draws as the kernel would.</summary>
    public static ChainDecision Traverse(FirewallRuleEntry[] rules, Packet packet, in HookContext context, RandomStream random)
    {
        for (int i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (!Matches(rule, packet, context, random))
            {
                continue;
            }

            rule.Packets++;
            rule.Bytes += packet.IpLength;
            switch (rule.Target)
            {
                case RuleTarget.None:
                    continue;
                case RuleTarget.Return:
                    return new ChainDecision(RuleTarget.Return, rule);
                default:
                    return new ChainDecision(rule.Target, rule);
            }
        }

        return new ChainDecision(RuleTarget.Return, null);
    }

    public static bool Matches(FirewallRuleEntry rule, Packet packet, in HookContext context, RandomStream random)
    {
        if (!MatchesIpHeader(rule, packet, context))
        {
            return false;
        }

        // Extension matches run in command-line order; only the statistic match has state, so the stateless
        // ones are checked in two groups: those before it, then (if it matches) those after it.
        var segment = packet as Segment;
        if (!MatchesStateless(rule, packet, segment, beforeStatistic: true))
        {
            return false;
        }

        return rule.Statistic is null
            || (MatchesStatistic(rule, random) && MatchesStateless(rule, packet, segment, beforeStatistic: false));
    }

    private static bool MatchesStateless(FirewallRuleEntry rule, Packet packet, Segment? segment, bool beforeStatistic)
    {
        if (rule.HasTcpMatch && rule.TcpBeforeStatistic == beforeStatistic && (segment is null || !MatchesTcp(rule, segment)))
        {
            return false;
        }

        if (rule.HasLengthMatch && rule.LengthBeforeStatistic == beforeStatistic
            && ((packet.IpLength >= rule.LengthMinimum && packet.IpLength <= rule.LengthMaximum) == rule.LengthInverted))
        {
            return false;
        }

        return !rule.HasMultiportMatch || rule.MultiportBeforeStatistic != beforeStatistic
            || (segment is not null && MatchesMultiport(rule, segment));
    }

    /// <summary>xt_multiport revision 1: any entry holding the port (either port for --ports) decides, then the inversion.</summary>
    private static bool MatchesMultiport(FirewallRuleEntry rule, Segment segment)
    {
        ushort sourcePort = segment.SourcePort;
        ushort destinationPort = segment.DestinationPort;
        var firsts = rule.MultiportFirsts;
        var lasts = rule.MultiportLasts;
        for (int i = 0; i < firsts.Length; i++)
        {
            bool hit = rule.MultiportDirection switch
            {
                MultiportDirection.Source => sourcePort >= firsts[i] && sourcePort <= lasts[i],
                MultiportDirection.Destination => destinationPort >= firsts[i] && destinationPort <= lasts[i],
                _ => (sourcePort >= firsts[i] && sourcePort <= lasts[i]) || (destinationPort >= firsts[i] && destinationPort <= lasts[i]),
            };
            if (hit)
            {
                return !rule.MultiportInverted;
            }
        }

        return rule.MultiportInverted;
    }

    private static bool MatchesIpHeader(FirewallRuleEntry rule, Packet packet, in HookContext context)
    {
        if ((((packet.Source.Value & rule.SourceMask) == rule.SourceAddress) == rule.SourceInverted)
            || (((packet.Destination.Value & rule.DestinationMask) == rule.DestinationAddress) == rule.DestinationInverted))
        {
            return false;
        }

        if ((rule.InInterface is not null && !rule.InInterface.Matches(context.InInterface))
            || (rule.OutInterface is not null && !rule.OutInterface.Matches(context.OutInterface)))
        {
            return false;
        }

        // Protocol 0 (-p all) is no check at all, as in ip_packet_match; the parser refuses "! -p all".
        return rule.ProtocolNumber == 0 || ((ProtocolNames.Of(packet) == rule.ProtocolNumber) != rule.ProtocolInverted);
    }

    private static bool MatchesTcp(FirewallRuleEntry rule, Segment segment)
    {
        ushort sourcePort = segment.SourcePort;
        ushort destinationPort = segment.DestinationPort;
        return ((sourcePort >= rule.SourcePortFirst && sourcePort <= rule.SourcePortLast) != rule.SourcePortInverted)
            && ((destinationPort >= rule.DestinationPortFirst && destinationPort <= rule.DestinationPortLast) != rule.DestinationPortInverted)
            && (((segment.Flags & rule.FlagsMask) == rule.FlagsComparison) != rule.FlagsInverted);
    }

    /// <summary>xt_statistic: random compares 31 random bits with the threshold; nth matches when the counter wraps to 0.</summary>
    private static bool MatchesStatistic(FirewallRuleEntry rule, RandomStream random)
    {
        var statistic = rule.Statistic!;
        bool hit;
        if (statistic.Mode == StatisticMode.Random)
        {
            hit = (random.NextUInt32() & 0x7FFFFFFFu) < statistic.ProbabilityThreshold;
        }
        else
        {
            rule.NthCounter = rule.NthCounter == statistic.Every - 1 ? 0 : rule.NthCounter + 1;
            hit = rule.NthCounter == 0;
        }

        return hit != statistic.Inverted;
    }
}
