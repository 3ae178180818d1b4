using System.Buffers.Binary;
using System.Text;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// Just enough of the protobuf wire format (varint, fixed64, length-delimited, fixed32) to walk OTLP
/// requests by field number, without the generated OTLP classes.
/// </summary>
internal readonly record struct ProtobufField(int Number, int WireType, ulong Value, ReadOnlyMemory<byte> Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    public IReadOnlyList<ProtobufField> Message => ProtobufWire.Parse(Bytes);

    public static IReadOnlyList<ProtobufField> Parse(ReadOnlyMemory<byte> bytes) => ProtobufWire.Parse(bytes);
}

internal static class ProtobufWire
{
    public static IReadOnlyList<ProtobufField> Parse(ReadOnlyMemory<byte> bytes)
    {
        var fields = new List<ProtobufField>();
        var span = bytes.Span;
        int position = 0;
        while (position < span.Length)
        {
            ulong key = ReadVarint(span, ref position);
            int number = (int)(key >> 3);
            int wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new ProtobufField(number, wireType, ReadVarint(span, ref position), default));
                    break;
                case 1:
                    fields.Add(new ProtobufField(number, wireType, BinaryPrimitives.ReadUInt64LittleEndian(span[position..]), default));
                    position += 8;
                    break;
                case 2:
                    int length = checked((int)ReadVarint(span, ref position));
                    fields.Add(new ProtobufField(number, wireType, (ulong)length, bytes.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add(new ProtobufField(number, wireType, BinaryPrimitives.ReadUInt32LittleEndian(span[position..]), default));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wireType} at byte {position}");
            }
        }

        return fields;
    }

    public static IEnumerable<ProtobufField> All(this IReadOnlyList<ProtobufField> fields, int number) => fields.Where(f => f.Number == number);

    public static ProtobufField One(this IReadOnlyList<ProtobufField> fields, int number) => fields.First(f => f.Number == number);

    /// <summary>OTLP KeyValue list (key = 1, AnyValue = 2 with string 1, bool 2, int 3, double 4) as text.</summary>
    public static Dictionary<string, string> Attributes(this IReadOnlyList<ProtobufField> fields, int number)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in fields.All(number).Select(f => f.Message))
        {
            var value = keyValue.One(2).Message[0];
            attributes[keyValue.One(1).Text] = value.Number switch
            {
                1 => value.Text,
                2 => value.Value != 0 ? "true" : "false",
                3 => ((long)value.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.UInt64BitsToDouble(value.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "?",
            };
        }

        return attributes;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = span[position++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }
}
