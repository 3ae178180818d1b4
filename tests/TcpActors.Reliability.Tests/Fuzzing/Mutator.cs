using System.Globalization;
using System.Text;
using TcpActors.Runtime;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// Makes bad inputs from good ones, deterministically from a seed: truncation, splicing, deleted,
/// repeated and swapped lines, interesting numbers, wrong types, odd unicode, deep nesting, very long
/// lines and YAML's own traps (tabs, anchors, tags, several documents). Every draw comes from a
/// <see cref="RandomStream"/>, so a failing input is reproduced by its seed alone.
/// </summary>
public sealed class Mutator(ulong seed)
{
    /// <summary>Numbers that break parsers: limits of every integer type and beyond, floats that overflow, odd spellings.</summary>
    public static readonly string[] InterestingNumbers =
    [
        "0", "-0", "-1", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999999999999",
        "1e308", "1e309", "-1e309", "1e-400", "NaN", "Infinity", "-Infinity", "0x10", "0b101", "1_000", ".5", "5.", "1,5", "٣", "１２",
    ];

    /// <summary>Characters that trip text handling: controls, NUL, BOM, direction overrides, zero-width, lone surrogates, emoji, combining marks.</summary>
    public static readonly string[] OddCharacters =
    [
        "\0", "\t", "\r", "\u0007", "\u001b[31m", "\uFEFF", "\u202E", "\u200B", "\u00A0", "\uD800", "\uDC00", "😀", "𝕏", "e\u0301", "é", "中文",
        "\u2028", "\u0085", "\\", "\"", "'", "`", "%", "&", "*", "!", "|", ">", "#", "@", "{", "}", "[", "]", ":", ",", "-", "?",
    ];

    /// <summary>YAML constructs a schema-driven reader may not expect.</summary>
    public static readonly string[] YamlTraps =
    [
        "&a ", "*a", "<<: *a", "!!binary ", "!!python/object:os.system ", "!custom ", "!!set ", "? ", "--- ", "...", "%YAML 1.1",
        "{}", "[]", "~", "null", "yes", "no", "on", "off", "true", "False", "|\n  block", ">-\n  folded", "\"\\u0000\"", "'it''s'",
        "{a: 1, a: 2}", "[1, [2, [3]]]", "{ key: [ ] }",
    ];

    /// <summary>The deepest nesting generated: beyond the 17,000 levels that once overflowed the test host's stack.</summary>
    public const int MaxNesting = 40_000;

    private readonly RandomStream _random = new(seed);

    /// <summary>One mutation of <paramref name="text"/>; <paramref name="other"/> is spliced in by some of them.</summary>
    public string Mutate(string text, string other)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(other);
        return Pick(15) switch
        {
            0 => text[..Pick(text.Length + 1)],
            1 => text[..Pick(text.Length + 1)] + other[Pick(other.Length + 1)..],
            2 => EditLines(text, lines => lines.RemoveAt(Pick(lines.Count))),
            3 => EditLines(text, lines => lines.Insert(Pick(lines.Count), lines[Pick(lines.Count)])),
            4 => EditLines(text, Swap),
            5 => ReplaceToken(text, IsNumber, Pick(InterestingNumbers)),
            6 => InsertAt(text, Pick(OddCharacters)),
            7 => ReplaceToken(text, _ => true, Pick(YamlTraps)),
            8 => ReplaceToken(text, IsWord, Pick(["{a: 1}", "[1, 2]", "- x", "\"\"", "''", "[[]]", "{b: {c: d}}"])),
            9 => InsertAt(text, Deep()),
            10 => InsertAt(text, new string('x', 1 + Pick(200_000))),
            11 => text.Replace("  ", "\t", StringComparison.Ordinal),
            12 => ReplaceToken(text, IsWord, Flip(Pick(["hosts", "apps", "script", "chaos", "expect", "links", "at", "host"]))),
            13 => InsertAt(text, Pick(OddCharacters) + Pick(OddCharacters) + Pick(OddCharacters)),
            _ => Mutate(Mutate(text, other), other),
        };
    }

    /// <summary>Random bytes, decoded as UTF-8 (invalid sequences become U+FFFD) or as Latin-1.</summary>
    public string RandomText(int maxLength)
    {
        var bytes = new byte[Pick(maxLength + 1)];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)_random.NextUInt32();
        }

        return Pick(2) == 0 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }

    public int Pick(int count) => count <= 0 ? 0 : _random.NextInt32(count);

    public T Pick<T>(IReadOnlyList<T> items) => items[Pick(items.Count)];

    /// <summary>
    /// Nesting up to tens of thousands deep, in flow or block style (deep enough to overflow YamlDotNet's recursive
    /// node building if the loader's depth bound were gone; block style is capped, its size grows with the square).
    /// </summary>
    private string Deep()
    {
        int depth = 1 + Pick(MaxNesting);
        return Pick(3) switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth),
            _ => "\n" + string.Concat(Enumerable.Range(0, Math.Min(depth, 2_000)).Select(i => new string(' ', i) + "a:\n")),
        };
    }

    private string InsertAt(string text, string insertion)
    {
        int at = Pick(text.Length + 1);
        return text[..at] + insertion + text[at..];
    }

    private static string EditLines(string text, Action<List<string>> edit)
    {
        var lines = text.Split('\n').ToList();
        if (lines.Count > 1)
        {
            edit(lines);
        }

        return string.Join('\n', lines);
    }

    private void Swap(List<string> lines)
    {
        int a = Pick(lines.Count);
        int b = Pick(lines.Count);
        (lines[a], lines[b]) = (lines[b], lines[a]);
    }

    /// <summary>Replaces one token (a run of non-space characters) that matches <paramref name="accept"/>, if any.</summary>
    private string ReplaceToken(string text, Func<string, bool> accept, string replacement)
    {
        var tokens = new List<(int Start, int Length)>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (',' or ':' or '[' or ']' or '{' or '}' or '(' or ')'))
            {
                i++;
            }

            if (i > start && accept(text[start..i]))
            {
                tokens.Add((start, i - start));
            }

            if (i == start)
            {
                i++;
            }
        }

        if (tokens.Count == 0)
        {
            return InsertAt(text, replacement);
        }

        var (at, length) = Pick(tokens);
        return text[..at] + replacement + text[(at + length)..];
    }

    private static bool IsNumber(string token) => token.Length > 0 && char.IsAsciiDigit(token[0]);

    private static bool IsWord(string token) => token.Length > 1 && char.IsAsciiLetter(token[0]);

    private string Flip(string word) => Pick(3) switch
    {
        0 => word.ToUpperInvariant(),
        1 => word + "s",
        _ => word[..^1],
    };

    /// <summary>A printable form of an input for failure messages: escapes, and at most 2,000 characters.</summary>
    public static string Show(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = new StringBuilder();
        foreach (char c in input.Length > 2000 ? input[..2000] : input)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return input.Length > 2000 ? text + $"... ({input.Length} characters)" : text.ToString();
    }
}
