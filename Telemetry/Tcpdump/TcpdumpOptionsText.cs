using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// The <c>, options [...]</c> part of a TCP line. The options are first laid out as bytes exactly as
/// Linux writes them (<see cref="TcpOptionsLayout"/>), then read back the way tcpdump reads them, so the
/// nops, order and spelling are what tcpdump prints for that wire layout: <c>mss 65495</c>, <c>sackOK</c>,
/// <c>TS val 1 ecr 0</c>, <c>nop</c>, <c>wscale 10</c>, <c>sack 1 {2001:3001}</c> (block edges minus the
/// peer's relative base, so relative like seq and ack unless -S).
/// </summary>
internal static class TcpdumpOptionsText
{
    private const byte KindEnd = 0;
    private const byte KindNop = 1;
    private const byte KindMss = 2;
    private const byte KindWindowScale = 3;
    private const byte KindSackPermitted = 4;
    private const byte KindSack = 5;
    private const byte KindTimestamps = 8;

    public static void Append(StringBuilder text, in TcpOptions options, uint sackBase)
    {
        int length = TcpOptionsLayout.Length(options);
        if (length == 0)
        {
            return;
        }

        Span<byte> bytes = stackalloc byte[length];
        TcpOptionsLayout.Write(options, bytes);
        text.Append(", options [");
        int at = 0;
        bool first = true;
        while (at < bytes.Length)
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            byte kind = bytes[at];
            if (kind is KindNop or KindEnd)
            {
                text.Append(kind == KindNop ? "nop" : "eol");
                at++;
                if (kind == KindEnd)
                {
                    break;
                }

                continue;
            }

            int optionLength = bytes[at + 1];
            AppendOption(text, kind, bytes.Slice(at + 2, optionLength - 2), sackBase);
            at += optionLength;
        }

        text.Append(']');
    }

    private static void AppendOption(StringBuilder text, byte kind, ReadOnlySpan<byte> body, uint sackBase)
    {
        var culture = CultureInfo.InvariantCulture;
        switch (kind)
        {
            case KindMss:
                text.Append(culture, $"mss {BinaryPrimitives.ReadUInt16BigEndian(body)}");
                break;
            case KindWindowScale:
                text.Append(culture, $"wscale {body[0]}");
                break;
            case KindSackPermitted:
                text.Append("sackOK");
                break;
            case KindTimestamps:
                text.Append(culture, $"TS val {BinaryPrimitives.ReadUInt32BigEndian(body)} ecr {BinaryPrimitives.ReadUInt32BigEndian(body[4..])}");
                break;
            case KindSack:
                text.Append(culture, $"sack {body.Length / 8} ");
                for (int i = 0; i + 8 <= body.Length; i += 8)
                {
                    uint left = unchecked(BinaryPrimitives.ReadUInt32BigEndian(body[i..]) - sackBase);
                    uint right = unchecked(BinaryPrimitives.ReadUInt32BigEndian(body[(i + 4)..]) - sackBase);
                    text.Append(culture, $"{{{left}:{right}}}");
                }

                break;
            default:
                text.Append(culture, $"unknown-{kind}");
                break;
        }
    }
}
