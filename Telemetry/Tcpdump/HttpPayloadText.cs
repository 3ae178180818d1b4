using System.Text;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// tcpdump hands a TCP payload to an application printer chosen by port. Of those printers only HTTP
/// (ports 80 and 8080, common in scenarios) is reproduced: it prints <c>: HTTP</c>, then, when the payload
/// starts with a request method or a status line ending in a line break, <c>: </c> and that first line
/// (util-print.c txtproto_print without -v). Payloads on other printer ports (21, 22, 23, 25, 53, 179, 2049,
/// 6379 …) are not dissected; see docs/observation.md.
/// </summary>
internal static class HttpPayloadText
{
    private static readonly string[] s_methods =
    [
        "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "ORDERPATCH",
    ];

    public static bool Applies(Segment segment) =>
        segment.PayloadLength > 0 && (IsHttpPort(segment.SourcePort) || IsHttpPort(segment.DestinationPort));

    public static void Append(StringBuilder text, Segment segment)
    {
        text.Append(": HTTP");
        var payload = segment.Payload.Span;
        if (payload.Length > segment.PayloadLength)
        {
            payload = payload[..segment.PayloadLength];
        }

        if (LooksLikeRequestOrStatus(payload) && TryFirstLine(payload, out var line))
        {
            text.Append(": ").Append(Encoding.ASCII.GetString(line));
        }
    }

    private static bool IsHttpPort(ushort port) => port is 80 or 8080;

    private static bool LooksLikeRequestOrStatus(ReadOnlySpan<byte> payload)
    {
        var first = Token(payload, 0, out int next);
        if (first.IsEmpty)
        {
            return false;
        }

        string word = Encoding.ASCII.GetString(first);
        if (Array.Exists(s_methods, method => string.Equals(method, word, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // A response: the second token is a three-digit status code.
        var second = Token(payload, next, out _);
        return second.Length == 3 && char.IsAsciiDigit((char)second[0]) && char.IsAsciiDigit((char)second[1]) && char.IsAsciiDigit((char)second[2]);
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> payload, int start, out int next)
    {
        int at = start;
        while (at < payload.Length && payload[at] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') && payload[at] is >= 0x20 and < 0x7F)
        {
            at++;
        }

        var token = payload[start..at];
        while (at < payload.Length && payload[at] is (byte)' ' or (byte)'\t')
        {
            at++;
        }

        next = at;
        return token;
    }

    private static bool TryFirstLine(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> line)
    {
        for (int at = 0; at < payload.Length; at++)
        {
            byte c = payload[at];
            if (c == '\n' || (c == '\r' && at + 1 < payload.Length && payload[at + 1] == '\n'))
            {
                line = payload[..at];
                return true;
            }

            if (c == '\r' || ((c < 0x20 || c >= 0x7F) && c != '\t'))
            {
                break;
            }
        }

        line = default;
        return false;
    }
}
