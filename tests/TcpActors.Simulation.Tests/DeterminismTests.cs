namespace TcpActors.Simulation.Tests;

/// <summary>The same scenario and seed give byte-identical output: trace, calls, snapshots, verdicts and pcap.</summary>
public sealed class DeterminismTests
{
    [Theory]
    [InlineData("seed-000-fin-to-time-wait")]
    [InlineData("b14-time-wait-assassination-rfc1337-0")]
    [InlineData("b22-accept-queue-overflow")]
    [InlineData("seed-002-lost-synack")]
    public void Same_seed_gives_identical_text_and_pcap(string name)
    {
        // Proves two runs of one scenario with one seed print the same text and write the same pcap bytes.
        using var directory = new TemporaryDirectory();
        var (firstText, firstPcap) = RunOnce(name, directory.File("first.pcap"), seed: null);
        var (secondText, secondPcap) = RunOnce(name, directory.File("second.pcap"), seed: null);
        Assert.Equal(firstText, secondText);
        Assert.Equal(firstPcap, secondPcap);
        Assert.True(firstPcap.Length > 24, "the pcap holds packets");
    }

    [Fact]
    public void Another_seed_changes_numbers_but_not_verdicts()
    {
        // Proves the seed drives ports and ISNs (the text differs) while the expectations still hold.
        using var directory = new TemporaryDirectory();
        var (one, _) = RunOnce("b20-ephemeral-ports-exhaustion", directory.File("a.pcap"), seed: 1);
        var (other, _) = RunOnce("b20-ephemeral-ports-exhaustion", directory.File("b.pcap"), seed: 99);
        Assert.NotEqual(one, other);
        Assert.True(ScenarioRunner.Run(BuiltInScenarios.Load("b20-ephemeral-ports-exhaustion"), new RunOptions { Seed = 99 }).Passed);
        Assert.True(ScenarioRunner.Run(BuiltInScenarios.Load("seed-000-fin-to-time-wait"), new RunOptions { Seed = 12345 }).Passed);
    }

    internal static string Render(RunReport report) =>
        string.Join('\n', report.Trace) + "\n--\n" + string.Join('\n', report.Calls) + "\n--\n"
        + string.Join('\n', report.ChaosLog) + "\n--\n" + string.Concat(report.Snapshots.Select(s => $"{s.At} {s.Host}\n{s.Text}"))
        + "--\n" + string.Join('\n', report.Results) + "\n" + report.Run.Message + "\n";

    private static (string Text, byte[] Pcap) RunOnce(string name, string pcap, ulong? seed)
    {
        var report = ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { PcapPath = pcap, Seed = seed });
        return (Render(report), File.ReadAllBytes(pcap));
    }
}
