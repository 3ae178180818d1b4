using System.Globalization;
using TcpActors.Simulation;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The scenario loader (and the runner behind it) fuzzed with generated and mutated inputs; the seeds are
/// the built-in scenarios and the hand-written files under Corpus/seeds. Failing inputs are printed with
/// the seed that makes them; interesting ones live under Corpus/scenario as regression tests.
/// </summary>
public sealed class ScenarioLoaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Mutated inputs per run in CI; TCPACTORS_FUZZ_CASES overrides it.</summary>
    public const int DefaultMutations = 2500;

    public static TheoryData<string> CorpusFiles => FuzzCorpus.Files("scenario", "*.yaml");

    [Fact]
    public void Every_seed_loads()
    {
        // Proves the seeds are valid scenarios, so that their mutations start from the accepted language.
        foreach (var (name, text) in FuzzCorpus.ScenarioSeeds())
        {
            Assert.True(InputContract.Scenario(text, run: false) is null, name);
            Assert.NotNull(ScenarioLoader.Load(text, name, "seed"));
        }
    }

    [Fact]
    public void Mutated_scenarios_load_or_are_rejected_with_one_located_message()
    {
        // Proves the loader's contract on truncated, spliced and corrupted scenario files, and that the runner
        // survives the mutants that load (run with a bound on events and time).
        var seeds = FuzzCorpus.ScenarioSeeds().Select(s => s.Text).ToList();
        int count = FuzzCorpus.Cases(DefaultMutations);
        var failures = new List<string>();
        var known = new KnownFindings();
        int loaded = 0;
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            var mutator = new Mutator(FuzzCorpus.CaseSeed("scenario", i));
            string input = mutator.Mutate(mutator.Pick(seeds), mutator.Pick(seeds));
            bool run = i % 4 == 0;
            FuzzCorpus.Log("scenario", i, input);
            if (InputContract.Scenario(input, run) is { } problem && known.Add(problem) is null)
            {
                failures.Add(FuzzCorpus.Describe("scenario", i, problem, input));
            }
            else if (IsValid(input))
            {
                loaded++;
            }
        }

        output.WriteLine($"{count} mutants, {loaded} of them valid scenarios; {known}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void Random_bytes_are_rejected_with_one_located_message()
    {
        // Proves the contract on noise: random bytes as UTF-8 (with replacement characters) and as Latin-1.
        int count = FuzzCorpus.Cases(DefaultMutations) / 5;
        var failures = new List<string>();
        var known = new KnownFindings();
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            string input = new Mutator(FuzzCorpus.CaseSeed("bytes", i)).RandomText(2000);
            FuzzCorpus.Log("bytes", i, input);
            if (InputContract.Scenario(input, run: false) is { } problem && known.Add(problem) is null)
            {
                failures.Add(FuzzCorpus.Describe("bytes", i, problem, input));
            }
        }

        output.WriteLine($"{count} random inputs; {known}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_scenarios_keep_their_promise(string file)
    {
        // Proves each checked-in interesting input (found by the fuzzer or written by hand) still gets a located rejection or loads and runs.
        string text = File.ReadAllText(FuzzCorpus.PathOf("scenario", file));

        var problem = InputContract.Scenario(text, run: true);
        Assert.True(problem is null || KnownInputBugs.Classify(problem) is not null, problem);
    }

    private static bool IsValid(string input)
    {
        try
        {
            ScenarioLoader.Load(input, "fuzz.yaml", "fuzz");
            return true;
        }
        catch (ScenarioException)
        {
            return false;
        }
    }
}

/// <summary>Contract violations that are instances of known bugs: counted, not failed (while steering).</summary>
public sealed class KnownFindings
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>The known bug <paramref name="problem"/> is an instance of (and counts it), or null when it is new.</summary>
    public string? Add(string problem)
    {
        var bug = KnownInputBugs.Classify(problem);
        if (bug is not null)
        {
            string name = KnownInputBugs.ShortName(bug);
            _counts[name] = _counts.GetValueOrDefault(name) + 1;
        }

        return bug;
    }

    public override string ToString() =>
        _counts.Count == 0 ? "no known bug hit" : "known bugs hit: " + string.Join(", ", _counts.Select(c => $"{c.Key} x{c.Value}"));
}

/// <summary>Where the fuzzers' corpus lives, how many cases they run, and how a failing case is shown.</summary>
public static class FuzzCorpus
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static string PathOf(string kind, string file) => Path.Combine(Directory, kind, file);

    public static TheoryData<string> Files(string kind, string pattern)
    {
        var data = new TheoryData<string>();
        foreach (var path in System.IO.Directory.GetFiles(Path.Combine(Directory, kind), pattern).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    /// <summary>The built-in scenarios (embedded in the Simulation assembly) and Corpus/seeds/*.yaml.</summary>
    public static List<(string Name, string Text)> ScenarioSeeds()
    {
        var seeds = new List<(string, string)>();
        var assembly = typeof(BuiltInScenarios).Assembly;
        foreach (var name in BuiltInScenarios.Names)
        {
            using var stream = assembly.GetManifestResourceStream("scenarios/" + name + ".yaml")!;
            using var reader = new StreamReader(stream);
            seeds.Add(("scenarios/" + name + ".yaml", reader.ReadToEnd()));
        }

        foreach (var path in System.IO.Directory.GetFiles(Path.Combine(Directory, "seeds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            seeds.Add(("Corpus/seeds/" + Path.GetFileName(path), File.ReadAllText(path)));
        }

        return seeds;
    }

    /// <summary>Cases per fuzzer: <paramref name="defaultCount"/>, or TCPACTORS_FUZZ_CASES.</summary>
    public static int Cases(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable("TCPACTORS_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out int cases) && cases > 0
            ? cases
            : defaultCount;

    /// <summary>The seed of case <paramref name="index"/> of a fuzzer: TCPACTORS_FUZZ_SEED moves every fuzzer to other inputs.</summary>
    public static ulong CaseSeed(string fuzzer, int index)
    {
        ulong run = ulong.TryParse(Environment.GetEnvironmentVariable("TCPACTORS_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : 20260101;
        return Runtime.RandomStream.DeriveSeed(run, string.Create(CultureInfo.InvariantCulture, $"{fuzzer}/{index}"));
    }

    /// <summary>
    /// With TCPACTORS_FUZZ_LOG=FILE, writes each input to FILE before it is tried (overwriting the last), so
    /// that a crash no exception handler sees (a stack overflow kills the test host) leaves its input behind.
    /// </summary>
    public static void Log(string fuzzer, int index, string input)
    {
        if (Environment.GetEnvironmentVariable("TCPACTORS_FUZZ_LOG") is { Length: > 0 } path)
        {
            File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{fuzzer} case {index} (seed {CaseSeed(fuzzer, index)})\n{input}"), new System.Text.UTF8Encoding(false));
        }
    }

    public static string Describe(string fuzzer, int index, string problem, string input) =>
        $"{fuzzer} case {index} (seed {CaseSeed(fuzzer, index)}): {problem}\n  input: {Mutator.Show(input)}";
}
