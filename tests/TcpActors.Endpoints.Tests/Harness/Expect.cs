using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>Assertions on whole logs, with a readable side-by-side report when they differ.</summary>
internal static class Expect
{
    /// <summary>
    /// <paramref name="actual"/> equals <paramref name="expected"/> line by line, where each expected line may
    /// end in a comment (<c># kernel 1.021762</c>) that is ignored, and surrounding blanks do not count.
    /// </summary>
    public static void Lines(string expected, string actual)
    {
        var wanted = Clean(expected);
        var got = Clean(actual);
        if (!wanted.SequenceEqual(got))
        {
            throw new XunitException("Logs differ:\n" + SideBySide(wanted, got));
        }
    }

    /// <summary>
    /// The simulated capture shows the same segments as the kernel's (flags, relative numbers, windows,
    /// options, lengths, in order), and each time is no earlier than the kernel's minus
    /// <paramref name="earlySeconds"/> and no later than the kernel's minus the lateness kernel timers
    /// allow (a fraction of the time since the first packet, plus a few milliseconds).
    /// </summary>
    /// <remarks>
    /// <paramref name="untilSeconds"/> compares only the segments up to that time (relative, like the
    /// capture's times), where the kernel's capture stopped earlier or the rest is known to differ.
    /// </remarks>
    /// <para>
    /// <paramref name="only"/> compares only the records it keeps (of both captures), where the rest is known to differ.
    /// </para>
    /// <para>
    /// <paramref name="tiesWithinSeconds"/> accepts the kernel's order for simulated segments sent within that
    /// many seconds of each other by unrelated timers (timers due together fire in an order set by the
    /// kernel's timer wheel and lateness, which the simulator does not model); 0 for exact ties.
    /// </para>
    /// <para>
    /// <paramref name="windows"/> false compares everything but the windows offered, where a test is about
    /// something else and the receive-memory model is known to differ (the test says by how much).
    /// </para>
    public static void SameAsKernel(WireCapture capture, string referenceFile, string section = "wire", long? origin = null, double? untilSeconds = null, double lateFraction = 0.06, double earlySeconds = 0.012, double? tiesWithinSeconds = null, Func<WireRecord, bool>? only = null, bool windows = true)
    {
        var kernel = KernelReference.Load(referenceFile);
        var kernelRecords = kernel.Wire(section).Where(r => untilSeconds is not { } until || r.Time <= until * 1e9).ToList();
        string kernelText = WireText.Render(kernelRecords, withTime: false);
        string simulatedText = capture.Text(origin, withTime: false, untilSeconds);
        var wanted = Clean(kernelText);
        var got = Clean(simulatedText);
        var simulatedTimes = capture.Segments.Select(s => s.At).ToList();
        if (only is not null)
        {
            // Rendered whole (relative numbers need every SYN), then cut to the records asked for.
            wanted = [.. wanted.Where((_, i) => only(kernelRecords[i]))];
            kernelRecords = [.. kernelRecords.Where(only)];
            var kept = capture.Segments.Select((s, i) => (s, i)).Where(p => p.i < got.Count && only(p.s.Record)).ToList();
            got = [.. kept.Select(p => got[p.i])];
            simulatedTimes = [.. kept.Select(p => p.s.At)];
        }

        if (!windows)
        {
            wanted = [.. wanted.Select(WithoutWindow)];
            got = [.. got.Select(WithoutWindow)];
        }

        if (tiesWithinSeconds is { } window)
        {
            got = ReorderTies(got, wanted, simulatedTimes, (long)Math.Round(window * 1e9));
        }

        Dump(referenceFile + "." + section, kernel.WireText(section), capture.Text(origin));
        if (!wanted.SequenceEqual(got))
        {
            throw new XunitException($"Segments differ from {referenceFile} ## {section} (left: kernel, right: simulator):\n" + SideBySide(wanted, got));
        }

        long zero = origin ?? capture.Origin ?? 0;
        var problems = new StringBuilder();
        for (int i = 0; i < kernelRecords.Count; i++)
        {
            double kernelTime = kernelRecords[i].Time / 1e9;
            double simulated = (simulatedTimes[i] - zero) / 1e9;
            double late = kernelTime - simulated;
            if (late < -earlySeconds || late > 0.05 + (lateFraction * simulated))
            {
                problems.Append(CultureInfo.InvariantCulture, $"line {i + 1}: kernel {kernelTime:F6}, simulator {simulated:F6}: {wanted[i]}\n");
            }
        }

        if (problems.Length > 0)
        {
            throw new XunitException($"Times differ from {referenceFile} beyond timer lateness:\n{problems}");
        }
    }

    /// <summary>Within each run of simulated lines no more than <paramref name="window"/> ns apart, takes the kernel's order if it is a permutation of them.</summary>
    private static List<string> ReorderTies(List<string> simulated, List<string> kernel, List<long> times, long window)
    {
        var result = new List<string>(simulated);
        int start = 0;
        while (start < simulated.Count)
        {
            int end = start + 1;
            while (end < simulated.Count && times[end] - times[start] <= window)
            {
                end++;
            }

            if (end <= kernel.Count)
            {
                var group = simulated.GetRange(start, end - start);
                var kernelGroup = kernel.GetRange(start, end - start);
                if (group.Order(StringComparer.Ordinal).SequenceEqual(kernelGroup.Order(StringComparer.Ordinal)))
                {
                    result.RemoveRange(start, end - start);
                    result.InsertRange(start, kernelGroup);
                }
            }

            start = end;
        }

        return result;
    }

    /// <summary>A rendered segment with its window left out (<c>win *</c>).</summary>
    private static string WithoutWindow(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, " win [0-9]+", " win *", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>With LAB_DUMP=directory set, writes both renderings there (for working on a difference).</summary>
    private static void Dump(string name, string kernel, string simulated)
    {
        if (Environment.GetEnvironmentVariable("LAB_DUMP") is { Length: > 0 } directory)
        {
            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, name + ".kernel"), kernel + "\n");
            File.WriteAllText(Path.Combine(directory, name + ".sim"), simulated + "\n");
        }
    }

    private static List<string> Clean(string text) =>
        text.Replace("\r", "", StringComparison.Ordinal).Split('\n')
            .Select(line => line.Contains('#', StringComparison.Ordinal) ? line[..line.IndexOf('#', StringComparison.Ordinal)] : line)
            .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Length > 0)
            .ToList();

    private static string SideBySide(List<string> left, List<string> right)
    {
        int width = Math.Max(20, left.Count == 0 ? 0 : left.Max(l => l.Length));
        var text = new StringBuilder();
        for (int i = 0; i < Math.Max(left.Count, right.Count); i++)
        {
            string a = i < left.Count ? left[i] : "";
            string b = i < right.Count ? right[i] : "";
            text.Append(a == b ? "  " : "! ").Append(a.PadRight(width)).Append(" | ").Append(b).Append('\n');
        }

        return text.ToString();
    }
}
