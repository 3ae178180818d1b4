using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// Runs are bounded: limits on events and simulated time stop a run that would never end, with a
/// sentence saying which limit and when; RequestStop (what Ctrl-C calls) ends a run cleanly, with its
/// report and its outputs complete.
/// </summary>
public sealed class BoundedRunTests
{
    /// <summary>A connection kept alive forever: keepalive probes every second, nobody closes.</summary>
    private const string EndlessScenario = """
        name: endless-keepalive
        hosts:
          box: { loopback-only: true }
        apps:
          server:
            host: box
            script:
              - s = socket(reuseaddr)
              - bind(s, 127.0.0.1:7000)
              - listen(s)
              - c = accept(s)
          client:
            host: box
            script:
              - at 1s: sock = connect(127.0.0.1:7000, keepalive, keepidle=1, keepintvl=1)
        """;

    [Fact]
    public void The_event_limit_stops_an_endless_keepalive_run_with_a_clear_message()
    {
        // Proves the event bound on a real TCP run that never idles: the run stops, says why, and fails.
        var scenario = ScenarioLoader.Load(EndlessScenario, "endless.yaml", "endless");

        var report = ScenarioRunner.Run(scenario, new RunOptions { Limits = new RunLimits(5_000, SimTime.MaxValue) });

        Assert.Equal(StopReason.EventLimit, report.Run.Reason);
        Assert.Matches(@"^stopped: the limit of 5,000 events was reached at simulated time \d+\.\d{6} s$", report.Run.Message);
        Assert.False(report.Passed);
        Assert.NotEmpty(report.Trace);
    }

    [Fact]
    public void The_time_limit_stops_an_endless_keepalive_run_with_a_clear_message()
    {
        // Proves the simulated-time bound: one hour of keepalives, cut at ten minutes.
        var scenario = ScenarioLoader.Load(EndlessScenario, "endless.yaml", "endless");

        var report = ScenarioRunner.Run(scenario, new RunOptions { Limits = new RunLimits(long.MaxValue, SimTime.FromSeconds(600)), DefaultDuration = Duration.FromSeconds(3600) });

        Assert.Equal(StopReason.TimeLimit, report.Run.Reason);
        Assert.Equal("stopped: the limit of 600.000000 s of simulated time was reached", report.Run.Message);
        Assert.True(report.Run.Time <= SimTime.FromSeconds(600));
    }

    [Fact]
    public void A_load_run_stopped_by_its_event_limit_still_reports_and_says_so()
    {
        // Proves the load runner's bound: the summary is produced and its JSON carries the reason.
        var settings = new LoadSettings { Clients = 1, Rate = 1000, Duration = Duration.FromSeconds(60), Limits = new RunLimits(20_000, SimTime.MaxValue) };

        var report = LoadRunner.Run(settings);

        Assert.Equal(StopReason.EventLimit, report.Run.Reason);
        Assert.True(report.Attempted > 0);
        Assert.Contains("stopped: the limit of 20,000 events was reached", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestStop_from_another_thread_ends_a_load_run_with_its_report()
    {
        // Proves Ctrl-C's path in the runner: a stop requested from another thread ends the loop after the
        // current event; the report (and JSON) still comes out, marked interrupted.
        var settings = new LoadSettings { Clients = 2, Rate = 2000, Duration = Duration.FromSeconds(24 * 3600), Drain = Duration.FromSeconds(61) };
        ActorSystem? running = null;

        // The other thread asks once the run is under way (a few thousand connections done), however busy the machine:
        // a fixed wall-clock delay could come before the first connection completed, or before the run even started.
        var stopper = Task.Run(async () =>
        {
            ActorSystem? system;
            while ((system = Volatile.Read(ref running)) is null || system.EventsProcessed <= 100_000)
            {
                await Task.Delay(10);
            }

            system.RequestStop();
        });

        var report = LoadRunner.Run(settings, attach: system => Volatile.Write(ref running, system));
        await stopper.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(StopReason.Interrupted, report.Run.Reason);
        Assert.StartsWith("interrupted at simulated time", report.Run.Message, StringComparison.Ordinal);
        Assert.True(report.Completed > 0);
        Assert.Contains("interrupted at simulated time", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void RequestStop_ends_a_scenario_run_with_its_trace_and_a_complete_pcap()
    {
        // Proves an interrupted scenario run still writes everything: the report, the trace, and a pcap whose
        // every record is whole (header, then records of the announced length).
        var scenario = ScenarioLoader.Load(EndlessScenario, "endless.yaml", "endless");
        string pcap = Path.Combine(Path.GetTempPath(), $"tcpactors-interrupted-{Environment.ProcessId}.pcap");
        try
        {
            var options = new RunOptions
            {
                PcapPath = pcap,
                Attach = system => system.EventStream.Subscribe<Network.PacketCaptured>(p =>
                {
                    if (p.Time >= SimTime.FromSeconds(30))
                    {
                        system.RequestStop();
                    }
                }),
            };

            var report = ScenarioRunner.Run(scenario, options);

            Assert.Equal(StopReason.Interrupted, report.Run.Reason);
            Assert.NotEmpty(report.Trace);
            Assert.Equal(report.Trace.Count, PcapRecords(pcap));
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    [Fact]
    public async Task Ctrl_C_ends_a_CLI_load_run_with_its_summary_and_JSON()
    {
        // Proves the CLI's Ctrl-C path: SIGINT during a long load stops the run, prints the summary, writes the JSON.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string json = Path.Combine(Path.GetTempPath(), $"tcpactors-ctrl-c-{Environment.ProcessId}.json");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "tcpactors.dll"), "load", "--clients", "4", "--rate", "5000", "--duration", "36000s", "--quiet", "--json", json })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        await Task.Delay(5000); // past start-up, so that the CLI's SIGINT handler is installed even on a loaded machine
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        // Generous for a loaded CI machine (it once took more than 30 s at load average 13); a CLI that ignored SIGINT
        // would run its 36,000 simulated seconds, minutes of CPU, and fail this.
        bool exited = process.WaitForExit(120_000);
        if (!exited)
        {
            process.Kill();
        }

        Assert.True(exited, "the CLI did not stop within 120 s of SIGINT");
        Assert.Contains("interrupted at simulated time", await stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(json), "no JSON summary was written");
        File.Delete(json);
    }

    /// <summary>Counts the records of a pcap file, checking that the last one is complete.</summary>
    private static int PcapRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 24, "no pcap global header");
        int records = 0;
        int offset = 24;
        while (offset < bytes.Length)
        {
            Assert.True(offset + 16 <= bytes.Length, $"a truncated record header at byte {offset}");
            int included = BitConverter.ToInt32(bytes, offset + 8);
            offset += 16 + included;
            Assert.True(offset <= bytes.Length, "a truncated record");
            records++;
        }

        return records;
    }
}
