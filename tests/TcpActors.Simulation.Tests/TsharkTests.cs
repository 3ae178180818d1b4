using System.Globalization;

namespace TcpActors.Simulation.Tests;

/// <summary>
/// A scenario's pcap as tshark reads it: no malformed packets, and tshark's own retransmission analysis
/// (tcp.analysis.retransmission) flags exactly the segments the simulator's patterns call (retx).
/// Skipped, with the reason, when tshark is not installed.
/// </summary>
public sealed class TsharkTests
{
    [RequiresTsharkTheory]
    [InlineData("b05-lost-data-retries2-5")]
    [InlineData("b09-lost-first-fin-orphan2")]
    [InlineData("seed-000-fin-to-time-wait")]
    [InlineData("b14-time-wait-assassination-rfc1337-0")]
    public void Tshark_reads_the_pcap_and_agrees_on_retransmissions(string name)
    {
        // Proves the pcap is well formed for tshark and that its retransmission flags match ours packet by packet.
        using var directory = new TemporaryDirectory();
        string pcap = directory.File(name + ".pcap");
        var report = ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { PcapPath = pcap });
        string output = Tshark.Run("-r", pcap, "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "_ws.malformed", "-e", "_ws.expert.severity", "-e", "tcp.analysis.retransmission");
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|')).ToList();
        Assert.Equal(report.Trace.Count, rows.Count);
        Assert.All(rows, row => Assert.True(row[1].Length == 0, $"frame {row[0]} is malformed"));

        var ours = RetransmittedFrames(report);
        var theirs = rows.Where(row => row[3].Length > 0).Select(row => int.Parse(row[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ours, theirs);
        Assert.NotEmpty(ours);
    }

    public static TheoryData<string> EveryScenario => [.. BuiltInScenarios.Names];

    [RequiresTsharkTheory]
    [MemberData(nameof(EveryScenario))]
    public void Tshark_reads_every_scenario_pcap_without_a_malformed_frame(string name)
    {
        // Proves the whole library's pcaps are well formed for tshark: one frame per trace line, none malformed,
        // no expert error (a bad checksum or length would be one).
        using var directory = new TemporaryDirectory();
        string pcap = directory.File(name + ".pcap");
        var report = ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { PcapPath = pcap });
        string output = Tshark.Run("-r", pcap, "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "_ws.malformed", "-e", "_ws.expert.severity");
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|')).ToList();
        if (report.Load is null)
        {
            Assert.Equal(report.Trace.Count, rows.Count);
        }
        else
        {
            // A load run prints no trace; its pcap is what tcpdump on the first client records.
            Assert.True(rows.Count > 100, $"{name}: {rows.Count} frames");
        }

        Assert.All(rows, row => Assert.True(row[1].Length == 0, $"{name}: frame {row[0]} is malformed"));
        Assert.All(rows, row => Assert.False(row[2].Split(',').Contains("8388608"), $"{name}: frame {row[0]} has an expert error"));
    }

    /// <summary>Frame numbers (1-based, in capture order) of the segments the run's patterns see as retransmissions.</summary>
    private static List<int> RetransmittedFrames(RunReport report)
    {
        // The pattern recorder sees the same packets as the capture, in the same order.
        return report.Segments.Select((segment, index) => (segment, index)).Where(s => s.segment.Retransmission).Select(s => s.index + 1).ToList();
    }
}

/// <summary>A [Theory] skipped with the reason when tshark is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresTsharkTheoryAttribute : TheoryAttribute
{
    public RequiresTsharkTheoryAttribute()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/usr/sbin"]);
        if (!path.Any(directory => File.Exists(System.IO.Path.Combine(directory, "tshark"))))
        {
            Skip = "needs tshark on PATH to read the pcap (apt-get install tshark; .ci/run installs it)";
        }
    }
}
