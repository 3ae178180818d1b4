using System.Text.Json;
using TcpActors.Cli;

namespace TcpActors.Cli.Tests;

/// <summary>End-to-end tests of the tcpactors command, run in process through <see cref="Commands.Run"/>.</summary>
public sealed class CliTests : IDisposable
{
    private const string FailingScenario = """
        name: wrong-on-purpose
        description: Expects an ESTABLISHED connection where Linux refuses it.
        hosts:
          box: { loopback-only: true }
        apps:
          client:
            host: box
            script:
              - at 1s: s = connect(127.0.0.1:9)
        expect:
          - { call: connect, app: client, result: ok, at: 1s }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tcpactors-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public void List_prints_one_line_per_built_in_name_first()
    {
        // Proves `list` prints every built-in scenario once, its name first, then its description.
        var (code, output, error) = Run("list");
        Assert.Equal(Commands.Success, code);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Simulation.BuiltInScenarios.Names, lines.Select(l => l.Split(' ')[0]));
        Assert.Contains(lines, l => l.StartsWith("seed-000-fin-to-time-wait ", StringComparison.Ordinal) && l.Contains("TIME_WAIT", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches(@"^\S+\s{2,}\S", l));
    }

    [Fact]
    public void Run_of_a_built_in_passes_with_exit_0()
    {
        // Proves a built-in runs by name and prints its trace, calls, snapshots and verdicts.
        var (code, output, error) = Run("run", "seed-000-fin-to-time-wait");
        Assert.Equal(Commands.Success, code);
        Assert.Empty(error);
        Assert.StartsWith("# seed-000-fin-to-time-wait: ", output, StringComparison.Ordinal);
        Assert.Contains("== tcpdump on box", output, StringComparison.Ordinal);
        Assert.Contains("Flags [F.]", output, StringComparison.Ordinal);
        Assert.Contains("== calls", output, StringComparison.Ordinal);
        Assert.Contains("== ss -tan -o on box at", output, StringComparison.Ordinal);
        Assert.Contains("== PASSED: 9 of 9 expectations hold", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_of_a_file_passes_and_a_failing_expectation_exits_1()
    {
        // Proves files run like built-ins, and that one failed expectation makes the exit status 1 with a FAIL line.
        string good = Write("good.yaml", FailingScenario.Replace("result: ok", "result: ECONNREFUSED", StringComparison.Ordinal));
        Assert.Equal(Commands.Success, Run("run", good).Code);

        var (code, output, _) = Run("run", Write("bad-expectation.yaml", FailingScenario));
        Assert.Equal(Commands.RunFailed, code);
        Assert.Contains("FAIL client: connect()#1 -> ok at 1s — returned ECONNREFUSED at 1.000000 s", output, StringComparison.Ordinal);
        Assert.Contains("== FAILED: 0 of 1 expectations hold", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_exits_2_with_one_line()
    {
        // Proves a name that is neither a file nor a built-in is bad input, said in one line.
        var (code, output, error) = Run("run", Path.Combine(_directory, "nothing-here.yaml"));
        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Single(Lines(error));
        Assert.Contains("no such file, and no built-in scenario of that name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_file_names_file_line_and_column_without_a_stack_trace()
    {
        // Proves a scenario error is reported as file:line:col: message, exit 2, and nothing else.
        string path = Write("broken.yaml", FailingScenario.Replace("connect(127.0.0.1:9)", "connect(127.0.0.1:99999)", StringComparison.Ordinal));
        var (code, output, error) = Run("run", path);
        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        Assert.Equal($"tcpactors: {path}:9:28: '127.0.0.1:99999' is not ADDRESS:PORT (e.g. 127.0.0.1:60000 or 0.0.0.0:8080)", Lines(error).Single());
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "seed-000-fin-to-time-wait", "--bogus")]
    [InlineData("run", "seed-000-fin-to-time-wait", "--format", "xml")]
    [InlineData("run", "seed-000-fin-to-time-wait", "--seed", "abc")]
    [InlineData("run", "seed-000-fin-to-time-wait", "--speed", "-1")]
    [InlineData("run", "seed-000-fin-to-time-wait", "--time-format", "sundial")]
    [InlineData("run")]
    [InlineData("frobnicate")]
    public void Bad_options_exit_2_with_a_clear_line(params string[] args)
    {
        // Proves unknown options and bad option values are bad input: exit 2, one 'tcpactors:' line naming the problem, no trace.
        var (code, output, error) = Run(args);
        Assert.Equal(Commands.BadInput, code);
        Assert.Empty(output);
        var problems = Lines(error).Where(l => l.StartsWith("tcpactors: ", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count >= 1, error);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_parses()
    {
        // Proves --format json is valid JSON with the run's verdicts, trace and calls.
        var (code, output, _) = Run("run", "b21-rst-closed-port", "--format", "json");
        Assert.Equal(Commands.Success, code);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("b21-rst-closed-port", root.GetProperty("scenario").GetString());
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(2, root.GetProperty("trace").GetArrayLength());
        Assert.Contains(root.GetProperty("calls").EnumerateArray(), c => c.GetProperty("result").GetString() == "ECONNREFUSED");
        Assert.All(root.GetProperty("expectations").EnumerateArray(), e => Assert.True(e.GetProperty("passed").GetBoolean()));
    }

    [Fact]
    public void Pcap_option_writes_a_capture_file()
    {
        // Proves --pcap writes a pcap file (magic number, then one record per traced packet).
        string pcap = Path.Combine(_directory, "run.pcap");
        var (code, output, _) = Run("run", "b21-rst-closed-port", "--pcap", pcap);
        Assert.Equal(Commands.Success, code);
        var bytes = File.ReadAllBytes(pcap);
        uint magic = BitConverter.ToUInt32(bytes, 0);
        Assert.True(magic is 0xa1b2c3d4 or 0xa1b23c4d, $"pcap magic {magic:x8}");
        Assert.True(bytes.Length > 24 + (2 * 16), "two packets");
        Assert.Contains("Flags [R.]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_changes_ports_and_isns_but_not_the_verdicts()
    {
        // Proves --seed gives other ephemeral ports and ISNs while every expectation still holds.
        var first = Run("run", "seed-000-fin-to-time-wait", "--seed", "1");
        var second = Run("run", "seed-000-fin-to-time-wait", "--seed", "424242");
        Assert.Equal(Commands.Success, first.Code);
        Assert.Equal(Commands.Success, second.Code);
        string firstSyn = Lines(first.Output).First(l => l.Contains("Flags [S]", StringComparison.Ordinal));
        string secondSyn = Lines(second.Output).First(l => l.Contains("Flags [S]", StringComparison.Ordinal));
        Assert.NotEqual(firstSyn, secondSyn);
        Assert.Contains("# seed 424242;", second.Output, StringComparison.Ordinal);
        Assert.Equal(Run("run", "seed-000-fin-to-time-wait", "--seed", "424242").Output, second.Output);
    }

    [Fact]
    public void Trace_option_moves_the_tcpdump_text_to_a_file()
    {
        // Proves --trace writes tcpdump's lines to the file and leaves them out of the report.
        string trace = Path.Combine(_directory, "trace.txt");
        var (code, output, _) = Run("run", "b21-rst-closed-port", "--trace", trace, "--time-format", "relative");
        Assert.Equal(Commands.Success, code);
        Assert.DoesNotContain("== tcpdump", output, StringComparison.Ordinal);
        Assert.Equal(2, Lines(File.ReadAllText(trace)).Count);
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
