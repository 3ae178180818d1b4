using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TcpActors.Cli;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The tcpactors command line fuzzed in-process through <see cref="Commands.Run"/>: generated argument
/// vectors mixing good and bad values (huge and negative numbers, wrong types, odd unicode, missing values,
/// unknown options, unwritable outputs, odd scenario files). Bad input must give exit 2 and lines starting
/// "tcpactors: ", never a stack trace; nothing may escape Commands.Run or end as an internal error (exit 3).
/// Values that would make a run long are left out: a valid --speed paces against the wall clock, and a
/// closed loop with no think time opens tens of thousands of connections per simulated second.
/// </summary>
public sealed class CliFuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int DefaultInvocations = 600;

    private static readonly string[] s_bad =
    [
        "", " ", "-1", "0", "abc", "1e309", "NaN", "Infinity", "99999999999999999999", "4294967296", "2147483648", "-9223372036854775809",
        "1..2", "--", "-", "=", "\u202E1", "１", "😀", "\u0007", "1s2", "10ms-", "exp:", "exp:-1", "5-1", "1-", "-5ms", "0x10", "\"\"", "'x'",
    ];

    private static readonly Dictionary<string, string[]> s_loadValues = new(StringComparer.Ordinal)
    {
        ["--clients"] = ["1", "2", "3"],
        ["--servers"] = ["1", "2"],
        ["--rate"] = ["10", "100", "0.5", "250"],
        ["--concurrency"] = ["1"],
        ["--arrival"] = ["constant", "poisson"],
        ["--duration"] = ["1s", "300ms"],
        ["--drain"] = ["0", "1s", "61s"],
        ["--close"] = ["client", "server"],
        ["--linger"] = ["0", "1", "5"],
        ["--requests-per-connection"] = ["1", "3"],
        ["--request-bytes"] = ["100", "10-2000", "exp:500"],
        ["--response-bytes"] = ["1000", "1-64000", "exp:100"],
        ["--think-time"] = ["0", "10ms", "1ms-5ms", "exp:2ms"],
        ["--service-time"] = ["0", "1ms", "exp:3ms"],
        ["--port"] = ["80", "1", "65535"],
        ["--link-delay"] = ["25us", "1ms"],
        ["--seed"] = ["0", "1", "18446744073709551615"],
        ["--sysctl"] = ["net.ipv4.tcp_tw_reuse=1", "net.ipv4.tcp_fin_timeout=5", "net.ipv4.ip_local_port_range=40000 40010", "net.ipv4.tcp_max_tw_buckets=0", "bogus=1", "net.ipv4.tcp_rmem=1"],
        ["--client-sysctl"] = ["net.ipv4.tcp_syn_retries=1", "net.ipv4.tcp_timestamps=0"],
        ["--server-sysctl"] = ["net.ipv4.tcp_abort_on_overflow=1", "net.core.somaxconn=1"],
        ["--rule"] = ["servers:-A INPUT -p tcp --syn -m statistic --mode random --probability 0.3 -j DROP", "clients:-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset", "switch:-A FORWARD -j DROP", "client-1:-I INPUT -p tcp --tcp-flags FIN FIN -j DROP", "all:-P INPUT DROP", "-A INPUT -p tcp --sport 80 -j DROP", "nobody:-F"],
        ["--netem"] = ["delay 20ms 5ms loss 0.5%", "servers:loss 30%", "clients:duplicate 5% corrupt 1%", "delay 1ms reorder 50%", "rate 1kbit"],
        ["--speed"] = ["1e308"],
        ["--json"] = ["{temp}/load.json", "/nonexistent-dir/x.json", "{temp}", ""],
        ["--max-events"] = ["1", "20000", "1000000"],
        ["--max-time"] = ["1ms", "500ms", "1h"],
        ["--max-memory"] = ["1", "1K", "4GB", "1.5G"],
        ["--check-invariants"] = ["true", "false"],
    };

    private static readonly Dictionary<string, string[]> s_runValues = new(StringComparer.Ordinal)
    {
        ["--seed"] = ["0", "7", "18446744073709551615"],
        ["--format"] = ["text", "json"],
        ["--time-format"] = ["default", "none", "epoch", "delta", "date", "relative"],
        ["--pcap"] = ["{temp}/run.pcap", "/nonexistent-dir/x.pcap", "{temp}", ""],
        ["--trace"] = ["{temp}/run.txt", "/nonexistent-dir/x.txt", "{temp}", ""],
        ["--speed"] = ["1e308"],
        ["--max-events"] = ["1", "5000", "1000000"],
        ["--max-time"] = ["1ms", "2s", "10m"],
        ["--max-memory"] = ["1", "1K", "4GB"],
        ["--check-invariants"] = ["true", "false"],
    };

    private static readonly string[] s_flags = ["-S", "-v", "--quiet", "--help", "-h", "-?", "--version", "--bogus", "-x", "--seed", "--rate", "--check-invariants", "--max-events"];

    private static readonly HashSet<string> s_outputOptions = new(StringComparer.Ordinal) { "--pcap", "--trace", "--json", "--report", "--svg" };

    private readonly string _temp = Directory.CreateTempSubdirectory("tcpactors-cli-fuzz").FullName;

    [Fact]
    public void Generated_command_lines_succeed_or_exit_2_with_clear_lines()
    {
        // Proves the CLI's contract on generated invocations of every subcommand.
        int count = FuzzCorpus.Cases(DefaultInvocations);
        var failures = new List<string>();
        var known = new KnownFindings();
        var exits = new int[4];
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            var args = Generate(new Mutator(FuzzCorpus.CaseSeed("cli", i)));
            FuzzCorpus.Log("cli", i, string.Join('\n', args));
            var (exit, problem, _) = Invoke(args);
            exits[Math.Clamp(exit, 0, 3)]++;
            if (problem is not null && known.Add(problem) is null)
            {
                failures.Add($"cli case {i} (seed {FuzzCorpus.CaseSeed("cli", i)}): {problem}\n  args: {Show(args)}");
            }
        }

        output.WriteLine($"{count} invocations: exit 0 x{exits[0]}, 1 x{exits[1]}, 2 x{exits[2]}, 3 x{exits[3]}; {known}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(exits[2] > count / 5 && exits[0] + exits[1] > count / 10, "the generator should make both good and bad command lines");
    }

    public static TheoryData<string> CorpusFiles => FuzzCorpus.Files("cli", "*.args");

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_command_lines_keep_the_promise(string file)
    {
        // Proves each checked-in command line (one argument per line; {temp} and {corpus} expanded) still gets its clear
        // answer, and the answer its '#> exit N' and '#> stderr REGEX' lines pin, if any.
        var lines = File.ReadAllLines(FuzzCorpus.PathOf("cli", file));
        var args = lines.Where(l => !l.StartsWith('#')).Select(Expand).ToArray();

        var (exit, problem, errors) = Invoke(args);

        Assert.True(problem is null || KnownInputBugs.Classify(problem) is not null, problem);
        foreach (var expectation in lines.Where(l => l.StartsWith("#> ", StringComparison.Ordinal)).Select(l => l[3..]))
        {
            if (expectation.StartsWith("exit ", StringComparison.Ordinal))
            {
                Assert.True(int.Parse(expectation[5..], CultureInfo.InvariantCulture) == exit, $"exit {exit}, not {expectation[5..]}; stderr: {errors}");
            }
            else if (expectation.StartsWith("stderr ", StringComparison.Ordinal))
            {
                Assert.Matches(new Regex(expectation[7..], RegexOptions.Multiline), errors);
            }
        }
    }

    public void Dispose()
    {
        Directory.Delete(_temp, recursive: true);
    }

    private static (int Exit, string? Problem, string Errors) Invoke(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        int exit;
        try
        {
            exit = Commands.Run(args, stdout, stderr);
        }
        catch (Exception crash)
        {
            return (3, InputContract.Crash("Commands.Run", crash), "");
        }

        string errors = stderr.ToString();
        string? problem = exit switch
        {
            _ when clock.Elapsed > InputContract.Budget => $"took {clock.Elapsed.TotalSeconds:F1} s",
            3 => "internal error (exit 3): " + errors.Trim(),
            < 0 or > 3 => $"exit {exit}",
            _ when errors.Contains("   at ", StringComparison.Ordinal) || errors.Contains("Exception", StringComparison.Ordinal) => "a stack trace or exception name on stderr: " + errors.Trim(),
            _ when errors.Contains("System.", StringComparison.Ordinal) => "a .NET type name on stderr: " + Mutator.Show(errors),
            2 when !Clear(errors) => "exit 2 without clear 'tcpactors: ' lines: " + Mutator.Show(errors),
            _ => null,
        };
        return (exit, problem, errors);
    }

    /// <summary>Every line a message from tcpactors (or the closing hint), each one line long.</summary>
    private static bool Clear(string errors)
    {
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 && lines.All(l => l.StartsWith("tcpactors: ", StringComparison.Ordinal) || l == "Try 'tcpactors --help'.");
    }

    private string[] Generate(Mutator mutator)
    {
        return mutator.Pick(10) switch
        {
            < 5 => Command(mutator, "load", s_loadValues, []),
            < 9 => Command(mutator, "run", s_runValues, [Scenario(mutator)]),
            _ => [mutator.Pick(["list", "sysctls", "rn", "", "RUN", "--help", "--version", "load run", "\u202Eload"]), .. Extras(mutator)],
        };
    }

    private string[] Command(Mutator mutator, string name, Dictionary<string, string[]> values, string[] positional)
    {
        var args = new List<string> { name };
        args.AddRange(positional);
        var options = values.Keys.ToList();
        int picked = mutator.Pick(6);
        for (int i = 0; i < picked && options.Count > 0; i++)
        {
            string option = mutator.Pick(options);
            options.Remove(option);
            string value = mutator.Pick(8) == 0 ? mutator.Pick(s_bad) : mutator.Pick(values[option]);
            args.Add(option);
            if (mutator.Pick(12) != 0)
            {
                args.Add(InTemp(option, Expand(value)));
            }
        }

        if (name == "load" && !args.Contains("--duration"))
        {
            args.AddRange(["--duration", "1s"]);
        }

        args.AddRange(Extras(mutator));
        return [.. args];
    }

    /// <summary>A relative output path (a bad value such as '10ms-' given to --pcap) lands in the temporary folder, not the test's working directory.</summary>
    private string InTemp(string option, string value) =>
        s_outputOptions.Contains(option) && value.Length > 0 && !Path.IsPathRooted(value) && value.IndexOf('\0', StringComparison.Ordinal) < 0 ? Path.Combine(_temp, value) : value;

    private static IEnumerable<string> Extras(Mutator mutator) => mutator.Pick(5) == 0 ? [mutator.Pick(s_flags)] : [];

    private string Scenario(Mutator mutator)
    {
        var corpus = Directory.GetFiles(Path.Combine(FuzzCorpus.Directory, "scenario"), "*.yaml").Concat(Directory.GetFiles(Path.Combine(FuzzCorpus.Directory, "seeds"), "*.yaml")).Order(StringComparer.Ordinal).ToList();
        return mutator.Pick(8) switch
        {
            0 => "seed-000-fin-to-time-wait",
            1 => "seed-000",
            2 => "no-such-scenario",
            3 => _temp,
            4 => "/dev/null",
            5 => typeof(CliFuzzTests).Assembly.Location,
            6 => mutator.Pick(s_bad),
            _ => mutator.Pick(corpus),
        };
    }

    private string Expand(string value) =>
        value.Replace("{temp}", _temp, StringComparison.Ordinal).Replace("{corpus}", FuzzCorpus.Directory, StringComparison.Ordinal);

    private static string Show(string[] args) => string.Join(" ", args.Select(a => "'" + Mutator.Show(a) + "'"));
}
