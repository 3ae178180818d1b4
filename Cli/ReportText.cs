using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>The text form of a run: header, tcpdump trace, calls, chaos, ss snapshots, expectations.</summary>
internal static class ReportText
{
    public static void Write(RunReport report, TextWriter output, bool includeTrace)
    {
        var scenario = report.Scenario;
        output.WriteLine($"# {scenario.Name}: {scenario.Description}");
        output.WriteLine($"# seed {report.Seed}; {report.Run.Message}");
        if (includeTrace)
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

        int failed = report.Results.Count(r => !r.Passed);
        output.WriteLine();
        output.WriteLine(report.Run.HitLimit
            ? $"== FAILED: {report.Run.Message}"
            : $"== {(failed == 0 ? "PASSED" : "FAILED")}: {report.Results.Count - failed} of {report.Results.Count} expectations hold");
    }
}
