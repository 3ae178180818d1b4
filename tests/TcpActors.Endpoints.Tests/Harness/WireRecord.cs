using System.Globalization;
using System.Text;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// One TCP segment as a capture shows it, with absolute sequence numbers: what both a simulated capture
/// and a kernel reference capture (tests/reference/kernel) are reduced to, so that the two can be
/// rendered the same way and compared line by line.
/// </summary>
internal sealed record WireRecord
{
    /// <summary>Nanoseconds since the first segment of the capture.</summary>
    public long Time { get; init; }

    public required SocketAddress Source { get; init; }

    public required SocketAddress Destination { get; init; }

    public TcpFlags Flags { get; init; }

    public uint Seq { get; init; }

    public uint Ack { get; init; }

    public ushort Window { get; init; }

    public int Length { get; init; }

    public ushort Mss { get; init; }

    public bool SackPermitted { get; init; }

    public bool Timestamps { get; init; }

    public int? WindowScale { get; init; }

    /// <summary>SACK blocks with absolute edges, as carried.</summary>
    public IReadOnlyList<(uint Left, uint Right)> SackBlocks { get; init; } = [];

    /// <summary>For an ICMP error, what tcpdump prints after <c>ICMP </c> (<c>host 10.0.2.2 unreachable, length 68</c>); null for a segment.</summary>
    public string? Icmp { get; init; }

    public bool IsSyn => (Flags & TcpFlags.Syn) != 0;

    public bool HasAck => (Flags & TcpFlags.Ack) != 0;

    /// <summary>An ICMP error as tcpdump prints it (the text comes from the simulator's tcpdump formatter).</summary>
    public static WireRecord OfIcmp(IcmpPacket icmp, long time)
    {
        string line = new TcpdumpFormatter().Format(SimTime.Zero, icmp);
        return new WireRecord
        {
            Time = time,
            Source = new SocketAddress(icmp.Source, 0),
            Destination = new SocketAddress(icmp.Destination, 0),
            Icmp = line[(line.IndexOf(": ICMP ", StringComparison.Ordinal) + 7)..],
        };
    }

    public static WireRecord Of(Segment segment, long time) => new()
    {
        Time = time,
        Source = segment.SourceSocket,
        Destination = segment.DestinationSocket,
        Flags = segment.Flags,
        Seq = segment.Seq.Value,
        Ack = segment.HasAck ? segment.Ack.Value : 0,
        Window = segment.Window,
        Length = segment.PayloadLength,
        Mss = segment.Options.Mss,
        SackPermitted = segment.Options.SackPermitted,
        Timestamps = segment.Options.HasTimestamps,
        WindowScale = segment.Options.HasWindowScale ? segment.Options.WindowScale : null,
        SackBlocks = segment.Options.SackBlocks is { } blocks ? [.. blocks.Select(b => (b.Left.Value, b.Right.Value))] : [],
    };
}

/// <summary>
/// Renders captures in one compact, tcpdump-like form that does not depend on the random parts of a run:
/// <code>
///   1.000000 40000>8080 S seq ISN win 64240 [mss 1460,sackOK,TS,wscale 10]
///   1.000000 8080>40000 S. seq ISN ack 1 win 65160 [mss 1460,sackOK,TS,wscale 10]
///   1.204000 40000>8080 P. seq 1:101 ack 1 win 63 [TS] length 100
/// </code>
/// Ports stand for the endpoints. Every sequence number is relative to the initial sequence number of its
/// direction (tcpdump only does so for ACK-bearing segments after the handshake; here RSTs and SYNs are
/// relative too, so <c>R seq 2</c> reads "the FIN's ack"). A SYN whose sequence number is within a
/// million of the direction's previous ISN prints as <c>ISN+k</c> (TIME_WAIT reuse: old snd_nxt + 65537);
/// a further one starts a new base and prints as <c>ISN</c>. Numbers of a direction never seen with a SYN
/// print absolute (hand-built segments). An ICMP error prints its addresses and tcpdump's text:
/// <c>10.0.2.2>10.0.1.2 ICMP host 10.0.2.2 unreachable, length 68</c>.
/// </summary>
internal static class WireText
{
    private const long NearIsn = 1_000_000;

    public static string Render(IEnumerable<WireRecord> records, bool withTime = true)
    {
        var bases = new Dictionary<(SocketAddress From, SocketAddress To), uint>();
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(RenderOne(record, bases, withTime)).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Seconds with six decimals, as the reference files print them.</summary>
    public static string Seconds(long nanoseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000_000_000}.{nanoseconds / 1000 % 1_000_000:D6}");

    private static string RenderOne(WireRecord record, Dictionary<(SocketAddress, SocketAddress), uint> bases, bool withTime)
    {
        var culture = CultureInfo.InvariantCulture;
        if (record.Icmp is { } icmp)
        {
            return (withTime ? Seconds(record.Time) + " " : "") + $"{record.Source.Address}>{record.Destination.Address} ICMP {icmp}";
        }

        var forward = (record.Source, record.Destination);
        var backward = (record.Destination, record.Source);
        string seqText = SequenceText(record, bases, forward);
        var line = new StringBuilder();
        if (withTime)
        {
            line.Append(Seconds(record.Time)).Append(' ');
        }

        line.Append(culture, $"{record.Source.Port}>{record.Destination.Port} {record.Flags.ToTcpdumpString()}");
        if (seqText.Length > 0)
        {
            line.Append(" seq ").Append(seqText);
        }

        if (record.HasAck)
        {
            line.Append(" ack ").Append(Relative(record.Ack, bases, backward));
        }

        line.Append(culture, $" win {record.Window}");
        string options = OptionsText(record, bases, backward);
        if (options.Length > 0)
        {
            line.Append(" [").Append(options).Append(']');
        }

        if (record.Length > 0)
        {
            line.Append(culture, $" length {record.Length}");
        }

        return line.ToString();
    }

    private static string SequenceText(WireRecord record, Dictionary<(SocketAddress, SocketAddress), uint> bases, (SocketAddress, SocketAddress) direction)
    {
        var culture = CultureInfo.InvariantCulture;
        if (record.IsSyn)
        {
            if (bases.TryGetValue(direction, out uint previous) && Math.Abs((long)unchecked((int)(record.Seq - previous))) < NearIsn)
            {
                int offset = unchecked((int)(record.Seq - previous));
                return offset == 0 ? "ISN" : string.Create(culture, $"ISN+{offset}");
            }

            bases[direction] = record.Seq;
            return "ISN";
        }

        bool showsSeq = record.Length > 0 || (record.Flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0;
        if (!showsSeq)
        {
            return "";
        }

        string start = Relative(record.Seq, bases, direction);
        return record.Length > 0 ? start + ":" + Relative(record.Seq + (uint)record.Length, bases, direction) : start;
    }

    private static string Relative(uint value, Dictionary<(SocketAddress, SocketAddress), uint> bases, (SocketAddress, SocketAddress) direction) =>
        bases.TryGetValue(direction, out uint isn)
            ? unchecked((int)(value - isn)).ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);

    private static string OptionsText(WireRecord record, Dictionary<(SocketAddress, SocketAddress), uint> bases, (SocketAddress, SocketAddress) peerDirection)
    {
        var culture = CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (record.Mss != 0)
        {
            parts.Add(string.Create(culture, $"mss {record.Mss}"));
        }

        if (record.SackPermitted)
        {
            parts.Add("sackOK");
        }

        if (record.Timestamps)
        {
            parts.Add("TS");
        }

        if (record.WindowScale is { } scale)
        {
            parts.Add(string.Create(culture, $"wscale {scale}"));
        }

        if (record.SackBlocks.Count > 0)
        {
            var blocks = record.SackBlocks.Select(b => $"{{{Relative(b.Left, bases, peerDirection)}:{Relative(b.Right, bases, peerDirection)}}}");
            parts.Add(string.Create(culture, $"sack {record.SackBlocks.Count} ") + string.Join(' ', blocks));
        }

        return string.Join(',', parts);
    }
}
