using System.Globalization;
using System.Text;
using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>One segment as a pattern sees it.</summary>
/// <param name="Forward">Same direction as the capture's first SYN (client to server).</param>
/// <param name="Flags">tcpdump's flag letters: <c>S</c>, <c>S.</c>, <c>.</c>, <c>P.</c>, <c>F.</c>, <c>R</c>…</param>
/// <param name="Length">Payload bytes.</param>
/// <param name="Retransmission">It re-sends sequence space already sent in its direction.</param>
/// <param name="Seq">Its sequence number relative to the first SYN sent in its direction in the run (absolute if none was).</param>
/// <param name="Ack">Its acknowledgment number relative to the first SYN sent the other way (absolute if none was); null without the ACK flag.</param>
/// <param name="DuplicateAck">Its sender says it is a duplicate ACK (<see cref="Network.Segment.DuplicateAck"/>).</param>
public readonly record struct ObservedSegment(bool Forward, string Flags, int Length, bool Retransmission, uint Seq = 0, uint? Ack = null, bool DuplicateAck = false);

/// <summary>
/// A compact pattern over a sequence of segments, the way people write ladder diagrams in prose:
/// <c>&gt;S &lt;S. &gt;. &gt;F.(retx){2} &lt;. ... &lt;R</c>.
/// <list type="bullet">
/// <item><c>&gt;</c> / <c>&lt;</c>: in the direction of the first SYN, or against it (omit for either);</item>
/// <item>flags as tcpdump prints them (<c>S.</c>, <c>P.</c>, <c>F.</c>, <c>R</c>, <c>R.</c>, <c>.</c>), or <c>*</c> for any;</item>
/// <item>markers: <c>(retx)</c> a retransmission, <c>(new)</c> not one, <c>(dup)</c> a duplicate ACK as its
/// sender says, <c>(nodup)</c> not one, <c>(len=N)</c> N payload bytes,
/// <c>(seq=N)</c> and <c>(ack=N)</c> sequence and acknowledgment numbers relative to the first SYN of the run
/// in that direction (so they go on counting across connections that reuse a 4-tuple; absolute when
/// no SYN was sent that way);</item>
/// <item>repetition: <c>{N}</c>, <c>{N,M}</c>, <c>{N,}</c>, <c>+</c>, <c>?</c>;</item>
/// <item><c>...</c> any number of segments.</item>
/// </list>
/// </summary>
public sealed class SegmentPattern
{
    private readonly List<Token> _tokens;

    private SegmentPattern(string text, List<Token> tokens)
    {
        Text = text;
        _tokens = tokens;
    }

    public string Text { get; }

    public static SegmentPattern Parse(string text, SourceSpan where)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            tokens.Add(ParseToken(text[start..i], where.Shifted(start)));
        }

        if (tokens.Count == 0)
        {
            throw new ScenarioException(where, "empty segment pattern (expected tokens like '>S <S. >.')");
        }

        return new SegmentPattern(text, tokens);
    }

    /// <summary>Whether the whole sequence matches the whole pattern.</summary>
    public bool Matches(IReadOnlyList<ObservedSegment> segments) => Match(segments, 0, 0);

    public override string ToString() => Text;

    private bool Match(IReadOnlyList<ObservedSegment> segments, int tokenIndex, int position)
    {
        if (tokenIndex == _tokens.Count)
        {
            return position == segments.Count;
        }

        var token = _tokens[tokenIndex];
        int max = token.Max;
        int count = 0;
        // Greedy: take as many as allowed, then back off.
        while (count < max && position + count < segments.Count && token.Accepts(segments[position + count]))
        {
            count++;
        }

        for (; count >= token.Min; count--)
        {
            if (Match(segments, tokenIndex + 1, position + count))
            {
                return true;
            }
        }

        return false;
    }

    private static Token ParseToken(string text, SourceSpan where)
    {
        if (text == "...")
        {
            return new Token(null, "*", null, null, 0, int.MaxValue);
        }

        int i = 0;
        bool? forward = null;
        if (text[i] is '>' or '<')
        {
            forward = text[i] == '>';
            i++;
        }

        int flagsStart = i;
        while (i < text.Length && "FSRPUEW.*".Contains(text[i], StringComparison.Ordinal))
        {
            i++;
        }

        string flags = text[flagsStart..i];
        if (flags.Length == 0)
        {
            throw new ScenarioException(where.Shifted(i), $"expected TCP flags as tcpdump prints them (S, S., ., P., F., R, R.) in {InputText.Quote(text)}");
        }

        bool? retransmission = null;
        bool? duplicateAck = null;
        int? length = null;
        uint? seq = null;
        uint? ack = null;
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        while (i < text.Length && text[i] == '(')
        {
            int close = text.IndexOf(')', i);
            if (close < 0)
            {
                throw new ScenarioException(where.Shifted(i), $"unclosed '(' in {InputText.Quote(text)}");
            }

            string marker = text[(i + 1)..close];
            string kind = marker switch
            {
                "retx" or "new" => "(retx)/(new)",
                "dup" or "nodup" => "(dup)/(nodup)",
                _ => marker.Split('=')[0],
            };
            if (!kinds.Add(kind))
            {
                throw new ScenarioException(where.Shifted(i), $"'({marker})' contradicts or repeats an earlier marker in {InputText.Quote(text)} (one of (retx)/(new), one of (dup)/(nodup), and len, seq, ack once each)");
            }

            if (marker == "retx")
            {
                retransmission = true;
            }
            else if (marker == "new")
            {
                retransmission = false;
            }
            else if (marker is "dup" or "nodup")
            {
                duplicateAck = marker == "dup";
            }
            else if (marker.StartsWith("len=", StringComparison.Ordinal) && int.TryParse(marker.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
            {
                length = parsed;
            }
            else if (marker.StartsWith("seq=", StringComparison.Ordinal) && uint.TryParse(marker.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out uint parsedSeq))
            {
                seq = parsedSeq;
            }
            else if (marker.StartsWith("ack=", StringComparison.Ordinal) && uint.TryParse(marker.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out uint parsedAck))
            {
                ack = parsedAck;
            }
            else
            {
                throw new ScenarioException(where.Shifted(i), $"unknown marker '({marker})' (expected (retx), (new), (dup), (nodup), (len=N), (seq=N) or (ack=N))");
            }

            i = close + 1;
        }

        var (min, max) = ParseRepeat(text, ref i, where);
        if (i != text.Length)
        {
            throw new ScenarioException(where.Shifted(i), $"unexpected {InputText.Quote(text[i..])} in pattern token {InputText.Quote(text)}");
        }

        return new Token(forward, flags, retransmission, length, min, max) { Seq = seq, Ack = ack, DuplicateAck = duplicateAck };
    }

    private static (int Min, int Max) ParseRepeat(string text, ref int i, SourceSpan where)
    {
        if (i == text.Length)
        {
            return (1, 1);
        }

        switch (text[i])
        {
            case '+':
                i++;
                return (1, int.MaxValue);
            case '?':
                i++;
                return (0, 1);
            case '{':
                int close = text.IndexOf('}', i);
                string body = close < 0 ? "" : text[(i + 1)..close];
                var parts = body.Split(',');
                if (close < 0 || parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int min))
                {
                    throw new ScenarioException(where.Shifted(i), $"bad repetition in {InputText.Quote(text)} (expected {{N}}, {{N,M}} or {{N,}})");
                }

                int max = min;
                if (parts.Length == 2)
                {
                    max = parts[1].Length == 0 ? int.MaxValue
                        : int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parsedMax) && parsedMax >= min ? parsedMax
                        : throw new ScenarioException(where.Shifted(i), $"bad repetition in {InputText.Quote(text)} (the maximum must be a number not below the minimum)");
                }

                i = close + 1;
                return (min, max);
            default:
                return (1, 1);
        }
    }

    /// <summary>Renders observed segments in pattern syntax, for failure messages.</summary>
    public static string Render(IEnumerable<ObservedSegment> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            text.Append(segment.Forward ? '>' : '<').Append(segment.Flags);
            if (segment.Retransmission)
            {
                text.Append("(retx)");
            }

            if (segment.DuplicateAck)
            {
                text.Append("(dup)");
            }

            text.Append(' ');
        }

        return text.ToString().TrimEnd();
    }

    private sealed record Token(bool? Forward, string Flags, bool? Retransmission, int? Length, int Min, int Max)
    {
        public uint? Seq { get; init; }

        public uint? Ack { get; init; }

        public bool? DuplicateAck { get; init; }

        public bool Accepts(ObservedSegment segment) =>
            (Forward is null || Forward == segment.Forward)
            && (Flags == "*" || Flags == segment.Flags)
            && (Retransmission is null || Retransmission == segment.Retransmission)
            && (Length is null || Length == segment.Length)
            && (Seq is null || Seq == segment.Seq)
            && (Ack is null || Ack == segment.Ack)
            && (DuplicateAck is null || DuplicateAck == segment.DuplicateAck);
    }
}
