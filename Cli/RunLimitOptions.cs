using System.CommandLine;
using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Cli;

/// <summary>
/// --max-events, --max-time and --max-memory on <c>run</c> and <c>load</c>: bounds on a run, so that an endless
/// retransmission or timer loop cannot hang the CLI. A run that reaches one stops, still prints its summary (which
/// says which limit and when) and exits 1. Without them the library's defaults apply; --help shows them.
/// </summary>
internal sealed class RunLimitOptions(string eventsDefault, string timeDefault)
{
    public Option<long?> MaxEvents { get; } = new("--max-events")
    {
        Description = $"Stop the run after this many events, e.g. 1000000 ({eventsDefault}). A run stopped by a limit prints its summary and exits 1.",
    };

    public Option<string?> MaxTime { get; } = new("--max-time")
    {
        Description = $"Stop the run when simulated time reaches this, e.g. 600s, 10m, 2h ({timeDefault}).",
    };

    public Option<string?> MaxMemory { get; } = new("--max-memory")
    {
        Description = string.Create(CultureInfo.InvariantCulture, $"Stop the run when the managed heap holds more than this, e.g. 512MB, 2GB (K, M, G: powers of 1024; checked every {RunLimits.ManagedMemoryCheckInterval:N0} events; default: no limit). Where it stops depends on the garbage collector: a run stopped by memory is not reproducible."),
    };

    /// <summary>The options of <c>tcpactors run</c>, whose defaults differ for scenarios and workload files.</summary>
    public static RunLimitOptions ForRun()
    {
        var scenario = RunOptions.Default.Limits;
        var load = new LoadSettings().Limits;
        double idleHours = RunOptions.Default.DefaultDuration.TotalSeconds / 3600;
        return new RunLimitOptions(
            $"default {Events(scenario)} for a scenario, {Events(load)} for a workload",
            string.Create(CultureInfo.InvariantCulture, $"default {Days(scenario)} for a scenario, {Days(load)} for a workload; a scenario without a duration: ends when idle, at most {idleHours:0.##} hours"));
    }

    /// <summary>The options of <c>tcpactors load</c>.</summary>
    public static RunLimitOptions ForLoad()
    {
        var load = new LoadSettings().Limits;
        return new RunLimitOptions($"default {Events(load)}", $"default {Days(load)}");
    }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(MaxEvents);
        command.Options.Add(MaxTime);
        command.Options.Add(MaxMemory);
    }

    /// <summary><paramref name="limits"/> with the bounds given on the command line in place of its own.</summary>
    public RunLimits Apply(ParseResult parsed, RunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(limits);
        if (parsed.GetValue(MaxEvents) is { } events)
        {
            limits = events >= 1
                ? limits with { MaxEvents = events }
                : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-events must be at least 1, not {events}"));
        }

        if (parsed.GetValue(MaxTime) is { } time)
        {
            limits = Durations.TryParse(time, out var duration) && duration > Duration.Zero
                ? limits with { MaxTime = SimTime.Zero + duration }
                : throw new UsageException($"--max-time must be a duration like 600s, 10m or 2h, not {InputText.Quote(time)}");
        }

        if (parsed.GetValue(MaxMemory) is { } memory)
        {
            limits = MemorySize.TryParse(memory, out long bytes)
                ? limits with { MaxManagedMemoryBytes = bytes }
                : throw new UsageException($"--max-memory must be an amount like 512MB or 2GB, not {InputText.Quote(memory)}");
        }

        return limits;
    }

    private static string Events(RunLimits limits) => limits.MaxEvents.ToString("N0", CultureInfo.InvariantCulture) + " events";

    private static string Days(RunLimits limits) =>
        (limits.MaxTime.TotalSeconds / 86400).ToString("0.##", CultureInfo.InvariantCulture) + " days";
}
