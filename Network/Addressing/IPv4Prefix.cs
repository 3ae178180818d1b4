using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TcpActors.Network;

/// <summary>A CIDR prefix such as 10.0.0.0/8. A bare address parses as a /32, as iptables reads it.</summary>
public readonly record struct IPv4Prefix
{
    public IPv4Prefix(IPv4Address address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 32);
        Length = length;
        Address = new IPv4Address(address.Value & MaskOf(length));
    }

    /// <summary>The network address (host bits cleared).</summary>
    public IPv4Address Address { get; }

    public int Length { get; }

    public uint Mask => MaskOf(Length);

    public static IPv4Prefix Any => new(IPv4Address.Any, 0);

    public bool Contains(IPv4Address address) => (address.Value & Mask) == Address.Value;

    /// <summary>Parses <c>a.b.c.d/len</c>, <c>a.b.c.d/m.m.m.m</c> (contiguous mask) or a bare address (/32).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Prefix prefix)
    {
        prefix = default;
        if (text is null)
        {
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (!IPv4Address.TryParse(text, out var host))
            {
                return false;
            }

            prefix = new IPv4Prefix(host, 32);
            return true;
        }

        if (!IPv4Address.TryParse(text.AsSpan(0, slash), out var network))
        {
            return false;
        }

        var rest = text.AsSpan(slash + 1);
        if (rest.Length is > 0 and <= 2 && int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out int length) && length <= 32)
        {
            prefix = new IPv4Prefix(network, length);
            return true;
        }

        if (IPv4Address.TryParse(rest, out var mask))
        {
            int ones = System.Numerics.BitOperations.PopCount(mask.Value);
            if (MaskOf(ones) == mask.Value)
            {
                prefix = new IPv4Prefix(network, ones);
                return true;
            }
        }

        return false;
    }

    public static IPv4Prefix Parse(string text) =>
        TryParse(text, out var prefix) ? prefix : throw new FormatException($"'{text}' is not an address or CIDR prefix (expected e.g. 10.0.0.0/8 or 10.0.0.1)");

    public override string ToString() => Length == 32 ? Address.ToString() : $"{Address}/{Length.ToString(CultureInfo.InvariantCulture)}";

    private static uint MaskOf(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);
}
