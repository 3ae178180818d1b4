using TcpActors.Runtime;
using TcpActors.Simulation;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>The invariant checker attached to whole runs: every built-in scenario and load runs with chaos break nothing.</summary>
public sealed class InvariantsInRunsTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_built_in_scenario_keeps_the_invariants()
    {
        // Proves the scenarios (the seed posts' experiments) run clean under the checker, to their end.
        foreach (var name in BuiltInScenarios.Names)
        {
            InvariantChecker? checker = null;
            ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { Attach = system => checker = new InvariantChecker(system, stopOnViolation: false) });
            checker!.Finish();

            Assert.True(checker.ViolationCount == 0, name + ": " + checker.Describe());
            output.WriteLine($"{name}: {checker.Describe()}");
        }
    }

    [Theory]
    [InlineData(1, "client")]
    [InlineData(2, "server")]
    [InlineData(3, "client")]
    public void A_load_run_under_chaos_keeps_the_invariants(ulong seed, string closer)
    {
        // Proves the checker's invariants over thousands of short connections with loss, duplication,
        // reordering, resets, port reuse (tcp_tw_reuse) and TIME_WAIT expiry.
        var settings = new LoadSettings
        {
            Clients = 2,
            Servers = 1,
            Rate = 400,
            Duration = Duration.FromSeconds(5),
            Drain = Duration.FromSeconds(70),
            Close = closer == "server" ? Closer.Server : Closer.Client,
            RequestBytes = Distribution.ParseBytes("1-3000", "--request-bytes"),
            ResponseBytes = Distribution.ParseBytes("1-20000", "--response-bytes"),
            Seed = seed,
            Netem = ["delay 2ms 2ms loss 2% duplicate 1% reorder 10%"],
            Rules = ["servers:-A INPUT -p tcp -m statistic --mode random --probability 0.02 -j DROP"],
            Sysctls = [("net.ipv4.ip_local_port_range", "40000 40999"), ("net.ipv4.tcp_tw_reuse", "1")],
        };
        InvariantChecker? checker = null;

        var report = LoadRunner.Run(settings, attach: system => checker = new InvariantChecker(system, stopOnViolation: false, attachedMidRun: true));
        checker!.Finish();

        Assert.True(checker.ViolationCount == 0, checker.Describe());
        Assert.True(report.Completed > 500, report.ToJson());
        output.WriteLine($"{report.Completed} connections completed, {report.Failed} failed; {checker.Describe()}");
    }
}
