using TcpActors.Runtime;

namespace TcpActors.Simulation.Tests;

/// <summary>A scenario without a duration ends when nothing is left to happen, and says when that was.</summary>
public sealed class IdleEndTests
{
    [Fact]
    public void A_run_that_goes_idle_reports_the_time_of_its_last_event()
    {
        // Proves the clock stays at the last event (the refused connect at 2 s), not at the 4-hour default bound.
        var scenario = ScenarioLoader.Load("""
            hosts:
              a: {}
            apps:
              app:
                host: a
                script:
                  - at 2s: s = socket()
                  - connect(s, 10.9.9.9:80)
            """, "idle.yaml", "idle");

        var report = ScenarioRunner.Run(scenario);

        Assert.Equal(StopReason.Idle, report.Run.Reason);
        Assert.Equal("idle at simulated time 2.000000 s", report.Run.Message);
    }
}
