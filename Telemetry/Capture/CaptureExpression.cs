using System.Globalization;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// A small subset of tcpdump's filter language (pcap-filter(7)), enough for the captures the seed posts
/// take: primitives <c>tcp</c>, <c>icmp</c>, <c>[src|dst] port N</c>, <c>tcp [src|dst] port N</c> and
/// <c>[src|dst] host A.B.C.D</c>, joined by <c>and</c> (or <c>&amp;&amp;</c>). As in tcpdump, <c>port</c>
/// matches only TCP (there is no UDP here), so an ICMP error quoting that port does not match it.
/// </summary>
public sealed class CaptureExpression
{
    private readonly Func<Packet, bool>[] _terms;

    private CaptureExpression(string text, Func<Packet, bool>[] terms)
    {
        Text = text;
        _terms = terms;
    }

    public string Text { get; }

    public bool Matches(Packet packet) => Array.TrueForAll(_terms, term => term(packet));

    public override string ToString() => Text;

    /// <summary>Parses an expression such as <c>tcp port 60000</c> or <c>host 10.0.0.1 and port 80</c>.</summary>
    public static CaptureExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var terms = new List<Func<Packet, bool>>();
        int at = 0;
        while (at < words.Length)
        {
            terms.Add(ParsePrimitive(text, words, ref at));
            if (at < words.Length)
            {
                if (words[at] is not ("and" or "&&"))
                {
                    throw Error(text, $"expected 'and' before '{words[at]}'");
                }

                at++;
                if (at == words.Length)
                {
                    throw Error(text, "nothing after 'and'");
                }
            }
        }

        return new CaptureExpression(text, [.. terms]);
    }

    private static Func<Packet, bool> ParsePrimitive(string text, string[] words, ref int at)
    {
        string word = words[at++];
        switch (word)
        {
            case "icmp":
                return packet => packet is IcmpPacket;
            case "tcp" when at < words.Length && words[at] is "port" or "src" or "dst":
                return ParsePrimitive(text, words, ref at);
            case "tcp":
                return packet => packet is Segment;
            case "src" or "dst" when at < words.Length:
                return ParseDirected(text, words, ref at, word == "src");
            case "port":
                ushort port = ParsePort(text, words, ref at);
                return packet => packet is Segment segment && (segment.SourcePort == port || segment.DestinationPort == port);
            case "host":
                var address = ParseAddress(text, words, ref at);
                return packet => packet.Source == address || packet.Destination == address;
            default:
                throw Error(text, $"'{word}' is not supported (use tcp, icmp, [src|dst] port N, [src|dst] host A.B.C.D, joined by 'and')");
        }
    }

    private static Func<Packet, bool> ParseDirected(string text, string[] words, ref int at, bool source)
    {
        string kind = words[at++];
        if (kind == "port")
        {
            ushort port = ParsePort(text, words, ref at);
            return packet => packet is Segment segment && (source ? segment.SourcePort : segment.DestinationPort) == port;
        }

        if (kind == "host")
        {
            var address = ParseAddress(text, words, ref at);
            return packet => (source ? packet.Source : packet.Destination) == address;
        }

        throw Error(text, $"expected 'port' or 'host' after '{(source ? "src" : "dst")}', found '{kind}'");
    }

    private static ushort ParsePort(string text, string[] words, ref int at)
    {
        if (at >= words.Length || !ushort.TryParse(words[at], NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
        {
            throw Error(text, "'port' needs a number 0-65535");
        }

        at++;
        return port;
    }

    private static IPv4Address ParseAddress(string text, string[] words, ref int at)
    {
        if (at >= words.Length || !IPv4Address.TryParse(words[at], out var address))
        {
            throw Error(text, "'host' needs an IPv4 address like 10.0.0.1");
        }

        at++;
        return address;
    }

    private static FormatException Error(string text, string reason) => new($"Capture filter '{text}': {reason}");
}
