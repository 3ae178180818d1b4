using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Runtime;
using YamlDotNet.RepresentationModel;

namespace TcpActors.Simulation;

/// <summary>
/// Small helpers over YamlDotNet's node tree that keep every value's position, so that each error in a
/// scenario file names its file, line and column and says what was expected.
/// </summary>
internal sealed class YamlReading(string file)
{
    public string File { get; } = file;

    public SourceSpan At(YamlNode node) => new(File, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>Where a scalar's text begins: after the opening quote of a quoted scalar, so that columns inside the value are exact.</summary>
    public SourceSpan ValueAt(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.SingleQuoted } ? At(node).Shifted(1) : At(node);

    /// <summary>A mapping's entries by key, rejecting keys not in <paramref name="allowed"/> and duplicates.</summary>
    public Dictionary<string, YamlNode> Map(YamlNode node, string what, params string[] allowed)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new ScenarioException(At(node), $"{what} must be a mapping (key: value lines){Found(node)}");
        }

        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = Scalar(keyNode, $"a key of {what}");
            if (allowed.Length > 0 && !allowed.Contains(key, StringComparer.Ordinal))
            {
                // In { a: x,y z } YAML ends the value at the comma and reads 'y z' as the next key: say so.
                string comma = mapping.Style == YamlDotNet.Core.Events.MappingStyle.Flow && key.Contains(' ', StringComparison.Ordinal)
                    ? "; inside { } a ',' ends the value before it: quote a value that holds a comma"
                    : "";
                throw new ScenarioException(At(keyNode), $"unknown key {InputText.Quote(key)} in {what} (expected one of: {string.Join(", ", allowed)}){comma}");
            }

            if (!entries.TryAdd(key, valueNode))
            {
                throw new ScenarioException(At(keyNode), $"{InputText.Quote(key)} appears twice in {what}");
            }
        }

        return entries;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlNode node, string what) =>
        node is YamlSequenceNode sequence
            ? sequence.Children.ToList()
            : throw new ScenarioException(At(node), $"{what} must be a list (lines starting with '- '){Found(node)}");

    public string Scalar(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new ScenarioException(At(node), $"{what} must be a single value{Found(node)}");

    public YamlNode Required(Dictionary<string, YamlNode> map, string key, YamlNode owner, string what) =>
        map.TryGetValue(key, out var node) ? node : throw new ScenarioException(At(owner), $"{what} needs '{key}'");

    public string? OptionalScalar(Dictionary<string, YamlNode> map, string key, string what) =>
        map.TryGetValue(key, out var node) ? Scalar(node, what + " " + key) : null;

    public Duration Duration(YamlNode node, string what) => Durations.Parse(Scalar(node, what), At(node), what);

    public long Integer(YamlNode node, string what, long min, long max)
    {
        string text = Scalar(node, what);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            // A whole number too long for 64 bits is out of range, not "not an integer".
            bool whole = System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            throw new ScenarioException(At(node), whole ? $"{what} must be between {min} and {max}, not {InputText.Quote(text)}" : $"{what} must be an integer, not {InputText.Quote(text)}");
        }

        if (value < min || value > max)
        {
            throw new ScenarioException(At(node), $"{what} must be between {min} and {max}, not {value}");
        }

        return value;
    }

    /// <summary>A seed: a whole number from 0 to 18446744073709551615, as --seed takes it.</summary>
    public ulong Seed(YamlNode node)
    {
        string text = Scalar(node, "seed");
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return value;
        }

        bool whole = System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        throw new ScenarioException(At(node), whole ? $"seed must be between 0 and {ulong.MaxValue}, not {InputText.Quote(text)}" : $"seed must be an integer, not {InputText.Quote(text)}");
    }

    public bool Boolean(YamlNode node, string what)
    {
        string text = Scalar(node, what);
        return text.ToUpperInvariant() switch
        {
            "TRUE" or "YES" or "ON" => true,
            "FALSE" or "NO" or "OFF" => false,
            _ => throw new ScenarioException(At(node), $"{what} must be true or false, not {InputText.Quote(text)}"),
        };
    }

    /// <summary>A value given either as a single scalar or as a list of scalars.</summary>
    public List<(string Value, SourceSpan At)> ScalarOrList(YamlNode node, string what) =>
        node is YamlSequenceNode sequence
            ? sequence.Children.Select(child => (Scalar(child, what), At(child))).ToList()
            : [(Scalar(node, what), At(node))];

    private static string Found(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $", found {InputText.Quote(scalar.Value)}",
        YamlSequenceNode => ", found a list",
        YamlMappingNode => ", found a mapping",
        _ => "",
    };
}

/// <summary>Durations as people write them: <c>200ms</c>, <c>1.5s</c>, <c>60s</c>, <c>2m</c>, <c>2h11m15s</c>, <c>40us</c>.</summary>
public static class Durations
{
    public static Duration Parse(string text, SourceSpan where, string what)
    {
        if (TryParse(text, out var duration))
        {
            return duration;
        }

        throw new ScenarioException(where, $"{what} must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not {InputText.Quote(text)}");
    }

    public static bool TryParse(string? text, out Duration duration)
    {
        duration = Duration.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string rest = text.Trim();
        long total = 0;
        bool any = false;
        int previousRank = int.MaxValue;
        while (rest.Length > 0)
        {
            int number = 0;
            while (number < rest.Length && (char.IsAsciiDigit(rest[number]) || rest[number] == '.'))
            {
                number++;
            }

            int unit = number;
            while (unit < rest.Length && char.IsAsciiLetter(rest[unit]))
            {
                unit++;
            }

            if (number == 0 || !double.TryParse(rest.AsSpan(0, number), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                return false;
            }

            string unitText = rest[number..unit];
            (double scale, int rank) = unitText switch
            {
                "" when unit == rest.Length => (1e9, 3),
                "ns" => (1, 0),
                "us" => (1e3, 1),
                "ms" => (1e6, 2),
                "s" or "sec" => (1e9, 3),
                "m" or "min" => (60e9, 4),
                "h" => (3600e9, 5),
                "d" => (86400e9, 6),
                _ => (double.NaN, -1),
            };

            // Parts go from the largest unit to the smallest, each unit once (2h11m15s, not 1s1s or 1m1h).
            if (double.IsNaN(scale) || rank >= previousRank)
            {
                return false;
            }

            previousRank = rank;
            double nanoseconds = value * scale;
            if (nanoseconds > long.MaxValue / 4 || total > long.MaxValue / 4 - (long)Math.Round(nanoseconds))
            {
                return false;
            }

            total += (long)Math.Round(nanoseconds);
            any = true;
            rest = rest[unit..];
        }

        duration = new Duration(total);
        return any;
    }
}
