using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>The live progress of a load run (on a terminal) and its final summary table.</summary>
internal static class LoadDisplay
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    /// <summary>Runs the load with a live panel refreshed at most ten times a wall-clock second.</summary>
    public static LoadReport RunLive(IAnsiConsole console, LoadSettings settings, double? speed, Stopwatch wall, Action<ActorSystem>? attach, Func<Network.Topology, IDisposable?>? observe)
    {
        LoadReport? report = null;
        var lastRefresh = TimeSpan.Zero;
        console.Live(Panel(null, wall.Elapsed, settings)).Start(context =>
        {
            report = LoadRunner.Run(
                settings,
                sample =>
                {
                    if (wall.Elapsed - lastRefresh >= TimeSpan.FromMilliseconds(100))
                    {
                        lastRefresh = wall.Elapsed;
                        context.UpdateTarget(Panel(sample, wall.Elapsed, settings));
                    }
                },
                attach: attach,
                pacing: speed is null ? null : new SystemWallClock(),
                speed: speed ?? 1,
                observe: observe);
        });
        return report!;
    }

    private static Panel Panel(LoadSample? sample, TimeSpan wall, LoadSettings settings)
    {
        var grid = new Grid().AddColumn().AddColumn();
        double simulated = sample?.Time ?? 0;
        double total = (settings.Duration + settings.Drain).TotalSeconds;
        grid.AddRow("simulated time", string.Create(s_culture, $"{simulated:0.0} s of {total:0} s"));
        grid.AddRow("wall time", string.Create(s_culture, $"{wall.TotalSeconds:0.0} s (speed ×{(wall.TotalSeconds > 0 ? simulated / wall.TotalSeconds : 0):0.#})"));
        if (sample is not null)
        {
            grid.AddRow("connections", string.Create(s_culture, $"open {sample.Open:N0}   completed {sample.Completed:N0}   failed {sample.Failed:N0}"));
            grid.AddRow("TIME_WAIT", string.Create(s_culture, $"clients {sample.TimeWaitClients:N0}   servers {sample.TimeWaitServers:N0}"));
            grid.AddRow("ports in use", string.Create(s_culture, $"{sample.PortsInUseMax:N0} (busiest client)"));
            grid.AddRow("retransmissions / resets", string.Create(s_culture, $"{sample.Retransmissions:N0} / {sample.ResetsSent:N0}"));
        }

        return new Panel(grid).Header("tcpactors load").Expand();
    }

    public static void Summary(IAnsiConsole console, LoadReport report, TimeSpan wall)
    {
        var table = new Table().AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        table.Border(TableBorder.Simple);
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("connections attempted", report.Attempted.ToString("N0", s_culture));
        Row("completed", report.Completed.ToString("N0", s_culture));
        Row("failed", report.Failed.ToString("N0", s_culture));
        foreach (var (errorName, count) in report.FailuresByError)
        {
            Row("  failed with " + errorName, count.ToString("N0", s_culture));
        }

        Row("still open at the end", report.Open.ToString("N0", s_culture));
        Row("requests answered", report.RequestsCompleted.ToString("N0", s_culture));
        foreach (var (host, peak) in report.PeakTimeWaitByHost.Where(p => p.Value > 0 || p.Key.StartsWith("client-", StringComparison.Ordinal)).Take(12))
        {
            Row($"TIME_WAIT on {host} (peak / end)", string.Create(s_culture, $"{peak:N0} / {report.FinalTimeWaitByHost.GetValueOrDefault(host):N0}"));
        }

        Row("peak ports in use (busiest client)", report.PeakPortsInUseByHost.Values.DefaultIfEmpty(0).Max().ToString("N0", s_culture));
        Row("retransmissions", report.Retransmissions.ToString("N0", s_culture));
        Row("resets sent", report.ResetsSent.ToString("N0", s_culture));
        Row("TIME_WAIT overflow (tcp_max_tw_buckets)", report.TimeWaitOverflow.ToString("N0", s_culture));
        Row("TIME_WAIT recycled (tcp_tw_reuse)", report.TimeWaitRecycled.ToString("N0", s_culture));
        Row("chaos verdicts", report.ChaosVerdicts.ToString("N0", s_culture));
        Row("connect latency p50 / p90 / p99 / max", string.Join(" / ", new[] { "p50", "p90", "p99", "max" }.Select(p => Milliseconds(report.ConnectLatency[p]))));
        Row("simulated / wall time", string.Create(s_culture, $"{report.Run.Time.TotalSeconds:0.0} s / {wall.TotalSeconds:0.00} s ({report.Run.EventsProcessed:N0} events)"));
        console.Write(table);
        console.WriteLine();
        foreach (var line in report.Diagnosis)
        {
            console.WriteLine(line);
        }

        if (report.Run.HitLimit || report.Run.Reason == Runtime.StopReason.Interrupted)
        {
            // Straight to the writer: Spectre would wrap the sentence scripts look for at 80 columns.
            console.Profile.Out.Writer.WriteLine("The run was cut short: " + report.Run.Message);
        }
    }

    private static string Milliseconds(double seconds) => string.Create(s_culture, $"{seconds * 1000:0.###} ms");
}
