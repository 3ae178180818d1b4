using System.Globalization;

namespace TcpActors.Network;

/// <summary>An address as assigned to an interface, with its prefix length: <c>10.0.1.2/24</c>.</summary>
public readonly record struct InterfaceAddress(IPv4Address Address, int PrefixLength)
{
    /// <summary>The connected network: 10.0.1.2/24 → 10.0.1.0/24.</summary>
    public IPv4Prefix Network => new(Address, PrefixLength);

    /// <summary>Parses <c>10.0.1.2/24</c>, or a bare address as /32.</summary>
    public static bool TryParse(string? text, out InterfaceAddress result)
    {
        result = default;
        if (text is null)
        {
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPv4Address.TryParse(slash < 0 ? text : text[..slash], out var address))
        {
            return false;
        }

        int length = 32;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 32 || slash + 1 == text.Length))
        {
            return false;
        }

        result = new InterfaceAddress(address, length);
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
