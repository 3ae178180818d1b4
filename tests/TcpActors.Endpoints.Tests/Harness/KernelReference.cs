using System.Globalization;
using System.Text.RegularExpressions;
using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// A recording of the real kernel (tests/reference/kernel/*.txt, made by tools/kernel-lab): its
/// captures turned back into <see cref="WireRecord"/>s with absolute sequence numbers, so that they
/// render exactly as a simulated capture does.
/// </summary>
internal sealed partial class KernelReference
{
    private readonly Dictionary<string, List<string>> _sections;

    private KernelReference(string name, Dictionary<string, List<string>> sections)
    {
        Name = name;
        _sections = sections;
    }

    public string Name { get; }

    public static KernelReference Load(string fileName)
    {
        string path = Path.Combine(Directory, fileName);
        var sections = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var current = sections["header"] = [];
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = sections[line[3..].Trim()] = [];
                continue;
            }

            current.Add(line);
        }

        return new KernelReference(fileName, sections);
    }

    /// <summary>tests/reference/kernel, found by walking up from the test binaries.</summary>
    public static string Directory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null)
            {
                string candidate = Path.Combine(directory.FullName, "tests", "reference", "kernel");
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }

                directory = directory.Parent;
            }

            throw new DirectoryNotFoundException("tests/reference/kernel not found above " + AppContext.BaseDirectory);
        }
    }

    public IReadOnlyList<string> Section(string name) => _sections.TryGetValue(name, out var lines) ? lines : [];

    /// <summary>The segments (and ICMP errors) of a capture section (<c>wire</c> or <c>wire-server</c>), absolute numbers restored.</summary>
    public List<WireRecord> Wire(string section = "wire")
    {
        var conversations = new Dictionary<(SocketAddress, SocketAddress), (uint Seq, uint Ack)>();
        var records = new List<WireRecord>();
        foreach (string line in Section(section))
        {
            if (TcpdumpLine().Match(line) is { Success: true } match)
            {
                records.Add(Parse(match, conversations));
            }
            else if (IcmpLine().Match(line) is { Success: true } icmp)
            {
                records.Add(new WireRecord
                {
                    Time = (long)Math.Round(double.Parse(icmp.Groups["time"].Value, CultureInfo.InvariantCulture) * 1e9),
                    Source = new SocketAddress(IPv4Address.Parse(icmp.Groups["src"].Value), 0),
                    Destination = new SocketAddress(IPv4Address.Parse(icmp.Groups["dst"].Value), 0),
                    Icmp = icmp.Groups["text"].Value,
                });
            }
        }

        return records;
    }

    /// <summary>The capture rendered as the simulator's captures are (see <see cref="WireText"/>).</summary>
    public string WireText(string section = "wire", bool withTime = true) => Harness.WireText.Render(Wire(section), withTime);

    private static WireRecord Parse(Match match, Dictionary<(SocketAddress, SocketAddress), (uint Seq, uint Ack)> conversations)
    {
        var culture = CultureInfo.InvariantCulture;
        var source = Endpoint(match.Groups["src"].Value);
        var destination = Endpoint(match.Groups["dst"].Value);
        var flags = FlagsOf(match.Groups["flags"].Value);
        uint seq = match.Groups["seq"].Success ? uint.Parse(match.Groups["seq"].Value, culture) : 0;
        uint ack = match.Groups["ack"].Success ? uint.Parse(match.Groups["ack"].Value, culture) : 0;
        var (seqBase, ackBase) = Untcpdump(source, destination, flags, seq, ack, conversations);
        var options = match.Groups["options"].Value;
        var record = new WireRecord
        {
            Time = (long)Math.Round(double.Parse(match.Groups["time"].Value, culture) * 1e9),
            Source = source,
            Destination = destination,
            Flags = flags,
            Seq = unchecked(seq + seqBase),
            Ack = unchecked(ack + ackBase),
            Window = ushort.Parse(match.Groups["win"].Value, culture),
            Length = int.Parse(match.Groups["length"].Value, culture),
            Mss = MssOption().Match(options) is { Success: true } mss ? ushort.Parse(mss.Groups[1].Value, culture) : (ushort)0,
            SackPermitted = options.Contains("sackOK", StringComparison.Ordinal),
            Timestamps = options.Contains("TS val", StringComparison.Ordinal),
            WindowScale = WscaleOption().Match(options) is { Success: true } wscale ? int.Parse(wscale.Groups[1].Value, culture) : null,
        };
        // SACK edges are printed relative to the peer's base, as the ack is.
        var blocks = SackOption().Matches(options)
            .Select(b => (unchecked(uint.Parse(b.Groups[1].Value, culture) + ackBase), unchecked(uint.Parse(b.Groups[2].Value, culture) + ackBase)))
            .ToList();
        return record with { SackBlocks = blocks };
    }

    /// <summary>
    /// Undoes tcpdump's relative numbering (print-tcp.c): an ACK-bearing segment that starts a conversation
    /// (or carries SYN) records (seq, ack − 1) as the bases and prints absolute; later ACK-bearing segments
    /// print relative to those bases; segments without ACK print absolute. Returns what to add back.
    /// </summary>
    private static (uint SeqBase, uint AckBase) Untcpdump(SocketAddress source, SocketAddress destination, TcpFlags flags, uint seq, uint ack, Dictionary<(SocketAddress, SocketAddress), (uint Seq, uint Ack)> conversations)
    {
        if ((flags & TcpFlags.Ack) == 0)
        {
            return (0, 0);
        }

        bool reversed = source.Port > destination.Port || (source.Port == destination.Port && source.Address.Value > destination.Address.Value);
        var key = reversed ? (destination, source) : (source, destination);
        if (!conversations.TryGetValue(key, out var bases) || (flags & TcpFlags.Syn) != 0)
        {
            conversations[key] = reversed ? (unchecked(ack - 1), seq) : (seq, unchecked(ack - 1));
            return (0, 0);
        }

        return reversed ? (bases.Ack, bases.Seq) : (bases.Seq, bases.Ack);
    }

    private static SocketAddress Endpoint(string text)
    {
        int dot = text.LastIndexOf('.');
        return new SocketAddress(IPv4Address.Parse(text[..dot]), ushort.Parse(text[(dot + 1)..], CultureInfo.InvariantCulture));
    }

    private static TcpFlags FlagsOf(string text)
    {
        var flags = TcpFlags.None;
        foreach (char letter in text)
        {
            flags |= letter switch
            {
                'F' => TcpFlags.Fin,
                'S' => TcpFlags.Syn,
                'R' => TcpFlags.Rst,
                'P' => TcpFlags.Psh,
                '.' => TcpFlags.Ack,
                'U' => TcpFlags.Urg,
                'E' => TcpFlags.Ece,
                'W' => TcpFlags.Cwr,
                _ => TcpFlags.None,
            };
        }

        return flags;
    }

    [GeneratedRegex(@"^(?<time>-?\d+\.\d+) IP (?<src>[\d.]+) > (?<dst>[\d.]+): Flags \[(?<flags>[^\]]*)\](?:, seq (?<seq>\d+)(?::\d+)?)?(?:, ack (?<ack>\d+))?, win (?<win>\d+)(?:, options \[(?<options>[^\]]*)\])?, length (?<length>\d+)")]
    private static partial Regex TcpdumpLine();

    [GeneratedRegex(@"^(?<time>-?\d+\.\d+) IP (?<src>[\d.]+) > (?<dst>[\d.]+): ICMP (?<text>.*)$")]
    private static partial Regex IcmpLine();

    [GeneratedRegex(@"mss (\d+)")]
    private static partial Regex MssOption();

    [GeneratedRegex(@"wscale (\d+)")]
    private static partial Regex WscaleOption();

    [GeneratedRegex(@"\{(\d+):(\d+)\}")]
    private static partial Regex SackOption();
}
