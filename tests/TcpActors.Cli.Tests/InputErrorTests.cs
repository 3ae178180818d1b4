using static TcpActors.Cli.Tests.InProcess;

namespace TcpActors.Cli.Tests;

/// <summary>
/// Bad command lines get the CLI's own one-line messages: System.CommandLine's errors rewritten (choices on the same
/// line, no .NET type names), unwritable outputs naming their option before any run, numbers read strictly.
/// </summary>
public sealed class InputErrorTests
{
    [Theory]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--format", "xml" }, "tcpactors: --format: 'xml' is not one of: text, json")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--seed", "１" }, "tcpactors: --seed: '１' is not a whole number from 0 to 18446744073709551615")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--seed", "18446744073709551616" }, "tcpactors: --seed: '18446744073709551616' is not a whole number from 0 to 18446744073709551615")]
    [InlineData(new[] { "load", "--clients", "x" }, "tcpactors: --clients: 'x' is not a whole number from -2147483648 to 2147483647")]
    [InlineData(new[] { "load", "--arrival", "burst" }, "tcpactors: --arrival: 'burst' is not one of: constant, poisson")]
    [InlineData(new[] { "load", "--rate" }, "tcpactors: --rate needs a value")]
    [InlineData(new[] { "load", "--rate", "1,5" }, "tcpactors: --rate: '1,5' is not a number (write it like 100, 0.5 or 1e3)")]
    [InlineData(new[] { "load", "--rate", "1e309" }, "tcpactors: --rate: '1e309' is too large")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--speed", "NaN" }, "tcpactors: --speed: 'NaN' is not a number (write it like 100, 0.5 or 1e3)")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--bogus" }, "tcpactors: unknown option '--bogus'")]
    [InlineData(new[] { "run", "a", "b" }, "tcpactors: unexpected argument 'b'")]
    [InlineData(new[] { "load", "--rate", "10", "--request-bytes=", "100" }, "tcpactors: --request-bytes: no value after '=' (write --request-bytes=VALUE or --request-bytes VALUE)")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--seed=", "--pcap", "x.pcap" }, "tcpactors: --seed: no value after '=' (write --seed=VALUE or --seed VALUE)")]
    [InlineData(new[] { "run", "seed-000-fin-to-time-wait", "--seed", "1", "--seed=2" }, "tcpactors: --seed is given 2 times: it takes one value")]
    [InlineData(new[] { "load", "--duration", "1s", "--rate", "5", "--duration", "2s" }, "tcpactors: --duration is given 2 times: it takes one value")]
    [InlineData(new[] { "frobnicate" }, "tcpactors: unknown command 'frobnicate' (expected run, load, list or sysctls)")]
    [InlineData(new[] { "run" }, "tcpactors: run needs its SCENARIO argument: a scenario file (YAML) or the name of a built-in scenario (see `tcpactors list`)")]
    public void Parse_errors_are_one_line_in_the_CLIs_words(string[] args, string message)
    {
        // Proves each kind of System.CommandLine error is rewritten: one line, the option named, no type name, then the hint.
        var (code, output, error) = Run(args);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([message, "Try 'tcpactors --help'."], Lines(error));
    }

    [Theory]
    [InlineData("--pcap")]
    [InlineData("--trace")]
    [InlineData("--report")]
    [InlineData("--svg")]
    public void An_output_path_that_is_a_directory_or_empty_is_refused_before_the_run(string option)
    {
        // Proves every file option of run is checked up front, naming the option.
        string directory = Path.GetTempPath().TrimEnd('/');
        var (code, output, error) = Run("run", "seed-000-fin-to-time-wait", option, directory);
        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal($"tcpactors: {option} {directory}: is a directory (give a file name)\n", error);

        (code, _, error) = Run("run", "seed-000-fin-to-time-wait", option, "");
        Assert.Equal(Commands.BadInput, code);
        Assert.Equal($"tcpactors: {option} needs a file name\n", error);
    }

    [Fact]
    public void Two_outputs_naming_one_file_are_refused_before_the_run()
    {
        // Proves --pcap and --trace (and --json and --report) cannot overwrite each other's file: the second would replace the first.
        string file = Path.Combine(Path.GetTempPath(), $"tcpactors-same-{Environment.ProcessId}.out");
        string same = Path.Combine(Path.GetTempPath(), ".", Path.GetFileName(file));
        var (code, output, error) = Run("run", "seed-000-fin-to-time-wait", "--pcap", file, "--trace", same);
        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([$"tcpactors: --trace {same}: is the file --pcap writes too (give each output its own file)"], Lines(error));

        (code, _, error) = Run("load", "--rate", "1", "--duration", "1s", "--quiet", "--json", file, "--report", file);
        Assert.Equal(Commands.BadInput, code);
        Assert.Equal([$"tcpactors: --report {file}: is the file --json writes too (give each output its own file)"], Lines(error));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void An_output_that_is_the_scenario_file_is_refused_and_the_file_kept()
    {
        // Proves --trace FILE.yaml on the file being run is bad input, not a trace written over the user's scenario.
        string file = Path.Combine(Path.GetTempPath(), $"tcpactors-input-{Environment.ProcessId}.yaml");
        string text = "hosts:\n  box: {}\n";
        File.WriteAllText(file, text);
        try
        {
            var (code, output, error) = Run("run", file, "--trace", file);

            Assert.Equal(Commands.BadInput, code);
            Assert.Empty(output);
            Assert.Equal([$"tcpactors: --trace {file}: is the scenario file being run (writing it would destroy it; give the output another name)"], Lines(error));
            Assert.Equal(text, File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--trace", "x.trace")]
    [InlineData("--time-format", "epoch")]
    [InlineData("-S", null)]
    public void A_trace_option_on_a_workload_file_is_refused(string option, string? value)
    {
        // Proves the tcpdump trace's options are bad input for a load run (it has no trace: --trace wrote an empty file).
        var (code, output, error) = Run(value is null ? ["run", "load-port-exhaustion", option] : ["run", "load-port-exhaustion", option, value]);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([$"tcpactors: {option} does not apply to a workload file: a load run prints a summary, not a tcpdump trace (--pcap records what tcpdump on the first client sees)"], Lines(error));
    }

    [Fact]
    public void An_unwritable_json_path_is_refused_before_the_load_runs()
    {
        // Proves --json is checked before a possibly long load, with the system's reason.
        var (code, output, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", "--json", "/nonexistent-dir/x.json");

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.StartsWith("tcpactors: --json /nonexistent-dir/x.json: ", error, StringComparison.Ordinal);
        Assert.Single(Lines(error));
    }

    [Theory]
    [InlineData("--link-delay", "1ms", "tcpactors: --link-delay does not apply to --loopback (one host, no links; use --netem \"delay …\" to delay lo)")]
    [InlineData("--client-sysctl", "net.ipv4.tcp_tw_reuse=1", "tcpactors: --client-sysctl: a loopback run has one host: give its settings with --sysctl")]
    public void A_loopback_load_refuses_what_only_separate_hosts_have(string option, string value, string message)
    {
        // Proves --loopback's one-host rule: link and per-side settings are bad input, one line, exit code 2.
        var (code, output, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", "--loopback", option, value);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([message], Lines(error));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100.5")]
    [InlineData("0-100")]
    public void A_byte_count_is_a_whole_number_from_one(string value)
    {
        // Proves a request of 0 bytes (silently sent as 1) or half a byte is bad input, with the range in the message.
        var (code, output, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", "--request-bytes", value);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([$"tcpactors: --request-bytes: '{value}' is not a byte count like 100, 100-2000 or exp:500, from 1 to 2147483647 (a request or response has at least one byte)"], Lines(error));
    }

    [Theory]
    [InlineData("--request-bytes")]
    [InlineData("--response-bytes")]
    [InlineData("--think-time")]
    [InlineData("--service-time")]
    public void An_empty_distribution_is_refused_naming_the_option(string option)
    {
        // Proves '' (a script's empty variable) is bad input, not an exception in Distribution.Parse.
        var (code, _, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", option, "");

        Assert.Equal(Commands.BadInput, code);
        Assert.Matches($"^tcpactors: {option}: '' is not a (byte count|duration) like ", error);
    }

    [Theory]
    [InlineData("--rule", "-D INPUT 1", "tcpactors: --rule: '-D INPUT 1': iptables: Index of deletion too big. (refused on server-1)")]
    [InlineData("--rule", "servers: -I INPUT 3 -j DROP", "tcpactors: --rule: 'servers: -I INPUT 3 -j DROP': iptables: Index of insertion too big. (refused on server-1)")]
    [InlineData("--rule", "-D INPUT -p tcp --dport 80 -j DROP", "tcpactors: --rule: '-D INPUT -p tcp --dport 80 -j DROP': iptables: Bad rule (does a matching rule exist in that chain?). (refused on server-1)")]
    public void A_rule_the_tool_would_refuse_is_bad_input_before_the_load(string option, string value, string message)
    {
        // Proves a command that iptables would fail on the host is exit code 2 naming the option, not a run without it.
        var (code, output, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", option, value);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([message], Lines(error));
    }

    [Fact]
    public void Bad_input_found_before_the_run_leaves_the_output_files_as_they_were()
    {
        // Proves the outputs' check before the run changes nothing: a rule refused by the dry run (found after the
        // options were read) neither empties an existing --json file nor leaves a new, empty --report behind.
        var directory = Directory.CreateTempSubdirectory("tcpactors-outputs").FullName;
        try
        {
            string json = Path.Combine(directory, "old.json");
            string report = Path.Combine(directory, "new.html");
            File.WriteAllText(json, "an earlier report");

            var (code, _, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", "--rule", "-D INPUT 1", "--json", json, "--report", report);

            Assert.Equal(Commands.BadInput, code);
            Assert.Equal(["tcpactors: --rule: '-D INPUT 1': iptables: Index of deletion too big. (refused on server-1)"], Lines(error));
            Assert.Equal("an earlier report", File.ReadAllText(json));
            Assert.False(File.Exists(report));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://collector:4317")]
    [InlineData("localhost:4317")]
    public void An_otlp_endpoint_that_is_not_an_http_url_is_bad_input(string endpoint)
    {
        // Proves what the exporters cannot use is refused up front, not exported nowhere with exit code 0.
        var (code, output, error) = Run("run", "seed-000-fin-to-time-wait", "--otlp", endpoint);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([$"tcpactors: --otlp must be an absolute http or https URL like http://localhost:4317, not '{endpoint}'"], Lines(error));
    }

    [Fact]
    public void A_rate_above_the_limit_names_the_limit()
    {
        // Proves a positive but too large rate is not told it is not positive.
        var (code, _, error) = Run("load", "--rate", "1e12", "--duration", "1s", "--quiet");

        Assert.Equal(Commands.BadInput, code);
        Assert.Equal(["tcpactors: --rate: must be a positive number of connections per second, at most 100000000"], Lines(error));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("0ms")]
    public void A_drain_of_zero_is_allowed_in_any_unit(string drain)
    {
        // Proves --drain 0s means no drain, as --drain 0 does, while a zero --duration stays bad input.
        var (code, _, _) = Run("load", "--rate", "10", "--duration", "1s", "--drain", drain, "--quiet");
        Assert.Equal(0, code);

        (code, _, var error) = Run("load", "--rate", "10", "--duration", "0s", "--quiet");
        Assert.Equal(Commands.BadInput, code);
        Assert.Equal(["tcpactors: --duration must be positive: the load runs that long (--drain 0 is how to stop at once afterwards), not '0s'"], Lines(error));
    }

    [Theory]
    [InlineData("run", "1e-320", "1E-320")]
    [InlineData("load", "1e-9", "1E-09")]
    public void A_speed_too_slow_to_ever_advance_is_refused(string command, string speed, string shown)
    {
        // Proves a positive but absurdly small --speed (a denormal hung the run for good) is bad input with the least value.
        string[] args = command == "run" ? ["run", "seed-000-fin-to-time-wait", "--speed", speed] : ["load", "--rate", "1", "--quiet", "--speed", speed];
        var (code, output, error) = Run(args);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([$"tcpactors: --speed {shown} is too slow: one simulated second would last more than a year (the least is 3.17E-08)"], Lines(error));
    }

    [Theory]
    [InlineData(new[] { "--concurrency", "5", "--arrival", "poisson" }, "tcpactors: --arrival shapes an open loop (--rate); with --concurrency a connection starts when another ends")]
    [InlineData(new[] { "--rate", "5", "--think-time", "1s" }, "tcpactors: --think-time is the pause between requests on a connection (--requests-per-connection above 1) or before a closed loop reconnects (--concurrency); with one request per connection at a --rate it would never be used")]
    public void A_load_option_the_run_would_never_use_is_refused(string[] options, string message)
    {
        // Proves --arrival with a closed loop and a think time with nothing to pause between are bad input, not silently ignored.
        var (code, output, error) = Run(["load", "--duration", "1s", "--quiet", .. options]);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal([message], Lines(error));

        (code, _, _) = Run(["load", "--duration", "1s", "--drain", "0", "--quiet", "--requests-per-connection", "2", "--rate", "5", "--think-time", "1ms"]);
        Assert.Equal(Commands.Success, code);
    }

    [Fact]
    public void A_link_delay_of_zero_is_allowed_as_in_a_workload_file()
    {
        // Proves --link-delay 0 (links without propagation delay, as a file's link-delay: 0 or a scenario link's default) runs.
        var (code, _, error) = Run("load", "--rate", "10", "--duration", "1s", "--drain", "0", "--link-delay", "0", "--quiet");

        Assert.Equal(Commands.Success, code);
        Assert.Empty(error);
    }

    [Fact]
    public void A_rate_too_small_for_any_arrival_runs_without_one()
    {
        // Proves --rate 1e-300 (an arrival gap no clock holds) is a run with no connection, not an overflow in the client.
        var (code, output, error) = Run("load", "--rate", "1e-300", "--duration", "1s", "--quiet");

        Assert.Equal(Commands.Success, code);
        Assert.Empty(error);
        Assert.Contains("connections attempted", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_rule_gives_the_column_in_the_value_as_typed()
    {
        // Proves the column counts from the start of the --rule value, host prefix included.
        var (code, _, error) = Run("load", "--rate", "10", "--duration", "1s", "--rule", "servers: -A INPUT -p tcpx -j DROP");

        Assert.Equal(Commands.BadInput, code);
        Assert.Equal("tcpactors: --rule: 'servers: -A INPUT -p tcpx -j DROP', column 22: unknown protocol \"tcpx\" specified (expected tcp, udp, icmp, all or a number 0-255)\n", error);
    }

    [Theory]
    [InlineData("net.core.rmem_max=2303", "net.core.rmem_max: 2303 is out of range (allowed 2304..2147483647)")]
    [InlineData("net.core.wmem_max=-1", "net.core.wmem_max: -1 is out of range (allowed 4608..2147483647)")]
    public void A_buffer_maximum_below_the_socket_minimum_is_refused_in_one_line(string assignment, string message)
    {
        // Proves net.core.rmem_max / wmem_max are refused as Linux's proc handler refuses them: exit 2, one line.
        var (code, output, error) = Run("load", "--rate", "10", "--duration", "1s", "--quiet", "--sysctl", assignment);

        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal($"tcpactors: --sysctl: {message}\n", error);
    }
}
