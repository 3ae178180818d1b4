namespace TcpActors.Reliability.Tests;

/// <summary>
/// Reproducers of the input-handling crashes the fuzzers found, kept as regression tests now that they are fixed; the
/// ones that once killed the process run the CLI in a child process (a stack overflow cannot be caught).
/// </summary>
public sealed class FixedInputBugTests
{
    [Theory]
    [InlineData("deep-mapping-nesting.yaml")]
    [InlineData("deep-sequence-nesting.yaml")]
    public void A_deeply_nested_scenario_file_is_rejected_with_exit_2_and_a_position(string file)
    {
        // Proves the CLI's promise on the deepest inputs (20,000 and 40,000 levels once overflowed the stack): exit 2, one located message.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", file));

        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*\.yaml:\d+:\d+: nested more than 64 levels deep", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Nesting_is_bounded_in_process_at_the_level_that_goes_too_deep()
    {
        // Proves the bound holds on a thread with a small stack too, and points at the bracket that opens level 65 (the document's mapping is level 1).
        string text = "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        string? problem = null;
        var thread = new Thread(() => problem = InputContract.Scenario(text, run: false), maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Null(problem);
        var error = Assert.Throws<Simulation.ScenarioException>(() => Simulation.ScenarioLoader.Load(text, "deep.yaml", "deep"));
        Assert.Equal("deep.yaml:1:67: nested more than 64 levels deep (mappings and lists inside each other)", error.Message);
    }
}

/// <summary>Reproducers of the loader's catchable input bugs.</summary>
public sealed class FixedLoaderBugTests
{
    [Fact]
    public void An_unclosed_flow_mapping_before_a_block_key_is_a_located_rejection()
    {
        // Proves the smallest inputs that made YamlDotNet throw past the loader: 'a: {b' then 'c: d', and '? :' then an indented empty line.
        Assert.Null(InputContract.Scenario("a: {b\nc: d\n", run: false));
        Assert.Null(InputContract.Scenario("? :\n  ", run: false));
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "unclosed-flow-mapping.yaml"));
        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*unclosed-flow-mapping\.yaml:\d+:\d+: not valid YAML", stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejection_quotes_the_offending_text_on_one_short_line()
    {
        // Proves messages stay one clear line whatever the input holds: a line break, an ANSI escape, 100 kB, a CR from a CRLF file.
        Assert.Null(InputContract.Scenario("\"a\\nb\\u001b[31m\"\n", run: false));
        Assert.Null(InputContract.Scenario("hosts:\n  box: {}\nduration: " + new string('9', 100_000) + "s\n", run: false));
        Assert.Null(InputContract.ChaosLine("tc qdisc add dev eth0 root netem loss 1%\r", netem: false));
        Assert.Null(InputContract.ChaosLine("iptables -A INPUT -p tcp\r -j DROP", netem: false));

        var error = Assert.Throws<Simulation.ScenarioException>(() => Simulation.ScenarioLoader.Load("\"a\\nb\\u001b[31m\"\n", "odd.yaml", "odd"));
        Assert.Equal(@"odd.yaml:1:1: the scenario must be a mapping (key: value lines), found 'a\nb\u001b[31m'", error.Message);
        var chaos = Assert.Throws<Chaos.ChaosParseException>(() => Chaos.ChaosCommandParser.Parse("iptables -A INPUT -p tcp\r -j DROP"));
        Assert.Equal(@"unknown protocol ""tcp\r"" specified (expected tcp, udp, icmp, all or a number 0-255)", chaos.Message);
    }
}

/// <summary>Reproducers of the runner crashes the scenario fuzzer found (the loader accepted the input; running it crashed).</summary>
public sealed class FixedRunnerBugTests
{
    [Fact]
    public void A_host_name_the_topology_refuses_is_a_located_rejection()
    {
        // Proves 'hosts: { ...: {} }' gets exit 2 and the key's position, not an unhandled TopologyException.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "invalid-host-name.yaml"));
        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*invalid-host-name\.yaml:3:3: invalid host name '\.\.\.'", stderr);
    }

    [Fact]
    public void A_link_step_naming_no_link_is_a_located_rejection()
    {
        // Proves 'link-down: a' (a host, not a link) is refused when the file is read, not at 1 s of the run.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "link-down-of-a-host.yaml"));
        Assert.Equal(2, exit);
        Assert.Matches(@"^tcpactors: .*link-down-of-a-host\.yaml:8:\d+: link-down names no link: 'a'", stderr);
    }

    [Fact]
    public void Closing_the_socket_of_a_failed_connect_fails_with_EBADF()
    {
        // Proves a script survives using a socket whose connect() failed: the call is logged as failed with EBADF, the run goes on.
        var (exit, stderr) = CliProcess.Run("run", FuzzCorpus.PathOf("known-crashes", "socket-of-failed-connect.yaml"));
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);

        var report = Simulation.ScenarioRunner.Run(Simulation.ScenarioLoader.LoadFile(FuzzCorpus.PathOf("known-crashes", "socket-of-failed-connect.yaml")));
        Assert.Equal(["connect ECONNREFUSED", "close EBADF"], report.Calls.Select(c => c.Function + " " + c.Result));
    }
}

/// <summary>Reproducers of the CLI bugs the command-line fuzzer found (run in a child process, as a user would meet them).</summary>
public sealed class FixedCliBugTests
{
    [Theory]
    [InlineData("--request-bytes")]
    [InlineData("--response-bytes")]
    [InlineData("--think-time")]
    [InlineData("--service-time")]
    public void An_empty_distribution_is_exit_2_naming_the_option(string option)
    {
        // Proves '' as a size or time distribution is bad input, not a crash.
        var (exit, stderr) = CliProcess.Run("load", option, "", "--duration", "1s", "--quiet");
        Assert.Equal(2, exit);
        Assert.StartsWith("tcpactors: " + option + ": '' is not a ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pcap_path_that_is_a_directory_or_empty_is_exit_2_naming_pcap()
    {
        // Proves an unwritable --pcap gets the same treatment as an unwritable --trace.
        var (exit, stderr) = CliProcess.Run("run", "seed-000-fin-to-time-wait", "--pcap", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.StartsWith("tcpactors: --pcap ", stderr, StringComparison.Ordinal);
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);

        (exit, stderr) = CliProcess.Run("run", "seed-000-fin-to-time-wait", "--pcap", "");
        Assert.Equal(2, exit);
        Assert.Equal("tcpactors: --pcap needs a file name\n", stderr);
    }

    [Fact]
    public void A_value_outside_the_choices_is_one_line_naming_them()
    {
        // Proves parse errors read like the CLI's own: one line per problem, no .NET type names.
        var (exit, stderr) = CliProcess.Run("run", "seed-000-fin-to-time-wait", "--format", "xml", "--seed", "１");
        Assert.Equal(2, exit);
        Assert.Equal(
            "tcpactors: --seed: '１' is not a whole number from 0 to 18446744073709551615\n" +
            "tcpactors: --format: 'xml' is not one of: text, json\n" +
            "Try 'tcpactors --help'.\n",
            stderr);
    }
}
