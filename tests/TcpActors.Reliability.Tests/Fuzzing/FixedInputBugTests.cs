using System.Diagnostics;

namespace TcpActors.Reliability.Tests;

/// <summary>Reproducers for the input-handling crashes the fuzzers found, run in a child process (a stack overflow cannot be caught).</summary>
public sealed class KnownInputBugTests
{
    [Theory(Skip = KnownInputBugs.DeepNestingStackOverflow)]
    [InlineData("deep-mapping-nesting.yaml")]
    [InlineData("deep-sequence-nesting.yaml")]
    public void A_deeply_nested_scenario_file_is_rejected_with_exit_2_and_a_position(string file)
    {
        // Proves the CLI's promise on the deepest inputs: exit 2, one located message, no stack trace.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", file));

        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*\.yaml:\d+:\d+: ", stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}

/// <summary>The tcpactors CLI in a child process (the copy built next to the tests).</summary>
public static class CliProcess
{
    public static (int Exit, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tcpactors.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the CLI ran for more than 2 minutes: tcpactors " + string.Join(' ', arguments));
        }

        _ = stdout.GetAwaiter().GetResult();
        return (process.ExitCode, stderr);
    }
}

/// <summary>Reproducers for the loader's catchable input bugs.</summary>
public sealed class KnownLoaderBugTests
{
    [Fact(Skip = KnownInputBugs.YamlScannerCrash)]
    public void An_unclosed_flow_mapping_before_a_block_key_is_a_located_rejection()
    {
        // Proves the smallest inputs found that escape the loader: 'a: {b' then 'c: d', and '? :' then an indented empty line.
        Assert.Null(InputContract.Scenario("a: {b\nc: d\n", run: false));
        Assert.Null(InputContract.Scenario("? :\n  ", run: false));
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "unclosed-flow-mapping.yaml"));
        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact(Skip = KnownInputBugs.RawInputInMessages)]
    public void A_rejection_quotes_the_offending_text_on_one_short_line()
    {
        // Proves messages stay one clear line whatever the input holds: a line break, an ANSI escape, 100 kB.
        Assert.Null(InputContract.Scenario("\"a\\nb\\u001b[31m\"\n", run: false));
        Assert.Null(InputContract.Scenario("hosts:\n  box: {}\nduration: " + new string('9', 100_000) + "s\n", run: false));
        Assert.Null(InputContract.ChaosLine("tc qdisc add dev eth0 root netem loss 1%\r", netem: false));
    }
}

/// <summary>Reproducers for the runner crashes the scenario fuzzer found (the loader accepts the input; running it crashes).</summary>
public sealed class KnownRunnerBugTests
{
    [Fact(Skip = KnownInputBugs.InvalidHostNameEscapesRunner)]
    public void A_host_name_the_topology_refuses_is_a_located_rejection()
    {
        // Proves 'hosts: { ...: {} }' gets exit 2 and a position, not an unhandled TopologyException.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "invalid-host-name.yaml"));
        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*invalid-host-name\.yaml:3:3: ", stderr);
    }

    [Fact(Skip = KnownInputBugs.LinkNameCrashesChaosActor)]
    public void A_link_step_naming_no_link_is_a_located_rejection()
    {
        // Proves 'link-down: a' (a host, not a link) is refused when the file is read, not at 1 s of the run.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "link-down-of-a-host.yaml"));
        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*link-down-of-a-host\.yaml:\d+:\d+: ", stderr);
    }

    [Fact(Skip = KnownInputBugs.ScriptUsesSocketOfFailedCall)]
    public void Closing_the_socket_of_a_failed_connect_fails_with_EBADF()
    {
        // Proves a script survives using a socket whose connect() failed: the call is logged as failed, the run passes.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "socket-of-failed-connect.yaml"));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
    }
}

/// <summary>Reproducers for the CLI bugs the command-line fuzzer found (run in a child process, as a user would meet them).</summary>
public sealed class KnownCliBugTests
{
    [Theory(Skip = KnownInputBugs.CliEmptyDistribution)]
    [InlineData("--request-bytes")]
    [InlineData("--think-time")]
    public void An_empty_distribution_is_exit_2_naming_the_option(string option)
    {
        // Proves '' as a size or time distribution is bad input, not a crash.
        var (exit, stderr) = CliProcess.Run("load", option, "", "--duration", "1s", "--quiet");
        Assert.Equal(2, exit);
        Assert.StartsWith("tcpactors: " + option, stderr, StringComparison.Ordinal);
    }

    [Fact(Skip = KnownInputBugs.CliPcapPath)]
    public void A_pcap_path_that_is_a_directory_is_exit_2_naming_pcap()
    {
        // Proves an unwritable --pcap gets the same treatment as an unwritable --trace.
        var (exit, stderr) = CliProcess.Run("run", "seed-000-fin-to-time-wait", "--pcap", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.StartsWith("tcpactors: --pcap ", stderr, StringComparison.Ordinal);
    }

    [Fact(Skip = KnownInputBugs.CliParseErrorsNotClear)]
    public void A_value_outside_the_choices_is_one_line_naming_them()
    {
        // Proves parse errors read like the CLI's own: one line per problem, no .NET type names.
        var (exit, stderr) = CliProcess.Run("run", "seed-000-fin-to-time-wait", "--format", "xml", "--seed", "１");
        Assert.Equal(2, exit);
        Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches("^(tcpactors: |Try 'tcpactors --help'.)", line));
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
    }
}
