using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// One iptables rule as written: the IP-level matches every rule has (<c>-s -d -i -o -p</c>), then the
/// extension matches in the order given (<c>-m tcp</c>, <c>-m statistic</c>, <c>-m comment</c>), then the
/// target. <see cref="ToString"/> gives the canonical <c>iptables -S</c> form, which is also what
/// <c>-D</c> compares, as iptables compares the kernel's representation of two specifications.
/// </summary>
public sealed record FirewallRule
{
    public AddressMatch? Source { get; init; }

    public AddressMatch? Destination { get; init; }

    public InterfaceMatch? InInterface { get; init; }

    public InterfaceMatch? OutInterface { get; init; }

    public ProtocolMatch? Protocol { get; init; }

    /// <summary>Extension matches in command-line order; the order matters for <c>-m statistic</c>'s counter.</summary>
    public IReadOnlyList<RuleMatch> Matches { get; init; } = [];

    public RuleTarget Target { get; init; }

    /// <summary>The REJECT answer; meaningful when <see cref="Target"/> is <see cref="RuleTarget.Reject"/>.</summary>
    public RejectWith RejectWith { get; init; } = RejectWith.IcmpPortUnreachable;

    /// <summary>Counters given with <c>-c PACKETS BYTES</c>; not part of the specification.</summary>
    public RuleCounters InitialCounters { get; init; }

    /// <summary>Whether two rules have the same specification (what <c>iptables -D CHAIN spec</c> and <c>-C</c> look for).</summary>
    public bool SameSpecification(FirewallRule other) => string.Equals(ToString(), other?.ToString(), StringComparison.Ordinal);

    public bool Equals(FirewallRule? other) => other is not null && SameSpecification(other) && InitialCounters == other.InitialCounters;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    /// <summary>The rule as <c>iptables -S</c> prints it after <c>-A CHAIN</c>, e.g. <c>-s 127.0.0.1/32 -p tcp -m tcp --sport 60000 -j DROP</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(80);
        Source?.AppendSpecification(text, 's');
        Destination?.AppendSpecification(text, 'd');
        InInterface?.AppendSpecification(text, 'i');
        OutInterface?.AppendSpecification(text, 'o');
        Protocol?.AppendSpecification(text);
        foreach (var match in Matches)
        {
            match.AppendSpecification(text);
        }

        if (Target != RuleTarget.None)
        {
            text.Append(" -j ").Append(Target.Name());
            if (Target == RuleTarget.Reject)
            {
                text.Append(" --reject-with ").Append(RejectNames.Name(RejectWith));
            }
        }

        return text.Length == 0 ? "" : text.ToString(1, text.Length - 1);
    }
}

/// <summary>A packet and byte count pair, as iptables keeps per rule and per chain policy.</summary>
public readonly record struct RuleCounters(long Packets, long Bytes);

/// <summary><c>[!] -s/-d ADDRESS[/MASK]</c>.</summary>
public sealed record AddressMatch(IPv4Prefix Prefix, bool Inverted)
{
    public bool Matches(IPv4Address address) => Prefix.Contains(address) != Inverted;

    internal void AppendSpecification(StringBuilder text, char letter)
    {
        text.Append(Inverted ? " ! -" : " -").Append(letter).Append(' ');
        text.Append(Prefix.Address).Append('/').Append(Prefix.Length.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary><c>[!] -i/-o NAME</c>; a trailing <c>+</c> matches every interface whose name starts with the rest.</summary>
public sealed record InterfaceMatch(string Name, bool Inverted)
{
    public bool IsWildcard => Name.EndsWith('+');

    public bool Matches(string? interfaceName)
    {
        string actual = interfaceName ?? "";
        bool equal = IsWildcard
            ? actual.StartsWith(Name.AsSpan(0, Name.Length - 1), StringComparison.Ordinal)
            : string.Equals(actual, Name, StringComparison.Ordinal);
        return equal != Inverted;
    }

    internal void AppendSpecification(StringBuilder text, char letter) =>
        text.Append(Inverted ? " ! -" : " -").Append(letter).Append(' ').Append(Name);
}

/// <summary><c>[!] -p PROTOCOL</c>, held as the IP protocol number (0 is <c>all</c>).</summary>
public sealed record ProtocolMatch(byte Number, bool Inverted)
{
    public const byte Tcp = 6;

    public const byte Icmp = 1;

    public bool IsTcp => Number == Tcp && !Inverted;

    internal void AppendSpecification(StringBuilder text)
    {
        if (Number == 0 && !Inverted)
        {
            return;
        }

        text.Append(Inverted ? " ! -p " : " -p ").Append(ProtocolNames.Name(Number));
    }
}
