using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// tcpdump hands a TCP payload to an application printer chosen by port. Of those printers only HTTP
/// (ports 80 and 8080, common in scenarios) is reproduced, as util-print.c's txtproto_print does it: always
/// <c>: HTTP</c>; when the payload starts with a request method or a status line, <c>: </c> and its first
/// line (or, with -v, <c>, length: N</c> and every text line on its own tab-indented line). Payloads on other
/// printer ports (21, 22, 23, 25, 53, 179, 2049, 6379 …) are not dissected; see docs/observation.md.
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

    public static void Append(StringBuilder text, Segment segment, bool verbose)
    {
        text.Append(": HTTP");
        var payload = new PayloadBytes(segment);
        bool isRequestOrStatus = LooksLikeRequestOrStatus(payload);
        if (!isRequestOrStatus)
        {
            return;
        }

        if (!verbose)
        {
            PrintLine(text, ": ", payload, 0);
            return;
        }

        // With -v tcpdump prints the length, then every line of printable text, each on its own tab-indented line.
        text.Append(CultureInfo.InvariantCulture, $", length: {payload.Length}");
        int at = 0;
        while (at < payload.Length && (at = PrintLine(text, "\n\t", payload, at)) != 0)
        {
        }
    }

    /// <summary>
    /// util-print.c's print_txt_line: prints one line ending in LF or CR LF and returns where the next starts;
    /// returns 0 without printing on a non-printable byte or a lone CR, and prints an unterminated line with
    /// tcpdump's truncation mark.
    /// </summary>
    private static int PrintLine(StringBuilder text, string prefix, PayloadBytes payload, int start)
    {
        for (int at = start; at < payload.Length; at++)
        {
            byte c = payload[at];
            if (c == '\n')
            {
                AppendLine(text, prefix, payload, start, at);
                return at + 1;
            }

            if (c == '\r')
            {
                if (at + 1 >= payload.Length || payload[at + 1] != '\n')
                {
                    return 0;
                }

                AppendLine(text, prefix, payload, start, at);
                return at + 2;
            }

            if ((c < 0x20 || c >= 0x7F) && c != '\t')
            {
                return 0;
            }
        }

        AppendLine(text, prefix, payload, start, payload.Length);
        text.Append(" [|http]");
        return 0;
    }

    private static void AppendLine(StringBuilder text, string prefix, PayloadBytes payload, int start, int end)
    {
        text.Append(prefix);
        for (int i = start; i < end; i++)
        {
            text.Append((char)payload[i]);
        }
    }

    private static bool IsHttpPort(ushort port) => port is 80 or 8080;

    private static bool LooksLikeRequestOrStatus(PayloadBytes payload)
    {
        string first = Token(payload, 0, out int next);
        if (first.Length == 0)
        {
            return false;
        }

        if (Array.Exists(s_methods, method => string.Equals(method, first, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // A response: the second token is a three-digit status code.
        string second = Token(payload, next, out _);
        return second.Length == 3 && second.All(char.IsAsciiDigit);
    }

    private static string Token(PayloadBytes payload, int start, out int next)
    {
        var token = new StringBuilder();
        int at = start;
        while (at < payload.Length && payload[at] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') && payload[at] is >= 0x20 and < 0x7F)
        {
            token.Append((char)payload[at]);
            at++;
        }

        while (at < payload.Length && payload[at] is (byte)' ' or (byte)'\t')
        {
            at++;
        }

        next = at;
        return token.ToString();
    }

    /// <summary>The payload as the wire has it: the carried bytes, then zeros up to the payload length.</summary>
    private readonly ref struct PayloadBytes(Segment segment)
    {
        private readonly ReadOnlySpan<byte> _bytes = segment.Payload.Span;

        public int Length { get; } = segment.PayloadLength;

        public byte this[int index] => index < _bytes.Length ? _bytes[index] : (byte)0;
    }
}
