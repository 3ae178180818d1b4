using System.Text.Json;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using static TcpActors.Cli.Tests.InProcess;

namespace TcpActors.Cli.Tests;

/// <summary>--check-invariants on run and load: what was checked is printed (and recorded in JSON); a violation fails the run.</summary>
public sealed class CheckInvariantsTests
{
    [Fact]
    public void A_sound_scenario_run_prints_what_was_checked_and_passes()
    {
        // Proves the checker is attached to a scenario run and its description printed before the verdict.
        var (code, output, error) = Run("run", "seed-000-fin-to-time-wait", "--check-invariants");

        Assert.Equal(Commands.Success, code);
        Assert.Empty(error);
        Assert.Matches(@"(?m)^== invariants\nno invariant broken \(\d+ segments, \d+ ACKs, \d+ transitions, 1 TIME_WAITs checked\)$", output);
        Assert.Contains("== PASSED: 9 of 9 expectations hold", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_of_a_run_records_the_invariants()
    {
        // Proves --format json carries the checker's findings.
        var (code, output, _) = Run("run", "seed-000-fin-to-time-wait", "--check-invariants", "--format", "json");

        Assert.Equal(Commands.Success, code);
        using var json = JsonDocument.Parse(output);
        var invariants = json.RootElement.GetProperty("invariants");
        Assert.Equal(0, invariants.GetProperty("violations").GetInt64());
        Assert.StartsWith("no invariant broken", invariants.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_load_run_is_checked_from_the_moment_its_servers_listen()
    {
        // Proves the load path (LoadRunner's attach hook, attachedMidRun) checks thousands of segments and passes.
        var (code, output, _) = Run("load", "--rate", "100", "--duration", "2s", "--quiet", "--check-invariants");

        Assert.Equal(Commands.Success, code);
        Assert.Matches(@"(?m)^invariants: no invariant broken \([1-9]\d+ segments", output);
    }

    [Fact]
    public void Without_the_option_nothing_is_checked_or_printed()
    {
        // Proves the checker costs nothing unless asked for.
        var (_, output, _) = Run("run", "seed-000-fin-to-time-wait");
        Assert.DoesNotContain("invariant", output, StringComparison.Ordinal);
        using var watch = new InvariantWatch(enabled: false, attachedMidRun: false);
        Assert.Null(watch.Attach);
        Assert.Null(watch.Finish());
    }

    [Fact]
    public void A_violation_is_reported_and_makes_the_exit_status_1()
    {
        // Proves the failing path: a socket jumping from CLOSED to TIME_WAIT is an illegal transition; the outcome is
        // broken, the text verdict says so, and a run that otherwise passed exits 1.
        var system = ActorSystem.Create("broken", 1);
        using var watch = new InvariantWatch(enabled: true, attachedMidRun: false);
        watch.Attach!(system);
        var tuple = new FourTuple(IPv4Address.Parse("10.0.0.1"), 40000, IPv4Address.Parse("10.0.0.2"), 80);
        system.EventStream.Publish(new TcpStateChanged(system.Now, "client", tuple, TcpState.Closed, TcpState.TimeWait, "made up"));

        var outcome = watch.Finish();

        Assert.NotNull(outcome);
        Assert.True(outcome.Broken);
        Assert.StartsWith("1 invariant violation(s):\n  ", outcome.Description, StringComparison.Ordinal);
        var passed = new RunResult(StopReason.TimeReached, SimTime.FromSeconds(90), 100, "reached simulated time 90.000000 s");
        Assert.Equal(Commands.RunFailed, Commands.Outcome(passed, expectationsHold: true, outcome));
        Assert.Equal(Commands.Success, Commands.Outcome(passed, expectationsHold: true, outcome with { Violations = 0 }));
        Assert.Equal(Interruption.ExitCode, Commands.Outcome(passed with { Reason = StopReason.Interrupted }, expectationsHold: true, outcome));

        var report = Simulation.ScenarioRunner.Run(Simulation.BuiltInScenarios.Resolve("seed-000-fin-to-time-wait"));
        using var text = new StringWriter { NewLine = "\n" };
        ReportText.Write(report, text, includeTrace: false, outcome);
        Assert.EndsWith("\n== FAILED: 1 invariant violation(s); 9 of 9 expectations hold\n", text.ToString(), StringComparison.Ordinal);
    }
}
