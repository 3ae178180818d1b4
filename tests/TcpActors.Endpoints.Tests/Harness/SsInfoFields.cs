using System.Globalization;
using TcpActors.Telemetry;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// One <c>ss -i</c> info line as fields: <c>name → value</c> (<c>rtt:0.043/0.024</c> → rtt = "0.043/0.024";
/// <c>send 2963348837bps</c> → send = "2963348837bps"; flags such as <c>ts</c> or <c>app_limited</c> → "").
/// Compares a simulated line with a recorded one field by field.
/// </summary>
public sealed class SsInfoFields
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
        return double.Parse(line["### t=".Length..line.IndexOf(' ', "### t=".Length)], CultureInfo.InvariantCulture);
    }

    /// <summary>The simulated info line of the established socket on <paramref name="localPort"/> of <paramref name="stack"/>, as <c>ss -tanoi</c> prints it.</summary>
    public static SsInfoFields Simulated(TcpStack stack, ushort localPort) =>
        new(SsInfoText.Format(stack.Snapshot().Single(s => s.State == TcpState.Established && s.Local.Port == localPort), numericRates: true));

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
