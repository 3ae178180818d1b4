using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TcpActors.Network;

/// <summary>An IPv4 address, held as a 32-bit number in network order of significance (10.0.0.1 = 0x0A000001).</summary>
public readonly record struct IPv4Address(uint Value) : IComparable<IPv4Address>, ISpanFormattable
{
    public static readonly IPv4Address Any = new(0);

    public static readonly IPv4Address Loopback = new(0x7F000001);

    public static readonly IPv4Address Broadcast = new(0xFFFFFFFF);

    /// <summary>In 127.0.0.0/8 (what Linux's tcp_tw_reuse=2 calls loopback).</summary>
    public bool IsLoopback => (Value >> 24) == 127;

    public bool IsAny => Value == 0;

    public static IPv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address (expected four numbers 0-255 separated by dots, like 10.0.0.1)");

    /// <summary>Parses dotted-quad notation strictly: four decimal numbers 0-255, no leading '+', no spaces.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Address address) => TryParse(text.AsSpan(), out address);

    public static bool TryParse(ReadOnlySpan<char> text, out IPv4Address address)
    {
        address = Any;
        uint value = 0;
        int parts = 0;
        int i = 0;
        while (parts < 4)
        {
            int start = i;
            uint part = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                part = (part * 10) + (uint)(text[i] - '0');
                i++;
            }

            if (i == start || part > 255 || (i < text.Length && char.IsAsciiDigit(text[i])))
            {
                return false;
            }

            value = (value << 8) | part;
            parts++;
            if (parts < 4)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        address = new IPv4Address(value);
        return true;
    }

    public void WriteBigEndian(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public static bool operator <(IPv4Address left, IPv4Address right) => left.CompareTo(right) < 0;

    public static bool operator >(IPv4Address left, IPv4Address right) => left.CompareTo(right) > 0;

    public static bool operator <=(IPv4Address left, IPv4Address right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IPv4Address left, IPv4Address right) => left.CompareTo(right) >= 0;

    public int CompareTo(IPv4Address other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}");

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}", out charsWritten);
}
