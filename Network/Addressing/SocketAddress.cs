using System.Globalization;

namespace TcpActors.Network;

/// <summary>An IPv4 address and a port: <c>10.0.0.1:49152</c>.</summary>
public readonly record struct SocketAddress(IPv4Address Address, ushort Port) : IComparable<SocketAddress>
{
    public static SocketAddress Parse(string text) =>
        TryParse(text, out var result) ? result : throw new FormatException($"'{text}' is not an address:port (expected e.g. 10.0.0.1:8080)");

    public static bool TryParse(string? text, out SocketAddress result)
    {
        result = default;
        int colon = text?.LastIndexOf(':') ?? -1;
        if (colon < 0
            || !IPv4Address.TryParse(text.AsSpan(0, colon), out var address)
            || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
        {
            return false;
        }

        result = new SocketAddress(address, port);
        return true;
    }

    public static bool operator <(SocketAddress left, SocketAddress right) => left.CompareTo(right) < 0;

    public static bool operator >(SocketAddress left, SocketAddress right) => left.CompareTo(right) > 0;

    public static bool operator <=(SocketAddress left, SocketAddress right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SocketAddress left, SocketAddress right) => left.CompareTo(right) >= 0;

    public int CompareTo(SocketAddress other)
    {
        int byAddress = Address.CompareTo(other.Address);
        return byAddress != 0 ? byAddress : Port.CompareTo(other.Port);
    }

    public override string ToString() => $"{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>tcpdump's form, with a dot before the port: <c>10.0.0.1.49152</c>.</summary>
    public string ToTcpdumpString() => $"{Address}.{Port.ToString(CultureInfo.InvariantCulture)}";
}
