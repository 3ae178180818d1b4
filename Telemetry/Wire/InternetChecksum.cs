using System.Buffers.Binary;

namespace TcpActors.Telemetry;

/// <summary>
/// The Internet checksum of RFC 1071: the one's-complement sum of 16-bit big-endian words, folded and
/// inverted. Sums are accumulated in a 32-bit value so several spans (pseudo-header, header, payload)
/// can be added before folding; only the last span may have an odd length (padded with a zero byte).
/// </summary>
internal static class InternetChecksum
{
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        // Fold early so long payloads (up to 64 KiB) never overflow the accumulator.
        return (sum & 0xFFFF) + (sum >> 16);
    }

    public static ushort Finish(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));
}
