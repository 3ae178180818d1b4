namespace TcpActors.Simulation.Tests;

/// <summary>
/// The tcpdump text of a few scenarios matches a checked-in file byte for byte (Golden/NAME.tcpdump.txt),
/// so any change to what goes on the wire, or to how it is printed, shows up in review. After an
/// intended change, regenerate with TCPACTORS_UPDATE_GOLDEN=1 and read the diff.
/// </summary>
public sealed class GoldenTraceTests
{
    [Theory]
    [InlineData("seed-000-fin-to-time-wait")]
    [InlineData("seed-003-sequence-numbers")]
    [InlineData("b02-lost-syn-linear-timeouts")]
    [InlineData("b14-time-wait-assassination-rfc1337-0")]
    public void Trace_matches_the_golden_file(string name)
    {
        // Proves the scenario's tcpdump trace is exactly the checked-in one.
        var report = ScenarioRunner.Run(BuiltInScenarios.Load(name));
        string actual = string.Join('\n', report.Trace) + "\n";
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", name + ".tcpdump.txt");
        if (Environment.GetEnvironmentVariable("TCPACTORS_UPDATE_GOLDEN") == "1")
        {
            string source = System.IO.Path.Combine(SourceDirectory(), "Golden", name + ".tcpdump.txt");
            File.WriteAllText(source, actual);
            return;
        }

        Assert.True(File.Exists(path), $"missing golden file {path} (run with TCPACTORS_UPDATE_GOLDEN=1 to create it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => System.IO.Path.GetDirectoryName(file)!;
}
