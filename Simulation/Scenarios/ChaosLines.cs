using System.Globalization;
using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>Checks a scenario's chaos steps with the real iptables and tc parsers, so a typo fails at load time with its column.</summary>
internal static class ChaosLines
{
    public static void Validate(IEnumerable<ChaosStep> steps, IReadOnlyList<LinkSpec> links)
    {
        foreach (var step in steps)
        {
            switch (step.Kind)
            {
                case "iptables" or "tc":
                    ParseOrThrow(step);
                    break;
                case "partition":
                    Groups(step);
                    break;
                case "isolate" or "link-down" or "link-up" when string.IsNullOrWhiteSpace(step.Command):
                    throw new ScenarioException(step.Where, $"{step.Kind} needs a {(step.Kind == "isolate" ? "host" : "link as 'a b' (its two hosts)")}");
                case "link-down" or "link-up":
                    RequireLink(step, links);
                    break;
            }
        }
    }

    /// <summary>A link step must name one of the scenario's links, as the run will look it up (<see cref="LinkNames"/>).</summary>
    private static void RequireLink(ChaosStep step, IReadOnlyList<LinkSpec> links)
    {
        if (LinkNames.Resolve(step.Command, (a, b) => LinkNames.Joins(links, a, b)) is null)
        {
            string known = links.Count == 0 ? "this scenario has no links" : "links: " + string.Join(", ", links.Select(l => l.HostA + " " + l.HostB));
            throw new ScenarioException(step.Where, $"{step.Kind} names no link: {InputText.Quote(step.Command)} (name a link by its two hosts, as in 'client server'; {known})");
        }
    }

    /// <summary>Parses the line as written (the word 'iptables' or 'tc' may be left out: the key says which).</summary>
    public static ChaosCommand ParseOrThrow(ChaosStep step)
    {
        string line = step.Command.TrimStart();
        string prefix = "";
        bool named = line.StartsWith("iptables", StringComparison.Ordinal) || line.StartsWith("tc ", StringComparison.Ordinal) || line.StartsWith("sudo ", StringComparison.Ordinal);
        if (!named)
        {
            prefix = step.Kind == "tc" ? "tc " : "iptables ";
        }

        try
        {
            return ChaosCommandParser.Parse(prefix + line);
        }
        catch (ChaosParseException error)
        {
            int column = Math.Max(1, error.Column - prefix.Length) + (step.Command.Length - line.Length) - 1;
            throw new ScenarioException(step.Where.Shifted(column), error.Message);
        }
    }

    /// <summary>A partition's two groups, written <c>[a, b] [c]</c> or <c>a,b | c</c>.</summary>
    public static (List<string> A, List<string> B) Groups(ChaosStep step)
    {
        string text = step.Command.Replace("] [", "|", StringComparison.Ordinal).Replace("][", "|", StringComparison.Ordinal).Trim('[', ']', ' ');
        var halves = text.Split('|');
        if (halves.Length != 2)
        {
            throw new ScenarioException(step.Where, string.Create(CultureInfo.InvariantCulture, $"a partition names two groups of hosts, as in [[client], [server]], not {InputText.Quote(step.Command)}"));
        }

        static List<string> Hosts(string part) => part.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => h.Trim('[', ']', ' ')).ToList();
        var (a, b) = (Hosts(halves[0]), Hosts(halves[1]));
        if (a.Count == 0 || b.Count == 0)
        {
            throw new ScenarioException(step.Where, $"each group of a partition names at least one host, as in [[client], [server]], not {InputText.Quote(step.Command)}");
        }

        return (a, b);
    }
}

/// <summary>
/// Link rates in tc's notation (tc(8) "RATES"): a number with bit, kbit, mbit, gbit, tbit (or kibit…, and
/// bps, kbps, mbps, gbps for bytes per second); a bare number is bits per second.
/// </summary>
internal static class Rates
{
    private static readonly (string Unit, double BitsPerUnit)[] s_units =
    [
        ("tbit", 1e12), ("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("tibit", 1099511627776), ("gibit", 1073741824), ("mibit", 1048576), ("kibit", 1024),
        ("tbps", 8e12), ("gbps", 8e9), ("mbps", 8e6), ("kbps", 8e3), ("bps", 8), ("bit", 1),
    ];

    public static long Parse(string text, SourceSpan where)
    {
        string lower = text.Trim().ToLowerInvariant();
        int split = 0;
        while (split < lower.Length && (char.IsAsciiDigit(lower[split]) || lower[split] == '.'))
        {
            split++;
        }

        string unit = lower[split..];
        double perUnit = unit.Length == 0 ? 1 : s_units.FirstOrDefault(u => u.Unit == unit).BitsPerUnit;
        if (split == 0 || perUnit == 0 || !double.TryParse(lower.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            throw new ScenarioException(where, $"{InputText.Quote(text)} is not a rate (e.g. 100mbit, 1gbit, 64kbit, 125kbps)");
        }

        return (long)Math.Min(value * perUnit, long.MaxValue / 2);
    }
}
