using System.Text.Json;
using static TcpActors.Cli.Tests.InProcess;

namespace TcpActors.Cli.Tests;

/// <summary>
/// --max-events, --max-time and --max-memory on run and load: a run that reaches a bound stops, still prints its
/// summary saying which bound and when, records it in its JSON, and exits 1; bad bounds are exit 2 naming the option.
/// </summary>
public sealed class RunLimitOptionTests : IDisposable
{
    /// <summary>A connection kept alive forever: a keepalive probe every second, nobody closes.</summary>
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

    private readonly string _directory = Directory.CreateTempSubdirectory("tcpactors-limits").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Max_events_stops_an_endless_run_which_still_reports_and_exits_1()
    {
        // Proves the event bound from the command line: the summary comes out, says which limit and when, and the run failed.
        var (code, output, error) = Run("run", Endless(), "--max-events", "5000");

        Assert.Equal(Commands.RunFailed, code);
        Assert.Empty(error);
        Assert.Matches(@"(?m)^# seed 1; stopped: the limit of 5,000 events was reached at simulated time \d+\.\d{6} s$", output);
        Assert.Matches(@"(?m)^== STOPPED: stopped: the limit of 5,000 events was reached at simulated time \d+\.\d{6} s$", output);
        Assert.Contains("== calls", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_time_stops_an_endless_run_at_that_simulated_time()
    {
        // Proves the simulated-time bound takes the CLI's duration syntax, and JSON output records why the run stopped.
        var (code, output, _) = Run("run", Endless(), "--max-time", "10m", "--format", "json");

        Assert.Equal(Commands.RunFailed, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("TimeLimit", json.RootElement.GetProperty("stop").GetString());
        Assert.Equal("stopped: the limit of 600.000000 s of simulated time was reached", json.RootElement.GetProperty("message").GetString());
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(json.RootElement.GetProperty("simulatedSeconds").GetDouble() <= 600);
    }

    [Fact]
    public void Max_memory_stops_a_run_and_says_it_is_not_reproducible()
    {
        // Proves the managed-memory bound: 1 KB is passed at the first check, the message names the bound and warns.
        var (code, output, _) = Run("run", Endless(), "--max-memory", "1KB");

        Assert.Equal(Commands.RunFailed, code);
        Assert.Matches(@"(?m)^== STOPPED: stopped: the limit of 1 KB of managed memory was reached at simulated time \d+\.\d{6} s \(.* live after a full collection; where a memory limit stops a run is not reproducible\)$", output);
    }

    [Fact]
    public void A_memory_limit_below_what_the_process_holds_stops_even_a_short_scenario()
    {
        // Proves the bound is checked before the first event: a built-in scenario of a few hundred events, far fewer than
        // the check interval, still stops at once when the limit is smaller than the heap.
        var (code, output, _) = Run("run", "seed-000-fin-to-time-wait", "--max-memory", "1KB");

        Assert.Equal(Commands.RunFailed, code);
        Assert.Matches(@"(?m)^== STOPPED: stopped: the limit of 1 KB of managed memory was reached at simulated time 0\.000000 s \(", output);
    }

    [Fact]
    public void A_load_run_stopped_by_a_limit_prints_its_summary_and_its_json_says_why()
    {
        // Proves the bounds on load: the summary, the sentence on one line, the JSON's stop and stopReason, exit 1.
        string json = Path.Combine(_directory, "load.json");
        var (code, output, error) = Run("load", "--rate", "100", "--duration", "5s", "--quiet", "--max-events", "5000", "--json", json);

        Assert.Equal(Commands.RunFailed, code);
        Assert.Empty(error);
        Assert.Contains("connections attempted", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^The run was cut short: stopped: the limit of 5,000 events was reached at simulated time \d+\.\d{6} s$", output);
        Assert.DoesNotContain("Every connection completed", output, StringComparison.Ordinal);
        Assert.Matches(@"connections completed, none failed, [\d,]+ still open when the run ended", output);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var summary = document.RootElement.GetProperty("summary");
        Assert.Equal("EventLimit", summary.GetProperty("stopReason").GetString());
        Assert.StartsWith("stopped: the limit of 5,000 events was reached", summary.GetProperty("stop").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_load_run_stops_at_max_time_and_at_max_memory()
    {
        // Proves --max-time and --max-memory on load, with exit 1 and the sentence for each.
        var (code, output, _) = Run("load", "--rate", "100", "--duration", "5s", "--quiet", "--max-time", "3s");
        Assert.Equal(Commands.RunFailed, code);
        Assert.Contains("The run was cut short: stopped: the limit of 3.000000 s of simulated time was reached", output, StringComparison.Ordinal);

        (code, output, _) = Run("load", "--rate", "100", "--duration", "5s", "--quiet", "--max-memory", "1K");
        Assert.Equal(Commands.RunFailed, code);
        Assert.Contains("The run was cut short: stopped: the limit of 1 KB of managed memory was reached", output, StringComparison.Ordinal);
        Assert.Contains("No connection was attempted before the run ended.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Every connection completed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_apply_to_a_workload_file_run_by_run_or_by_load()
    {
        // Proves a workload file's load run takes the bounds whether it is started with run or with load.
        string file = Path.Combine(_directory, "workload.yaml");
        File.WriteAllText(file, "workload:\n  rate: 100\n  duration: 5s\n");

        var (code, output, _) = Run("run", file, "--max-events", "5000");
        Assert.Equal(Commands.RunFailed, code);
        Assert.Contains("stopped: the limit of 5,000 events was reached", output, StringComparison.Ordinal);

        (code, output, _) = Run("load", file, "--quiet", "--max-events", "5000");
        Assert.Equal(Commands.RunFailed, code);
        Assert.Contains("stopped: the limit of 5,000 events was reached", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_within_its_limits_passes()
    {
        // Proves generous bounds change nothing: the built-in passes with exit 0.
        var (code, output, _) = Run("run", "seed-000-fin-to-time-wait", "--max-events", "1000000", "--max-time", "1h", "--max-memory", "4GB");

        Assert.Equal(Commands.Success, code);
        Assert.Contains("== PASSED: 9 of 9 expectations hold", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-events", "0", "tcpactors: --max-events must be at least 1, not 0")]
    [InlineData("--max-events", "-5", "tcpactors: --max-events must be at least 1, not -5")]
    [InlineData("--max-events", "many", "tcpactors: --max-events: 'many' is not a whole number")]
    [InlineData("--max-time", "0", "tcpactors: --max-time must be a duration like 600s, 10m or 2h, not '0'")]
    [InlineData("--max-time", "soon", "tcpactors: --max-time must be a duration like 600s, 10m or 2h, not 'soon'")]
    [InlineData("--max-memory", "lots", "tcpactors: --max-memory must be an amount like 512MB or 2GB, not 'lots'")]
    [InlineData("--max-memory", "0GB", "tcpactors: --max-memory must be an amount like 512MB or 2GB, not '0GB'")]
    public void A_bad_bound_is_exit_2_naming_the_option(string option, string value, string message)
    {
        // Proves each bound's value is checked before the run, with one line naming the option.
        foreach (var command in new[] { new[] { "run", "seed-000-fin-to-time-wait" }, new[] { "load", "--rate", "10", "--duration", "1s", "--quiet" } })
        {
            var (code, _, error) = Run([.. command, option, value]);
            Assert.Equal(Commands.BadInput, code);
            Assert.Equal(message, Lines(error)[0]);
        }
    }

    [Fact]
    public void Help_shows_the_default_bounds()
    {
        // Proves the defaults that keep an endless loop from hanging the CLI are documented where users look.
        var (_, run, _) = Run("run", "--help");
        var (_, load, _) = Run("load", "--help");

        Assert.Contains("default 200,000,000 events for a scenario, 20,000,000,000 events for a workload", run, StringComparison.Ordinal);
        Assert.Contains("default 7 days for a scenario, 30 days for a workload", run, StringComparison.Ordinal);
        Assert.Contains("default 20,000,000,000 events", load, StringComparison.Ordinal);
        Assert.Contains("default: no limit", load, StringComparison.Ordinal);
    }

    private string Endless()
    {
        string path = Path.Combine(_directory, "endless.yaml");
        File.WriteAllText(path, EndlessScenario);
        return path;
    }
}
