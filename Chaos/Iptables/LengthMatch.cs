using System.Globalization;
using System.Text;

namespace TcpActors.Chaos;

/// <summary><c>-m length [!] --length MIN[:MAX]</c>: xt_length compares the IP total length (header included) with the range.</summary>
public sealed record LengthMatch(ushort Minimum, ushort Maximum, bool Inverted) : RuleMatch
{
    public override string Name => "length";

    public bool Matches(int ipLength) => (ipLength >= Minimum && ipLength <= Maximum) != Inverted;

    private string Range => Minimum == Maximum
        ? Minimum.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Minimum}:{Maximum}");

    internal override void AppendSpecification(StringBuilder text) =>
        text.Append(Inverted ? " -m length ! --length " : " -m length --length ").Append(Range);

    internal override void AppendListing(StringBuilder text, bool numeric) =>
        text.Append(" length ").Append(Inverted ? "!" : "").Append(Range);
}
