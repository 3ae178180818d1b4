using BenchmarkDotNet.Attributes;
using TcpActors.Chaos;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Benchmarks;

/// <summary>
/// What chaos costs per packet: a firewall verdict against a few dozen rules (the target is well under a
/// microsecond), an empty chain, and a netem enqueue. Run with
/// <c>dotnet run -c Release --project bench/TcpActors.Benchmarks -- --filter '*ChaosBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ChaosBenchmarks
{
    private static readonly HookContext s_input = new("server", HookPoint.Input, "eth0", null, SimTime.Zero);

    private HostFirewall _thirtyRules = null!;
    private HostFirewall _firstRuleDrops = null!;
    private HostFirewall _empty = null!;
    private NetemQueueDiscipline _netem = null!;
    private Segment _segment = null!;
    private List<Departure> _departures = null!;
    private long _now;
    private string _seedLine = "";

    [GlobalSetup]
    public void Setup()
    {
        _segment = new Segment
        {
            Source = IPv4Address.Parse("10.0.0.1"),
            Destination = IPv4Address.Parse("10.0.0.2"),
            SourcePort = 40000,
            DestinationPort = 8888,
            Flags = TcpFlags.Ack | TcpFlags.Psh,
            Options = TcpOptions.Timestamps(1, 1),
            PayloadLength = 1000,
        };
        _thirtyRules = Firewall(ThirtyRulesThatDoNotMatch());
        _firstRuleDrops = Firewall(["-A INPUT -p tcp -s 10.0.0.1 --sport 40000 -j DROP", .. ThirtyRulesThatDoNotMatch()]);
        _empty = Firewall([]);
        _netem = new NetemQueueDiscipline("server", "eth0", NetemParser.Parse("delay 20ms 5ms distribution normal loss 1% duplicate 1% reorder 5%"), new RandomStream(1), events: null);
        _departures = new List<Departure>(4);
        _seedLine = "sudo iptables -A INPUT -p tcp -s 127.0.0.1  --sport 60000 -j DROP";
    }

    /// <summary>The worst case: 30 rules (addresses, CIDRs, ports, flags, interfaces) are all tried and the policy accepts.</summary>
    [Benchmark(Baseline = true)]
    public FilterVerdict ThirtyRulesNoneMatches() => _thirtyRules.Filter(_segment, s_input);

    [Benchmark]
    public FilterVerdict FirstRuleDrops() => _firstRuleDrops.Filter(_segment, s_input);

    [Benchmark]
    public FilterVerdict EmptyChain() => _empty.Filter(_segment, s_input);

    /// <summary>One netem enqueue with jitter from the normal table, loss, duplication and reordering; time advances 100 µs a packet.</summary>
    [Benchmark]
    public int NetemEnqueue()
    {
        _departures.Clear();
        _now += 100_000;
        _netem.Enqueue(_segment, new SimTime(_now), _departures);
        return _departures.Count;
    }

    [Benchmark]
    public IptablesCommand ParseSeedLine() => IptablesParser.Parse(_seedLine);

    private static HostFirewall Firewall(string[] rules)
    {
        var firewall = new HostFirewall("server", new RandomStream(1), events: null);
        foreach (string rule in rules)
        {
            if (!firewall.Apply(IptablesParser.Parse(rule)).Succeeded)
            {
                throw new InvalidOperationException(rule);
            }
        }

        return firewall;
    }

    private static string[] ThirtyRulesThatDoNotMatch() =>
    [
        .. Enumerable.Range(1, 10).Select(i => $"-A INPUT -s 192.168.{i}.0/24 -j DROP"),
        .. Enumerable.Range(1, 10).Select(i => $"-A INPUT -p tcp --dport {9000 + i} -j REJECT --reject-with tcp-reset"),
        .. Enumerable.Range(1, 5).Select(i => $"-A INPUT -p tcp -s 10.0.0.1 --sport {50000 + i} --tcp-flags SYN,ACK,FIN,RST ACK -j DROP"),
        .. Enumerable.Range(1, 5).Select(i => $"-A INPUT -i eth{i} -p tcp --syn -j DROP"),
    ];
}
