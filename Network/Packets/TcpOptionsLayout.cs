using System.Buffers.Binary;

namespace TcpActors.Network;

/// <summary>
/// The byte layout of TCP options as Linux writes them (<c>tcp_options_write</c>, net/ipv4/tcp_output.c):
/// MSS; then timestamps, preceded by SACK-permitted when both are sent (<c>sackOK,TS</c>) or by two NOPs
/// (<c>nop,nop,TS</c>); SACK-permitted alone as <c>nop,nop,sackOK</c>; window scale as <c>nop,wscale</c>;
/// SACK blocks as <c>nop,nop,sack</c>. tcpdump prints the options in this order, e.g.
/// <c>[mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 10]</c>. Every layout is a multiple of 4 bytes.
/// </summary>
public static class TcpOptionsLayout
{
    private const byte KindEnd = 0;
    private const byte KindNop = 1;
    private const byte KindMss = 2;
    private const byte KindWindowScale = 3;
    private const byte KindSackPermitted = 4;
    private const byte KindSack = 5;
    private const byte KindTimestamps = 8;

    /// <summary>The options' length in bytes (0 to 40).</summary>
    public static int Length(in TcpOptions options)
    {
        int length = 0;
        if (options.Mss != 0)
        {
            length += 4;
        }

        if (options.HasTimestamps)
        {
            length += 12;
        }
        else if (options.SackPermitted)
        {
            length += 4;
        }

        if (options.HasWindowScale)
        {
            length += 4;
        }

        if (options.SackBlocks is { Length: > 0 } blocks)
        {
            length += 4 + (8 * blocks.Length);
        }

        return length;
    }

    /// <summary>Writes the options; <paramref name="destination"/> must hold <see cref="Length"/> bytes.</summary>
    public static int Write(in TcpOptions options, Span<byte> destination)
    {
        int at = 0;
        if (options.Mss != 0)
        {
            destination[at++] = KindMss;
            destination[at++] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], options.Mss);
            at += 2;
        }

        if (options.HasTimestamps)
        {
            if (options.SackPermitted)
            {
                destination[at++] = KindSackPermitted;
                destination[at++] = 2;
            }
            else
            {
                destination[at++] = KindNop;
                destination[at++] = KindNop;
            }

            destination[at++] = KindTimestamps;
            destination[at++] = 10;
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], options.TsVal);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], options.TsEcr);
            at += 8;
        }
        else if (options.SackPermitted)
        {
            destination[at++] = KindNop;
            destination[at++] = KindNop;
            destination[at++] = KindSackPermitted;
            destination[at++] = 2;
        }

        if (options.HasWindowScale)
        {
            destination[at++] = KindNop;
            destination[at++] = KindWindowScale;
            destination[at++] = 3;
            destination[at++] = options.WindowScale;
        }

        if (options.SackBlocks is { Length: > 0 } blocks)
        {
            destination[at++] = KindNop;
            destination[at++] = KindNop;
            destination[at++] = KindSack;
            destination[at++] = (byte)(2 + (8 * blocks.Length));
            foreach (var block in blocks)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], block.Left.Value);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], block.Right.Value);
                at += 8;
            }
        }

        return at;
    }

    /// <summary>Reads options written by <see cref="Write"/> (or any well-formed option list) back.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out TcpOptions options)
    {
        options = default;
        int at = 0;
        var blocks = new List<SackBlock>();
        while (at < source.Length)
        {
            byte kind = source[at];
            if (kind == KindEnd)
            {
                break;
            }

            if (kind == KindNop)
            {
                at++;
                continue;
            }

            if (at + 1 >= source.Length || source[at + 1] < 2 || at + source[at + 1] > source.Length)
            {
                return false;
            }

            var body = source.Slice(at + 2, source[at + 1] - 2);
            options = kind switch
            {
                KindMss when body.Length == 2 => options with { Mss = BinaryPrimitives.ReadUInt16BigEndian(body) },
                KindWindowScale when body.Length == 1 => options with { HasWindowScale = true, WindowScale = body[0] },
                KindSackPermitted => options with { SackPermitted = true },
                KindTimestamps when body.Length == 8 => options with
                {
                    HasTimestamps = true,
                    TsVal = BinaryPrimitives.ReadUInt32BigEndian(body),
                    TsEcr = BinaryPrimitives.ReadUInt32BigEndian(body[4..]),
                },
                _ => options,
            };
            if (kind == KindSack)
            {
                for (int i = 0; i + 8 <= body.Length; i += 8)
                {
                    blocks.Add(new SackBlock(new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(body[i..])), new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(body[(i + 4)..]))));
                }
            }

            at += source[at + 1];
        }

        if (blocks.Count > 0)
        {
            options = options with { SackBlocks = [.. blocks] };
        }

        return true;
    }
}
