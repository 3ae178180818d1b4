using System.Globalization;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// Parsers for the values of iptables options. Each returns null on failure and the caller raises the
/// error with iptables' wording (<c>invalid port/service `X' specified</c>), pointing at the word.
/// </summary>
internal static class IptablesValues
{
    /// <summary>Linux's IFNAMSIZ minus the terminating zero.</summary>
    public const int InterfaceNameLengthMax = 15;

    /// <summary>
    /// <c>ADDRESS[/MASK]</c>: a dotted quad (or <c>0</c>, as in <c>0/0</c>) or a host name the resolver knows, then
    /// an optional prefix length or contiguous dotted mask. Returns the error message on failure.
    /// </summary>
    public static string? TryParsePrefix(string text, Func<string, IPv4Address?> resolveHost, out IPv4Prefix prefix)
    {
        prefix = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string host = slash < 0 ? text : text[..slash];
        if (OctalLookalike.Part(host) is { } octal)
        {
            return $"host/network `{InputText.Escape(host)}': '{octal}' has a leading zero, which iptables reads as octal (010 is 8): write the address without leading zeros";
        }

        IPv4Address? address = host == "0" ? IPv4Address.Any
            : IPv4Address.TryParse(host, out var parsed) ? parsed
            : resolveHost(host);
        if (address is null)
        {
            return $"host/network `{InputText.Escape(host)}' not found";
        }

        int length = 32;
        if (slash >= 0 && !TryParseMask(text[(slash + 1)..], out length))
        {
            return $"invalid mask `{InputText.Escape(text[(slash + 1)..])}' specified";
        }

        prefix = new IPv4Prefix(address.Value, length);
        return null;
    }

    /// <summary>
    /// <c>PORT</c>, <c>FIRST:LAST</c>, <c>:LAST</c> or <c>FIRST:</c>, with service names allowed. Returns the error
    /// message on failure, worded as iptables words it.
    /// </summary>
    public static string? TryParsePortRange(string text, bool inverted, out PortRange range)
    {
        range = new PortRange(0, 0, inverted);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return TryParsePort(text, out ushort port) ? Set(out range, port, port, inverted) : $"invalid port/service `{InputText.Escape(text)}' specified";
        }

        string firstText = text[..colon];
        string lastText = text[(colon + 1)..];
        ushort first = 0;
        ushort last = ushort.MaxValue;
        if (firstText.Length > 0 && !TryParsePort(firstText, out first))
        {
            return $"invalid port/service `{InputText.Escape(firstText)}' specified";
        }

        if (lastText.Length > 0 && !TryParsePort(lastText, out last))
        {
            return $"invalid port/service `{InputText.Escape(lastText)}' specified";
        }

        return first > last ? "invalid portrange (min > max)" : Set(out range, first, last, inverted);
    }

    /// <summary>A positive rule number, as <c>-I CHAIN 2</c> and <c>-D CHAIN 2</c> take it.</summary>
    public static bool TryParseRuleNumber(string text, out int number) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;

    /// <summary>An unsigned 64-bit counter for <c>-c PACKETS BYTES</c>.</summary>
    public static bool TryParseCounter(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>A decimal number with no sign, no spaces and no leading zero (iptables reads <c>080</c> as bad octal).</summary>
    public static bool TryParseDecimal(string text, ulong maximum, out ulong value)
    {
        value = 0;
        bool wellFormed = text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0');
        return wellFormed && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= maximum;
    }

    private static bool TryParsePort(string text, out ushort port)
    {
        port = 0;
        if (TryParseDecimal(text, ushort.MaxValue, out ulong number))
        {
            port = (ushort)number;
            return true;
        }

        return ServiceNames.TryParse(text, out port);
    }

    private static bool TryParseMask(string text, out int length)
    {
        length = 0;
        if (TryParseDecimal(text, 32, out ulong bits))
        {
            length = (int)bits;
            return true;
        }

        if (!IPv4Address.TryParse(text, out var mask))
        {
            return false;
        }

        // Only contiguous masks: a prefix of ones, then zeros.
        length = System.Numerics.BitOperations.PopCount(mask.Value);
        return new IPv4Prefix(IPv4Address.Broadcast, length).Address.Value == mask.Value;
    }

    private static string? Set(out PortRange range, ushort first, ushort last, bool inverted)
    {
        range = new PortRange(first, last, inverted);
        return null;
    }
}
