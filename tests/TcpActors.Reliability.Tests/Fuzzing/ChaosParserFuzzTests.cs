using TcpActors.Chaos;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Runtime.TestKit;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The iptables and tc/netem parsers fuzzed with mutated rule lines, and every line that parses applied by
/// the chaos actor to a live two-host network with traffic going through it (the parsers' own tests cover
/// word salad; these start from real lines and break them).
/// </summary>
public sealed class ChaosParserFuzzTests(ITestOutputHelper output)
{
    public const int DefaultMutations = 4000;

    private static readonly string[] s_words =
    [
        "-A", "-I", "-D", "-R", "-F", "-Z", "-P", "-N", "-X", "-L", "-S", "-C", "INPUT", "OUTPUT", "FORWARD", "1", "0", "-j", "DROP", "REJECT", "ACCEPT",
        "RETURN", "-p", "tcp", "-s", "-d", "!", "--sport", "--dport", "--tcp-flags", "--syn", "-m", "statistic", "--mode", "random", "nth", "--every",
        "--packet", "--probability", "qdisc", "add", "change", "del", "dev", "eth0", "lo", "root", "netem", "delay", "loss", "state", "gemodel", "duplicate",
        "reorder", "corrupt", "rate", "limit", "gap", "distribution", "normal", "pareto", "slot", "--", "-", "=", "'", "\"",
    ];

    public static TheoryData<string> OddLines => Lines("odd-lines.txt");

    [Fact]
    public void Mutated_rule_lines_parse_or_are_rejected_at_a_column_inside_the_line()
    {
        // Proves the parsers' contract on broken real lines: truncated, spliced, numbers and words swapped, odd characters.
        var seeds = ReadLines("seed-lines.txt");
        int count = FuzzCorpus.Cases(DefaultMutations);
        var failures = new List<string>();
        var known = new KnownFindings();
        int parsed = 0;
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            string line = Mutate(new Mutator(FuzzCorpus.CaseSeed("chaos", i)), seeds);
            FuzzCorpus.Log("chaos", i, line);
            if (InputContract.ChaosLine(line, netem: i % 2 == 0) is { } problem && known.Add(problem) is null)
            {
                failures.Add(FuzzCorpus.Describe("chaos", i, problem, line));
            }
            else if (Parses(line))
            {
                parsed++;
            }
        }

        output.WriteLine($"{count} mutated lines, {parsed} of them valid commands; {known}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void Every_line_that_parses_is_applied_by_the_chaos_actor_without_failing()
    {
        // Proves applying any accepted command (in any order, with traffic through the rules) never makes the chaos actor throw.
        var seeds = ReadLines("seed-lines.txt");
        int count = FuzzCorpus.Cases(DefaultMutations) / 4;
        var failures = new List<string>();
        var lab = new ChaosLab();
        int applied = 0;
        for (int i = 0; i < count && failures.Count < 10; i++)
        {
            string line = Mutate(new Mutator(FuzzCorpus.CaseSeed("chaos-apply", i)), seeds);
            if (!Parses(line))
            {
                continue;
            }

            FuzzCorpus.Log("chaos-apply", i, line);
            applied++;
            if (lab.Apply(i % 2 == 0 ? "client" : "server", line) is { } problem)
            {
                failures.Add(FuzzCorpus.Describe("chaos-apply", i, problem, line));
                lab = new ChaosLab();
            }
        }

        output.WriteLine($"{applied} commands applied, {lab.Replies} replies in the last lab");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Theory]
    [MemberData(nameof(OddLines))]
    public void Odd_corpus_lines_keep_the_promise(string line)
    {
        // Proves each checked-in odd line parses or gets a located rejection, and applies without failing if it parses.
        var problem = InputContract.ChaosLine(line, netem: true);
        Assert.True(problem is null || KnownInputBugs.Classify(problem) is not null, problem);
        if (Parses(line))
        {
            Assert.Null(new ChaosLab().Apply("client", line));
        }
    }

    private static string Mutate(Mutator mutator, List<string> seeds)
    {
        string line = mutator.Pick(seeds);
        var words = line.Split(' ').ToList();
        return mutator.Pick(8) switch
        {
            0 => string.Join(' ', words.Where((_, i) => i != mutator.Pick(words.Count))),
            1 => string.Join(' ', words.Select((w, i) => i == mutator.Pick(words.Count) ? mutator.Pick(Mutator.InterestingNumbers) : w)),
            2 => string.Join(' ', words.Select((w, i) => i == mutator.Pick(words.Count) ? mutator.Pick(s_words) : w)),
            3 => string.Join(' ', words.Take(mutator.Pick(words.Count + 1)).Concat(mutator.Pick(seeds).Split(' ').Skip(mutator.Pick(6)))),
            4 => line.Insert(mutator.Pick(line.Length + 1), mutator.Pick(Mutator.OddCharacters)),
            5 => string.Join(' ', words.Select((w, i) => i == mutator.Pick(words.Count) && w.Length > 1 ? w[..(1 + mutator.Pick(w.Length - 1))] : w)),
            6 => line + " " + string.Join(' ', Enumerable.Range(0, 1 + mutator.Pick(4)).Select(_ => mutator.Pick(s_words))),
            _ => line.Replace(" ", mutator.Pick(["  ", "\t", " -- ", "=", ""]), StringComparison.Ordinal),
        };
    }

    private static bool Parses(string line)
    {
        try
        {
            ChaosCommandParser.Parse(line);
            return true;
        }
        catch (ChaosParseException)
        {
            return false;
        }
    }

    private static TheoryData<string> Lines(string file)
    {
        var data = new TheoryData<string>();
        foreach (var line in ReadLines(file))
        {
            data.Add(line);
        }

        return data;
    }

    private static List<string> ReadLines(string file) =>
        File.ReadAllLines(FuzzCorpus.PathOf("chaos", file)).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>Two hosts, TCP, the chaos actor, and a client that keeps knocking on the server (so rules match packets).</summary>
    private sealed class ChaosLab
    {
        private readonly ActorSystem _system = ActorSystem.Create("chaos-lab", 3);
        private readonly IActorRef _chaos;
        private readonly TestProbe _probe;
        private readonly IActorRef _tcp;
        private bool _failed;

        public ChaosLab()
        {
            var topology = new TopologyBuilder(_system).AddModule(Endpoints.Tcp.Module)
                .AddHost("client", h => h.Address("10.0.0.1/24"))
                .AddHost("server", h => h.Address("10.0.0.2/24"))
                .Connect("client", "server", new LinkSettings(Duration.FromMilliseconds(1)))
                .Build();
            var bindings = topology.Hosts.Select(host => new ChaosHostBinding(
                host.Name,
                host.Addresses.Where(a => !a.IsLoopback).ToList(),
                host.Interfaces.Select(i => i.Name).ToList(),
                filter => host.Filter = filter,
                (name, discipline) => host.FindInterface(name)!.QueueDiscipline = discipline)).ToList();
            _chaos = _system.ActorOf(ChaosActor.Props(bindings), "chaos");
            _probe = new TestProbe(_system, "commander");
            _tcp = Endpoints.Tcp.ManagerOf(topology["client"]);
        }

        public int Replies { get; private set; }

        /// <summary>Applies a line, then lets a connection attempt run through the rules; null when nothing failed.</summary>
        public string? Apply(string host, string line)
        {
            if (_failed)
            {
                return "the lab already failed";
            }

            try
            {
                _probe.Send(_chaos, new RunCommand(host, line));
                _probe.Send(_tcp, new Endpoints.Connect(SocketAddress.Parse("10.0.0.2:80")));
                _system.RunFor(Duration.FromSeconds(2));
                Replies += _probe.ReceivedSoFar().Count;
                return null;
            }
            catch (ActorFailureException failure)
            {
                _failed = true;
                return InputContract.Crash("the chaos actor", failure);
            }
        }
    }
}
