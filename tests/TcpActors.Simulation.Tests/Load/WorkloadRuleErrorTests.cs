namespace TcpActors.Simulation.Tests.Load;

/// <summary>A workload file's rules and netem lines are reported at their own line when bad, as the rest of the file is.</summary>
public sealed class WorkloadRuleErrorTests
{
    [Theory]
    [InlineData("  rules: [\"-A INPUT -j FOO\"]", "w.yaml:5:11: '-A INPUT -j FOO', column 13: Chain 'FOO' does not exist (expected ACCEPT, DROP, REJECT or RETURN; user-defined chains are not modelled)")]
    [InlineData("  rules: [\"-D INPUT 1\"]", "w.yaml:5:11: '-D INPUT 1': iptables: Index of deletion too big. (refused on server-1)")]
    [InlineData("  netem: \"delay abc\"", "w.yaml:5:10: 'delay abc', column 7: Illegal \"latency\" (expected a time such as 20ms, 1.5s or 100us, got \"abc\")")]
    public void A_bad_rule_in_a_workload_file_names_the_files_line(string line, string message)
    {
        // Proves rules from a file are located in the file (not as --rule), for parse errors and for commands iptables would refuse.
        var scenario = ScenarioLoader.Load("workload:\n  rate: 10\n  duration: 1s\n  drain: 1s\n" + line + "\n", "w.yaml", "w");

        var error = Assert.Throws<ScenarioException>(() => ScenarioRunner.Run(scenario));

        Assert.Equal(message, error.Message);
    }
}
