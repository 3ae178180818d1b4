using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using TcpActors.Runtime;
using TcpActors.Simulation;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>One seed reproduces a whole run: traces compared event for event, reports byte for byte.</summary>
public sealed class DeterminismTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_generated_chaos_case_replays_event_for_event()
    {
        // Proves determinism under every fault kind: 150 generated cases, each run twice, whole traces compared.
        var config = Config.QuickThrowOnFailure.WithMaxTest(150)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(777, 1442695040888963407), FSharpOption<int>.None)));
        long events = 0;
        Check.One(config, Prop.ForAll(IntegrityGenerators.Arbitrary(2, 20_000), plan =>
        {
            var (first, second) = (Trace(plan), Trace(plan));
            events += first.Count;
            if (TraceDigest.Compare(first, second) is { } difference)
            {
                throw new InvalidOperationException(difference + "\n" + IntegrityProperty.Replay(plan));
            }
        }));
        output.WriteLine($"{events} trace lines compared");
    }

    [Fact]
    public void A_different_seed_gives_a_different_run()
    {
        // Proves the seed reaches the simulation (ISNs, netem draws): the digest is not a constant.
        var client = new EndpointPlan([new(5000, 0)], Ending.ShutdownWrite, 0, 0, null, false);
        var server = new EndpointPlan([new(700, 10)], Ending.CloseAfterEndOfStream, 0, 0, null, false);
        var plan = new IntegrityCase(1, 1000, 3000, [], [new(0, client, server)], [new(0, FaultKind.Netem, "client", "delay 5ms 3ms loss 10%", 0)]);

        Assert.NotNull(TraceDigest.Compare(Trace(plan), Trace(plan with { Seed = 2 })));
        Assert.Null(TraceDigest.Compare(Trace(plan), Trace(plan)));
    }

    [Fact]
    public void The_same_load_run_twice_gives_identical_JSON_and_traces()
    {
        // Proves load runs replay: with chaos (netem loss, random drops) the summary JSON and the whole trace match.
        var settings = new LoadSettings
        {
            Clients = 2,
            Servers = 2,
            Rate = 300,
            Duration = Duration.FromSeconds(3),
            Drain = Duration.FromSeconds(61),
            RequestBytes = Distribution.ParseBytes("100-3000", "--request-bytes"),
            Seed = 99,
            Netem = ["delay 2ms 1ms loss 3% duplicate 1%"],
            Rules = ["servers:-A INPUT -p tcp -m statistic --mode random --probability 0.02 -j DROP"],
        };
        var (firstTrace, secondTrace) = (new TraceDigest(), new TraceDigest());

        string first = LoadRunner.Run(settings, attach: firstTrace.Attach).ToJson();
        string second = LoadRunner.Run(settings, attach: secondTrace.Attach).ToJson();

        Assert.Equal(first, second);
        Assert.Null(TraceDigest.Compare(firstTrace, secondTrace));
        Assert.Contains("\"completed\":", first, StringComparison.Ordinal);
        output.WriteLine($"{firstTrace.Count} trace lines, digest {firstTrace.Digest[..16]}");
    }

    [Fact]
    public void Every_built_in_scenario_replays_identically()
    {
        // Proves scenario runs replay: trace, calls, snapshots, chaos log, verdicts and every dispatched event.
        Assert.NotEmpty(BuiltInScenarios.Names);
        foreach (var name in BuiltInScenarios.Names)
        {
            var (firstTrace, secondTrace) = (new TraceDigest(), new TraceDigest());
            var first = ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { Attach = firstTrace.Attach });
            var second = ScenarioRunner.Run(BuiltInScenarios.Load(name), new RunOptions { Attach = secondTrace.Attach });

            Assert.Equal(first.Trace, second.Trace);
            Assert.Equal(first.Calls.Select(c => c.ToString()), second.Calls.Select(c => c.ToString()));
            Assert.Equal(first.Snapshots, second.Snapshots);
            Assert.Equal(first.ChaosLog, second.ChaosLog);
            Assert.Equal(first.Results.Select(r => r.ToString()), second.Results.Select(r => r.ToString()));
            Assert.Null(TraceDigest.Compare(firstTrace, secondTrace));
        }
    }

    [Fact]
    public void Two_processes_write_the_same_load_summary()
    {
        // Proves determinism across processes (hash seeds, allocation, JIT): the CLI run twice writes identical JSON.
        string cli = Path.Combine(AppContext.BaseDirectory, "tcpactors.dll");
        string directory = Directory.CreateTempSubdirectory("tcpactors-determinism").FullName;
        try
        {
            var outputs = new[] { "first.json", "second.json" }.Select(file =>
            {
                string path = Path.Combine(directory, file);
                RunProcess(cli, "load", "--clients", "2", "--rate", "200", "--duration", "2s", "--drain", "61s",
                    "--netem", "delay 1ms loss 2%", "--seed", "5", "--quiet", "--json", path);
                return File.ReadAllText(path);
            }).ToList();

            Assert.Equal(outputs[0], outputs[1]);
            Assert.Contains("\"completed\":", outputs[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static TraceDigest Trace(IntegrityCase plan)
    {
        var digest = new TraceDigest();
        IntegrityRun.Execute(plan, attach: digest.Attach);
        return digest;
    }

    private static void RunProcess(string dll, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the CLI did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}\n{stdout}");
    }
}
