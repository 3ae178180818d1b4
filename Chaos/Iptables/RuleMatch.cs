using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>An extension match (<c>-m NAME ...</c>): tcp, statistic, comment, length or multiport.</summary>
public abstract record RuleMatch
{
    private protected RuleMatch()
    {
    }

    /// <summary>The match name after <c>-m</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Appends <c> -m NAME --option value...</c> as <c>iptables -S</c> prints it.</summary>
    internal abstract void AppendSpecification(StringBuilder text);

    /// <summary>Appends the words <c>iptables -L</c> prints after the destination column.</summary>
    internal abstract void AppendListing(StringBuilder text, bool numeric);
}

/// <summary>A port or port range (<c>[!] --sport 1000:2000</c>).</summary>
public sealed record PortRange(ushort First, ushort Last, bool Inverted)
{
    public bool Matches(ushort port) => (port >= First && port <= Last) != Inverted;

    /// <summary>Whether the range says nothing (0:65535, not inverted); iptables then prints nothing.</summary>
    public bool IsEverything => First == 0 && Last == ushort.MaxValue && !Inverted;

    internal string Specification => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}:{Last}");

    internal void AppendListing(StringBuilder text, string single, bool numeric)
    {
        if (IsEverything)
        {
            return;
        }

        text.Append(' ').Append(single);
        if (First != Last)
        {
            text.Append('s');
        }

        text.Append(':').Append(Inverted ? "!" : "").Append(ServiceNames.Format(First, numeric));
        if (First != Last)
        {
            text.Append(':').Append(ServiceNames.Format(Last, numeric));
        }
    }
}

/// <summary><c>[!] --tcp-flags MASK COMP</c>: the flags in MASK must be exactly those in COMP (<c>--syn</c> is SYN,RST,ACK,FIN SYN).</summary>
public sealed record TcpFlagsMatch(TcpFlags Mask, TcpFlags Comparison, bool Inverted)
{
    public bool Matches(TcpFlags flags) => ((flags & Mask) == Comparison) != Inverted;
}

/// <summary><c>-m tcp</c>: ports and flags (implied by <c>-p tcp</c> with <c>--sport</c>, <c>--dport</c>, <c>--tcp-flags</c> or <c>--syn</c>).</summary>
public sealed record TcpMatch(PortRange? SourcePorts, PortRange? DestinationPorts, TcpFlagsMatch? Flags) : RuleMatch
{
    public override string Name => "tcp";

    public bool Matches(Segment segment) =>
        (SourcePorts is null || SourcePorts.Matches(segment.SourcePort))
        && (DestinationPorts is null || DestinationPorts.Matches(segment.DestinationPort))
        && (Flags is null || Flags.Matches(segment.Flags));

    internal override void AppendSpecification(StringBuilder text)
    {
        text.Append(" -m tcp");
        AppendPorts(text, SourcePorts, "--sport");
        AppendPorts(text, DestinationPorts, "--dport");
        if (Flags is not null)
        {
            text.Append(Flags.Inverted ? " ! --tcp-flags " : " --tcp-flags ")
                .Append(TcpFlagNames.Format(Flags.Mask)).Append(' ').Append(TcpFlagNames.Format(Flags.Comparison));
        }
    }

    internal override void AppendListing(StringBuilder text, bool numeric)
    {
        text.Append(" tcp");
        SourcePorts?.AppendListing(text, "spt", numeric);
        DestinationPorts?.AppendListing(text, "dpt", numeric);
        if (Flags is not null)
        {
            text.Append(" flags:").Append(Flags.Inverted ? "!" : "");
            text.Append(numeric ? TcpFlagNames.FormatHex(Flags.Mask) : TcpFlagNames.Format(Flags.Mask)).Append('/');
            text.Append(numeric ? TcpFlagNames.FormatHex(Flags.Comparison) : TcpFlagNames.Format(Flags.Comparison));
        }
    }

    private static void AppendPorts(StringBuilder text, PortRange? ports, string option)
    {
        if (ports is not null && !ports.IsEverything)
        {
            text.Append(ports.Inverted ? " ! " : " ").Append(option).Append(' ').Append(ports.Specification);
        }
    }
}

/// <summary>Which <c>-m statistic</c> mode.</summary>
public enum StatisticMode : byte
{
    Random,
    Nth,
}

/// <summary>
/// <c>-m statistic --mode random --probability P</c> or <c>--mode nth --every N [--packet P]</c>, with
/// xt_statistic's arithmetic: the probability is held as a 31-bit threshold, round(P × 2^31), and a
/// packet matches when a random 31-bit number is below it; nth mode matches packets P, P+N, P+2N…
/// (counting from 0) of those that reach the match.
/// </summary>
public sealed record StatisticMatch(StatisticMode Mode, bool Inverted, uint ProbabilityThreshold, uint Every, uint Packet) : RuleMatch
{
    /// <summary>2^31, the scale of xt_statistic's probability.</summary>
    public const double ProbabilityScale = 2147483648.0;

    public override string Name => "statistic";

    /// <summary>The probability the kernel really applies (the threshold over 2^31).</summary>
    public double Probability => ProbabilityThreshold / ProbabilityScale;

    public static StatisticMatch RandomMode(double probability, bool inverted = false) =>
        new(StatisticMode.Random, inverted, (uint)Math.Round(probability * ProbabilityScale, MidpointRounding.AwayFromZero), 0, 0);

    public static StatisticMatch NthMode(uint every, uint packet = 0, bool inverted = false) => new(StatisticMode.Nth, inverted, 0, every, packet);

    internal override void AppendSpecification(StringBuilder text)
    {
        text.Append(" -m statistic --mode ");
        if (Mode == StatisticMode.Random)
        {
            text.Append(Inverted ? "random ! --probability " : "random --probability ").Append(FormatProbability());
        }
        else
        {
            text.Append(Inverted ? "nth ! --every " : "nth --every ").Append(Every.ToString(CultureInfo.InvariantCulture));
            text.Append(" --packet ").Append(Packet.ToString(CultureInfo.InvariantCulture));
        }
    }

    internal override void AppendListing(StringBuilder text, bool numeric)
    {
        if (Mode == StatisticMode.Random)
        {
            text.Append(" statistic mode random").Append(Inverted ? " !" : "").Append(" probability ").Append(FormatProbability());
            return;
        }

        text.Append(" statistic mode nth").Append(Inverted ? " !" : "").Append(" every ").Append(Every.ToString(CultureInfo.InvariantCulture));
        if (Packet != 0)
        {
            text.Append(" packet ").Append(Packet.ToString(CultureInfo.InvariantCulture));
        }
    }

    private string FormatProbability() => Probability.ToString("F11", CultureInfo.InvariantCulture);
}

/// <summary><c>-m comment --comment TEXT</c>: always matches; shown as <c>/* TEXT */</c>.</summary>
public sealed record CommentMatch(string Text) : RuleMatch
{
    public override string Name => "comment";

    internal override void AppendSpecification(StringBuilder text) =>
        text.Append(" -m comment --comment ").Append(SaveString(Text));

    internal override void AppendListing(StringBuilder text, bool numeric) => text.Append(" /* ").Append(Text).Append(" */");

    /// <summary>iptables-save quotes a value only when it holds a character outside [A-Za-z0-9_-], escaping \ " and '.</summary>
    private static string SaveString(string value)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            quoted.Append(c is '"' or '\\' or '\'' ? "\\" : "").Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
