using System.Text;

namespace TcpActors.Chaos;

/// <summary>Which ports <c>-m multiport</c> compares: <c>--sports</c>, <c>--dports</c> or <c>--ports</c> (either).</summary>
public enum MultiportDirection : byte
{
    Source,
    Destination,
    Either,
}

/// <summary>
/// <c>-m multiport [!] --sports|--dports|--ports P1,P2,P3:P4</c> (xt_multiport revision 1): up to 15 ports,
/// a range counting as two; the packet matches when its port (either port, for --ports) is in one of them.
/// </summary>
public sealed record MultiportMatch(MultiportDirection Direction, IReadOnlyList<PortRange> Ports, bool Inverted) : RuleMatch
{
    /// <summary>XT_MULTI_PORTS: the most port slots one match holds; a range takes two.</summary>
    public const int PortSlotsMax = 15;

    public override string Name => "multiport";

    public bool Matches(ushort sourcePort, ushort destinationPort)
    {
        foreach (var range in Ports)
        {
            bool hit = Direction switch
            {
                MultiportDirection.Source => In(range, sourcePort),
                MultiportDirection.Destination => In(range, destinationPort),
                _ => In(range, sourcePort) || In(range, destinationPort),
            };
            if (hit)
            {
                return !Inverted;
            }
        }

        return Inverted;
    }

    public bool Equals(MultiportMatch? other) =>
        other is not null && Direction == other.Direction && Inverted == other.Inverted && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(Direction, Inverted, Ports.Count);

    internal override void AppendSpecification(StringBuilder text)
    {
        text.Append(" -m multiport").Append(Inverted ? " !" : "").Append(Direction switch
        {
            MultiportDirection.Source => " --sports ",
            MultiportDirection.Destination => " --dports ",
            _ => " --ports ",
        });
        AppendPorts(text, numeric: true);
    }

    internal override void AppendListing(StringBuilder text, bool numeric)
    {
        text.Append(Direction switch
        {
            MultiportDirection.Source => " multiport sports ",
            MultiportDirection.Destination => " multiport dports ",
            _ => " multiport ports ",
        }).Append(Inverted ? "!" : "");
        AppendPorts(text, numeric);
    }

    private static bool In(PortRange range, ushort port) => port >= range.First && port <= range.Last;

    private void AppendPorts(StringBuilder text, bool numeric)
    {
        for (int i = 0; i < Ports.Count; i++)
        {
            var range = Ports[i];
            text.Append(i == 0 ? "" : ",").Append(ServiceNames.Format(range.First, numeric));
            if (range.First != range.Last)
            {
                text.Append(':').Append(ServiceNames.Format(range.Last, numeric));
            }
        }
    }
}
