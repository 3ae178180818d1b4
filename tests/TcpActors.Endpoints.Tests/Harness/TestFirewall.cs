using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// The few iptables matches the kernel experiments used, for one DROP rule: chain, <c>-s</c>, <c>-d</c>,
/// <c>--sport</c> / <c>-m multiport --sports</c>, <c>--tcp-flags MASK COMP</c> (and <c>--syn</c>), and
/// <c>-m length --length</c> (the IP total length). Kept tiny and isolated on purpose: when the Chaos
/// project's iptables lands, tests switch to real rule lines.
/// </summary>
internal sealed record DropRule(HookPoint Chain, string Text)
{
    public IPv4Address? Source { get; init; }

    public IPv4Address? Destination { get; init; }

    public (ushort Low, ushort High)? SourcePorts { get; init; }

    public TcpFlags FlagsMask { get; init; }

    public TcpFlags FlagsComparison { get; init; }

    public (int Low, int High)? IpLength { get; init; }

    /// <summary><c>--syn</c>: <c>--tcp-flags SYN,RST,ACK,FIN SYN</c>.</summary>
    public DropRule Syn() => this with { FlagsMask = TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Ack | TcpFlags.Fin, FlagsComparison = TcpFlags.Syn };

    public bool Matches(Segment segment) =>
        (Source is null || segment.Source == Source)
        && (Destination is null || segment.Destination == Destination)
        && (SourcePorts is not { } ports || (segment.SourcePort >= ports.Low && segment.SourcePort <= ports.High))
        && (segment.Flags & FlagsMask) == FlagsComparison
        && (IpLength is not { } length || (segment.IpLength >= length.Low && segment.IpLength <= length.High));
}

/// <summary>A host's rule list as an <see cref="IPacketFilter"/>: the first matching rule drops; counts matches per rule.</summary>
internal sealed class TestFirewall : IPacketFilter
{
    private readonly List<DropRule> _rules = [];
    private readonly Dictionary<DropRule, int> _matches = [];

    public void Append(DropRule rule) => _rules.Add(rule);

    public void Delete(DropRule rule) => _rules.Remove(rule);

    public int MatchCount(DropRule rule) => _matches.GetValueOrDefault(rule);

    public FilterVerdict Filter(Packet packet, in HookContext context)
    {
        if (packet is not Segment segment)
        {
            return FilterVerdict.Accept;
        }

        foreach (var rule in _rules)
        {
            if (rule.Chain == context.Hook && rule.Matches(segment))
            {
                _matches[rule] = _matches.GetValueOrDefault(rule) + 1;
                return new FilterVerdict(FilterAction.Drop, Rule: rule.Text);
            }
        }

        return FilterVerdict.Accept;
    }
}
