using System.CommandLine;
using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Runtime;
using TcpActors.Simulation;
using TcpActors.Telemetry;

namespace TcpActors.Cli;

/// <summary><c>tcpactors run SCENARIO</c>: runs a scenario file or a built-in one and prints what happened.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var scenario = new Argument<string>("scenario") { Description = "A scenario file (YAML) or the name of a built-in scenario (see `tcpactors list`)." };
        var seed = new Option<ulong?>("--seed") { Description = "The run's seed (default: the scenario's). The same seed gives the same output, byte for byte." };
        var pcap = new Option<string?>("--pcap") { Description = "Also write the captured packets to this pcap file (Wireshark/tshark open it)." };
        var trace = new Option<string?>("--trace") { Description = "Write the tcpdump text to this file instead of the screen." };
        var format = new Option<string>("--format") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var timeFormat = new Option<string>("--time-format") { Description = "tcpdump timestamps: default (HH:MM:SS.us), none (-t), epoch (-tt), delta (-ttt), date (-tttt), relative (-ttttt).", DefaultValueFactory = _ => "default" };
        timeFormat.AcceptOnlyFromAmong("default", "none", "epoch", "delta", "date", "relative");
        var absolute = new Option<bool>("-S") { Description = "Print absolute sequence numbers (tcpdump -S)." };
        var verbose = new Option<bool>("-v") { Description = "Print IP header fields too (tcpdump -v)." };
        var speed = NumberOption.Create("--speed", "Pace simulated time at this multiple of real time (for live dashboards); default: as fast as possible.");
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report: ladder diagrams, expectations, chaos timeline (docs/report.md)." };
        var svg = new Option<string?>("--svg") { Description = "Also write the ladder diagram alone to this SVG file." };
        var checkInvariants = InvariantWatch.CreateOption();
        var command = new Command("run", "Run a scenario and print its tcpdump trace, socket calls, ss snapshots and expectation results.")
        {
            scenario, seed, pcap, trace, format, timeFormat, absolute, verbose, speed, report, svg, checkInvariants,
        };
        var limits = RunLimitOptions.ForRun();
        limits.AddTo(command);
        var otlp = new OtlpOptions();
        otlp.AddTo(command);
        command.SetAction(parsed =>
        {
            var loaded = BuiltInScenarios.Resolve(parsed.GetValue(scenario)!);
            if (loaded.Workload is { } workload)
            {
                // A load run prints a summary, not a tcpdump trace: the trace's options would be silently ignored.
                Option[] traceOptions = [trace, timeFormat, absolute, verbose];
                if (traceOptions.FirstOrDefault(o => parsed.GetResult(o) is { Implicit: false }) is { } given)
                {
                    throw new UsageException($"{given.Name} does not apply to a workload file: a load run prints a summary, not a tcpdump trace (--pcap records what tcpdump on the first client sees)");
                }

                // A workload file runs as a load run, with the load runner's limits.
                loaded = loaded with { Workload = workload with { Limits = limits.Apply(parsed, workload.Limits) } };
            }

            double? pace = NumberOption.Speed(parsed.GetValue(speed));

            (string?, string)[] files = [(parsed.GetValue(pcap), "--pcap"), (parsed.GetValue(trace), "--trace"), (parsed.GetValue(report), "--report"), (parsed.GetValue(svg), "--svg")];
            OutputFile.NotTheInput(parsed.GetValue(scenario)!, files);
            OutputFile.Distinct(files);
            var reportFiles = ReportFiles.For(parsed.GetValue(report), parsed.GetValue(svg));
            using var invariants = new InvariantWatch(parsed.GetValue(checkInvariants), attachedMidRun: loaded.Workload is not null);
            var options = new RunOptions
            {
                Seed = parsed.GetValue(seed),
                PcapPath = OutputFile.Checked(parsed.GetValue(pcap), "--pcap"),
                Tcpdump = new TcpdumpOptions
                {
                    Timestamps = TimestampFormat(parsed.GetValue(timeFormat)!),
                    AbsoluteSequenceNumbers = parsed.GetValue(absolute),
                    Verbose = parsed.GetValue(verbose),
                },
                WallClock = pace is null ? null : new SystemWallClock(),
                Speed = pace ?? 1,
                Observe = otlp.Observer(parsed),
                Attach = Interruption.Track((reportFiles is null ? null : reportFiles.AttachScenario) + invariants.Attach),
                Limits = limits.Apply(parsed, RunOptions.Default.Limits),
            };
            var outputs = new RunOutputs(parsed.GetValue(format)!, OutputFile.Checked(parsed.GetValue(trace), "--trace"), reportFiles, invariants);
            return Execute(loaded, options, outputs, output, error);
        });
        return command;
    }

    private static int Execute(Scenario scenario, RunOptions options, RunOutputs outputs, TextWriter output, TextWriter error)
    {
        var (format, tracePath, reportFiles, invariants) = outputs;
        RunReport report;
        try
        {
            report = ScenarioRunner.Run(scenario, options);
        }
        catch (ActorFailureException failure)
        {
            error.WriteLine($"tcpactors: internal error (please report it; replay with: tcpactors run {scenario.Source} --seed {options.Seed ?? scenario.Seed}): {InputText.OneLine(failure.Message)}");
            return Commands.InternalError;
        }
        catch (Exception problem) when (options.PcapPath is not null && problem is IOException or UnauthorizedAccessException)
        {
            // The pcap file is the only file written while the run goes on (a full disk, a file removed under us).
            throw new UsageException($"--pcap {options.PcapPath}: {problem.Message}", problem);
        }

        if (tracePath is not null)
        {
            OutputFile.Write(tracePath, string.Join('\n', report.Trace) + "\n", "--trace");
        }

        reportFiles?.Write(report);
        var checkedInvariants = invariants.Finish();
        if (format == "json")
        {
            output.WriteLine(ReportJson.Write(report, checkedInvariants));
        }
        else
        {
            ReportText.Write(report, output, includeTrace: tracePath is null, checkedInvariants);
        }

        return Commands.Outcome(report.Run, report.Passed, checkedInvariants);
    }

    /// <summary>What a run command writes besides the run itself.</summary>
    private sealed record RunOutputs(string Format, string? TracePath, ReportFiles? ReportFiles, InvariantWatch Invariants);

    private static TcpdumpTimestampFormat TimestampFormat(string name) => name switch
    {
        "none" => TcpdumpTimestampFormat.None,
        "epoch" => TcpdumpTimestampFormat.EpochSeconds,
        "delta" => TcpdumpTimestampFormat.SincePrevious,
        "date" => TcpdumpTimestampFormat.DateAndTime,
        "relative" => TcpdumpTimestampFormat.SinceFirst,
        _ => TcpdumpTimestampFormat.TimeOfDay,
    };
}
