using System.Globalization;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// One <c>ss -i</c> info line as fields: <c>name → value</c> (<c>rtt:0.043/0.024</c> → rtt = "0.043/0.024";
/// <c>send 2963348837bps</c> → send = "2963348837bps"; flags such as <c>ts</c> or <c>app_limited</c> → "").
/// Compares a simulated line with a recorded one field by field.
/// </summary>
internal sealed class SsInfoFields
{
    private static readonly HashSet<string> s_spaced = ["send", "pacing_rate", "delivery_rate"];

    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    public SsInfoFields(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Line = line.Trim();
        var words = Line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string word = words[i];
            if (s_spaced.Contains(word) && i + 1 < words.Length)
            {
                _fields[word] = words[++i];
                continue;
            }

            int colon = word.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? word : word[..colon];
            _fields[colon >= 0 && word[(colon + 1)..].StartsWith('(') ? name + ":()" : name] = colon < 0 ? "" : word[(colon + 1)..];
        }
    }

    public string Line { get; }

    public bool Has(string name) => _fields.ContainsKey(name);

    public string this[string name] => _fields.TryGetValue(name, out var value) ? value : "(absent)";

    /// <summary>A number out of a field: the first of <c>a/b</c>, without <c>bps</c> or <c>ms</c>.</summary>
    public double Number(string name, int part = 0)
    {
        string value = this[name].Split('/')[part];
        value = value.EndsWith("bps", StringComparison.Ordinal) ? value[..^3] : value.EndsWith("ms", StringComparison.Ordinal) ? value[..^2] : value;
        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The fields of <c>bbr:(bw:…bps,mrtt:…,pacing_gain:…,cwnd_gain:…)</c> as numbers (bw in bits a second).</summary>
    public Dictionary<string, double> Bbr()
    {
        string text = Line[(Line.IndexOf("bbr:(", StringComparison.Ordinal) + 5)..];
        text = text[..text.IndexOf(')', StringComparison.Ordinal)];
        return text.Split(',').Select(f => f.Split(':')).ToDictionary(f => f[0], f => double.Parse(f[1].Replace("bps", "", StringComparison.Ordinal), CultureInfo.InvariantCulture));
    }

    /// <summary>The time of a recording's ss snapshot heading (<c>### t=2.340 …</c>) as written: "2.340".</summary>
    public static string HeadingTimeText(string heading) => heading["### t=".Length..heading.IndexOf(' ', "### t=".Length)];

    /// <summary>The time of a recording's ss snapshot heading, in seconds of the calls clock.</summary>
    public static double HeadingTime(string heading) => double.Parse(HeadingTimeText(heading), CultureInfo.InvariantCulture);

    /// <summary>The recorded info line of <paramref name="reference"/>'s ss snapshot whose heading contains <paramref name="heading"/>, for the established socket on <paramref name="localPort"/>.</summary>
    public static SsInfoFields Recorded(string reference, string heading, ushort localPort)
    {
        var lines = KernelReference.Load(reference).Section("ss");
        int start = lines.ToList().FindIndex(l => l.StartsWith("### ", StringComparison.Ordinal) && l.Contains(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"no ss snapshot '{heading}' in {reference}");
        for (int i = start + 1; i + 1 < lines.Count && !lines[i].StartsWith("### ", StringComparison.Ordinal); i++)
        {
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 4 && words[0] == "ESTAB" && words[3].EndsWith(":" + localPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) && lines[i + 1].StartsWith('\t'))
            {
                return new SsInfoFields(lines[i + 1]);
            }
        }

        throw new InvalidOperationException($"no info line for port {localPort} under '{heading}' in {reference}");
    }

    /// <summary>The time (calls clock) of <paramref name="reference"/>'s ss snapshot whose heading contains <paramref name="heading"/>.</summary>
    public static double RecordedAt(string reference, string heading)
    {
        string line = KernelReference.Load(reference).Section("ss").First(l => l.StartsWith("### t=", StringComparison.Ordinal) && l.Contains(heading, StringComparison.Ordinal));
        return HeadingTime(line);
    }

    /// <summary>The simulated info line of the established socket on <paramref name="localPort"/> of <paramref name="stack"/>, as <c>ss -tanoi</c> prints it.</summary>
    public static SsInfoFields Simulated(TcpStack stack, ushort localPort) =>
        new(SsInfoText.Format(stack.Snapshot().Single(s => s.State == TcpState.Established && s.Local.Port == localPort), numericRates: true));

    /// <summary>The fields a run should show exactly as the kernel did, whichever congestion control it ran: the options,
    /// the MSS values, the counters, delivered, the scoreboard, the receive side and the peer's window (not cwnd,
    /// ssthresh, pacing or the bbr block, which BBR sets, nor anything timed in µs: docs/fidelity.md, "ss -i"). An
    /// <c>skmem:(…)</c> before the fields (ss -m) is not compared.</summary>
    public static readonly string[] Modelled =
    [
        "ts", "sack", "bbr", "wscale", "mss", "pmtu", "rcvmss", "advmss", "bytes_sent", "bytes_retrans", "bytes_acked", "bytes_received",
        "segs_out", "segs_in", "data_segs_out", "data_segs_in", "delivered", "unacked", "retrans", "lost", "sacked", "rcv_space", "rcv_ssthresh",
        "notsent", "snd_wnd", "rcv_rtt", "reordering", "reord_seen", "dsack_dups",
    ];

    /// <summary>
    /// Schedules, at every ss snapshot of <paramref name="reference"/>, the simulated info line of each connection the
    /// recording shows one for (matched by local and peer port on the stack <paramref name="stackOf"/> names for the
    /// snapshot's heading); the list fills as the run passes the snapshots' times.
    /// </summary>
    public static List<(string Heading, SsInfoFields Kernel, SsInfoFields? Simulated)> AtEverySnapshot(Lab lab, string reference, Func<string, TcpStack> stackOf)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(stackOf);
        var taken = new List<(string, SsInfoFields, SsInfoFields?)>();
        var lines = KernelReference.Load(reference).Section("ss");
        string heading = "";
        for (int i = 0; i + 1 < lines.Count; i++)
        {
            heading = lines[i].StartsWith("### t=", StringComparison.Ordinal) ? lines[i] : heading;
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 5 || words[0] is "State" or "LISTEN" || !lines[i + 1].StartsWith('\t') || !lines[i + 1].Contains(" ts ", StringComparison.Ordinal))
            {
                continue;
            }

            var kernel = new SsInfoFields(lines[i + 1]);
            ushort local = PortOf(words[3]);
            ushort peer = PortOf(words[4]);
            string at = heading;
            var stack = stackOf(heading);
            lab.At(HeadingTime(heading), () =>
            {
                var socket = stack.Snapshot().SingleOrDefault(s => s.Local.Port == local && s.Peer.Port == peer && s.Info is not null);
                taken.Add((at, kernel, socket is null ? null : new SsInfoFields(SsInfoText.Format(socket, numericRates: true))));
            });
        }

        return taken;
    }

    private static ushort PortOf(string address) => ushort.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>Every named field reads the same in both lines (present in both with one text, or absent from both).</summary>
    public static void AssertSame(SsInfoFields kernel, SsInfoFields simulated, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(simulated);
        foreach (string name in names)
        {
            Assert.True(kernel[name] == simulated[name], $"{name}: kernel {kernel[name]}, simulator {simulated[name]}\n kernel:    {kernel.Line}\n simulator: {simulated.Line}");
        }
    }

    /// <summary>
    /// lastsnd, lastrcv and lastack (0 when not printed) against the kernel's: ss read the kernel's clock some time after
    /// the snapshot's label (its process start, 3–25 ms in these recordings), so all three ages are longer by one
    /// common delay. Each age is in jiffies (4 ms) on both sides, so the three differences agree within two jiffies
    /// (8 ms), and the common delay lies between −8 ms and <paramref name="maxReadDelayMilliseconds"/> (+ 8 for rounding).
    /// </summary>
    public static void AssertAges(SsInfoFields kernel, SsInfoFields simulated, double maxReadDelayMilliseconds = 32)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(simulated);
        var differences = new[] { "lastsnd", "lastrcv", "lastack" }
            .Select(age => (kernel.Has(age) ? kernel.Number(age) : 0) - (simulated.Has(age) ? simulated.Number(age) : 0)).ToList();
        string message = $"ages kernel − simulator {string.Join(", ", differences)} ms\n kernel:    {kernel.Line}\n simulator: {simulated.Line}";
        Assert.True(differences.Max() - differences.Min() <= 8, message);
        Assert.True(differences.Min() >= -8 && differences.Max() <= maxReadDelayMilliseconds + 8, message);
    }

    /// <summary>The named numeric field is within <paramref name="tolerance"/> (relative, 0.5 = 50 %) of the kernel's.</summary>
    public static void AssertClose(SsInfoFields kernel, SsInfoFields simulated, string name, double tolerance, int part = 0)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(simulated);
        double expected = kernel.Number(name, part);
        double actual = simulated.Number(name, part);
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{name}: kernel {expected}, simulator {actual} (tolerance {tolerance:P0})\n kernel:    {kernel.Line}\n simulator: {simulated.Line}");
    }
}
