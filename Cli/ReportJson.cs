using System.Text.Json;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>The JSON form of a run (stable field names, for scripts and dashboards).</summary>
internal static class ReportJson
{
    private static readonly JsonSerializerOptions s_options = new() { WriteIndented = true };

    /// <summary>The run as JSON; <c>stop</c> and <c>message</c> say why it ended (a limit's name and sentence included).</summary>
    public static string Write(RunReport report, InvariantOutcome? invariants = null) => JsonSerializer.Serialize(new
    {
        scenario = report.Scenario.Name,
        description = report.Scenario.Description,
        seed = report.Seed,
        passed = report.Passed && invariants is not { Broken: true },
        stop = report.Run.Reason.ToString(),
        message = report.Run.Message,
        invariants = invariants is null ? null : new { violations = invariants.Violations, description = invariants.Description },
        simulatedSeconds = report.Run.Time.TotalSeconds,
        events = report.Run.EventsProcessed,
        capture = report.CaptureDescription,
        trace = report.Trace,
        calls = report.Calls.Select(c => new { app = c.Application, call = c.Function, occurrence = c.Occurrence, started = c.Started.TotalSeconds, returned = c.Returned.TotalSeconds, result = c.Result, step = c.Text }),
        chaos = report.ChaosLog,
        snapshots = report.Snapshots.Select(s => new { at = s.At.TotalSeconds, host = s.Host, ss = s.Text }),
        expectations = report.Results.Select(r => new { passed = r.Passed, expectation = r.Expectation.Describe(), detail = r.Detail, where = r.Expectation.Where.ToString() }),
    }, s_options);
}
