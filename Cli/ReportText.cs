using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>The text form of a run: header, tcpdump trace, calls, chaos, ss snapshots, expectations.</summary>
internal static class ReportText
{
    private static void WriteLoad(LoadReport load, TextWriter output)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine("== load");
        output.WriteLine(string.Create(culture, $"attempted {load.Attempted:N0}, completed {load.Completed:N0}, failed {load.Failed:N0}, open {load.Open:N0}"));
        foreach (var (error, count) in load.FailuresByError)
        {
            output.WriteLine(string.Create(culture, $"  failed with {error}: {count:N0}"));
        }

        foreach (var (host, peak) in load.PeakTimeWaitByHost.Where(p => p.Value > 0))
        {
            output.WriteLine(string.Create(culture, $"TIME_WAIT on {host}: peak {peak:N0}, at the end {load.FinalTimeWaitByHost.GetValueOrDefault(host):N0}"));
        }

        output.WriteLine(string.Create(culture, $"retransmissions {load.Retransmissions:N0}, resets sent {load.ResetsSent:N0}, TIME_WAIT overflow {load.TimeWaitOverflow:N0}, recycled {load.TimeWaitRecycled:N0}"));
        foreach (var line in load.Diagnosis)
        {
            output.WriteLine(line);
        }
    }

    public static void Write(RunReport report, TextWriter output, bool includeTrace, InvariantOutcome? invariants = null)
    {
        var scenario = report.Scenario;
        output.WriteLine($"# {scenario.Name}: {scenario.Description}");
        output.WriteLine($"# seed {report.Seed}; {report.Run.Message}");
        if (report.Load is { } load)
        {
            WriteLoad(load, output);
        }
        else if (includeTrace)
        {
            output.WriteLine();
            output.WriteLine($"== tcpdump on {report.CaptureDescription}");
            foreach (var line in report.Trace)
            {
                output.WriteLine(line);
            }
        }

        if (report.Calls.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("== calls");
            foreach (var call in report.Calls)
            {
                output.WriteLine(call);
            }
        }

        if (report.ChaosLog.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("== chaos");
            foreach (var line in report.ChaosLog)
            {
                output.WriteLine(line);
            }
        }

        foreach (var snapshot in report.Snapshots)
        {
            output.WriteLine();
            output.WriteLine($"== ss -tan -o on {snapshot.Host} at {snapshot.At} s");
            output.Write(snapshot.Text);
        }

        if (report.Results.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("== expectations");
            foreach (var result in report.Results)
            {
                output.WriteLine(result);
            }
        }

        if (invariants is not null)
        {
            output.WriteLine();
            output.WriteLine("== invariants");
            output.WriteLine(invariants.Description);
        }

        int failed = report.Results.Count(r => !r.Passed);
        string broken = invariants is { Broken: true } ? $"{invariants.Violations} invariant violation(s); " : "";
        output.WriteLine();
        output.WriteLine(report.Run.HitLimit || report.Run.Reason == Runtime.StopReason.Interrupted
            ? $"== STOPPED: {report.Run.Message}"
            : $"== {(failed == 0 && broken.Length == 0 ? "PASSED" : "FAILED")}: {broken}{report.Results.Count - failed} of {report.Results.Count} expectations hold");
    }
}
