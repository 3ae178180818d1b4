using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Runs a load: <c>client-1…client-N</c> and <c>server-1…server-M</c> behind one switch, TCP on every
/// host, the workload applications, the chaos rules, and a sampler; then summarises.
/// </summary>
public static class LoadRunner
{
    public static LoadReport Run(LoadSettings settings, Action<LoadSample>? onSample = null, Action<ActorSystem>? attach = null, IWallClock? pacing = null, double speed = 1, Func<Topology, IDisposable?>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);
        var system = ActorSystem.Create("tcpactors-load", settings.Seed);
        system.Limits = settings.Limits;
        var topology = settings.Loopback ? BuildLoopbackTopology(system, settings) : BuildTopology(system, settings);
        var clients = topology.Hosts.Where(h => h.Name.StartsWith("client-", StringComparison.Ordinal)).ToList();
        var servers = topology.Hosts.Where(h => h.Name.StartsWith("server-", StringComparison.Ordinal)).ToList();
        var serverApplicationHosts = settings.Loopback ? clients : servers;
        var statistics = new LoadStatistics();
        var exchange = new LoadExchange();
        var run = new LoadRun(clients, servers, statistics) { OnSample = onSample };
        system.EventStream.Subscribe<PacketFiltered>(_ => run.ChaosVerdicts++);
        system.EventStream.Subscribe<PacketImpaired>(_ => run.ChaosVerdicts++);
        var refused = new List<ChaosCommandRejected>();
        using (system.EventStream.Subscribe<ChaosCommandRejected>(refused.Add))
        {
            var commands = StartChaos(system, topology, settings);
            var started = system.RunUntil(system.Now);
            if (started.HitLimit)
            {
                return LoadReport.Create(settings, run, run.TakeSample(system), started, topology);
            }

            RefuseRejected(refused, commands);
        }

        foreach (var server in serverApplicationHosts)
        {
            var tcp = Tcp.ManagerOf(server);
            system.ActorOf(Props.Create(() => new LoadServer(settings, tcp, statistics, exchange)), (settings.Loopback ? "server-app-" : "app-") + server.Name);
        }

        var serving = system.RunUntil(system.Now);
        if (serving.HitLimit)
        {
            return LoadReport.Create(settings, run, run.TakeSample(system), serving, topology);
        }

        var addresses = settings.Loopback
            ? Enumerable.Range(0, settings.Servers).Select(i => new SocketAddress(new IPv4Address(IPv4Address.Loopback.Value + (uint)i), settings.Port)).ToList()
            : servers.Select(s => new SocketAddress(s.PrimaryAddress, settings.Port)).ToList();
        for (int i = 0; i < settings.Clients; i++)
        {
            int index = i;
            var tcp = Tcp.StackOf(clients[settings.Loopback ? 0 : i]);
            system.ActorOf(Props.Create(() => new LoadClient(settings, index, tcp, addresses, statistics, exchange)), $"app-client-{i + 1}");
        }

        system.ActorOf(Props.Create(() => new LoadSampler(run)), "sampler");
        attach?.Invoke(system);
        using var observer = observe?.Invoke(topology);
        if (pacing is not null)
        {
            system.EnablePacing(pacing, speed);
        }

        var result = system.RunUntil(SimTime.Zero + settings.Duration + settings.Drain);
        var final = run.TakeSample(system);
        return LoadReport.Create(settings, run, final, result, topology);
    }

    /// <summary>Why an arrival process does not go with a closed loop (its connections start when others end).</summary>
    public const string ArrivalWithConcurrency = "arrival shapes an open loop (rate); with concurrency a connection starts when another ends";

    /// <summary>Why a think time is refused where no request follows another and no connection is replaced.</summary>
    public const string ThinkTimeUnused = "think-time is the pause between requests on a connection (requests-per-connection above 1) or before a closed loop reconnects (concurrency); with one request per connection at a rate it would never be used";

    /// <summary>A think time that would never be drawn: one request per connection, open loop.</summary>
    public static bool ThinksNowhere(LoadSettings settings) => settings.RequestsPerConnection == 1 && settings.Concurrency is null;

    private static void Validate(LoadSettings settings)
    {
        static void Check(bool ok, string option, string message)
        {
            if (!ok)
            {
                throw new ScenarioException(new SourceSpan(option, 0, 0), message);
            }
        }

        Check(settings.Clients is >= 1 and <= 60_000, "--clients", "must be between 1 and 60000");
        Check(settings.Servers is >= 1 and <= 60_000, "--servers", "must be between 1 and 60000");
        Check(settings.Rate is null ^ settings.Concurrency is null, "--rate", "give either --rate (connections per second) or --concurrency (connections in flight), not both and not neither");
        Check(settings.Rate is null or (> 0 and <= 100_000_000), "--rate", "must be a positive number of connections per second, at most 100000000");
        Check(settings.Concurrency is null or (>= 1 and <= 10_000_000), "--concurrency", "must be between 1 and 10000000");
        Check(settings.Duration > Duration.Zero, "--duration", "must be positive");
        Check(settings.RequestsPerConnection is >= 1 and <= 1_000_000, "--requests-per-connection", "must be between 1 and 1000000");
        Check(settings.Linger is null or (>= 0 and <= 3600), "--linger", "must be 0 (abort with RST) to 3600 seconds");
        Check(settings.Arrival is "constant" or "poisson", "--arrival", "must be constant or poisson");
        Check(!settings.Loopback || settings.ClientSysctls.Count == 0, "--client-sysctl", "a loopback run has one host: give its settings with --sysctl");
        Check(!settings.Loopback || settings.ServerSysctls.Count == 0, "--server-sysctl", "a loopback run has one host: give its settings with --sysctl");
    }

    /// <summary>One host, client-1, with every setting of either side (a loopback run rejects side-specific ones).</summary>
    private static Topology BuildLoopbackTopology(ActorSystem system, LoadSettings settings)
    {
        var builder = new TopologyBuilder(system).AddModule(Tcp.Module).AddHost("client-1", options =>
        {
            foreach (var (key, value) in settings.Sysctls)
            {
                options.Sysctl(key, value);
            }
        });
        try
        {
            return builder.Build();
        }
        catch (TopologyException error)
        {
            throw new ScenarioException(new SourceSpan("--sysctl", 0, 0), error.Message);
        }
    }

    private static Topology BuildTopology(ActorSystem system, LoadSettings settings)
    {
        var builder = new TopologyBuilder(system).AddModule(Tcp.Module).AddSwitch("switch", h => h.Address("10.255.255.254/8"));
        var link = new LinkSettings(settings.LinkDelay, settings.LinkBandwidthBitsPerSecond);
        void Host(string name, int number, IReadOnlyList<(string Name, string Value)> side) => builder.AddHost(name, options =>
        {
            // Clients 10.1.x.y, servers 10.2.x.y: no .0 or .255 host parts.
            options.Address($"10.{(name[0] == 'c' ? 1 : 2)}.{number / 250}.{(number % 250) + 1}/8");
            foreach (var (key, value) in settings.Sysctls.Concat(side))
            {
                options.Sysctl(key, value);
            }
        });
        for (int i = 0; i < settings.Servers; i++)
        {
            Host($"server-{i + 1}", i, settings.ServerSysctls);
        }

        for (int i = 0; i < settings.Clients; i++)
        {
            Host($"client-{i + 1}", i, settings.ClientSysctls);
        }

        for (int i = 0; i < settings.Servers; i++)
        {
            builder.Connect($"server-{i + 1}", "switch", link);
        }

        for (int i = 0; i < settings.Clients; i++)
        {
            builder.Connect($"client-{i + 1}", "switch", link);
        }

        try
        {
            return builder.Build();
        }
        catch (TopologyException error)
        {
            throw new ScenarioException(new SourceSpan("--sysctl", 0, 0), error.Message);
        }
    }

    /// <summary>
    /// A --rule or --netem the tool itself would refuse on a host (deleting a rule that is not there, an insertion index
    /// past the chain's end) is bad input naming the option and the value, as iptables or tc would fail the command.
    /// </summary>
    private static void RefuseRejected(List<ChaosCommandRejected> refused, List<(string Text, SourceSpan Origin, string Given)> commands)
    {
        if (refused.Count == 0)
        {
            return;
        }

        var first = refused[0];
        var (_, origin, given) = commands.First(c => c.Text == first.Command);
        string host = first.HostName is null ? "" : $" on {first.HostName}";
        throw new ScenarioException(origin, $"{InputText.Quote(given)}: {first.Message} (refused{host})");
    }

    /// <summary>Where a rule or netem line came from: its place in a workload file, else the command-line option.</summary>
    private static SourceSpan Origin(IReadOnlyList<SourceSpan> spans, int index, string option) =>
        index < spans.Count ? spans[index] : new SourceSpan(option, 0, 0);

    /// <summary>Runs <paramref name="make"/>; an error in the line is reported at <paramref name="origin"/> (the file's line for a workload file's rules).</summary>
    private static T Located<T>(SourceSpan origin, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (ScenarioException error) when (error.Where != origin)
        {
            throw new ScenarioException(origin, error.Problem);
        }
    }

    /// <summary>Applies --rule and --netem at time zero: each optionally prefixed with the hosts it is for; returns each command's text with the option and value that gave it.</summary>
    private static List<(string Text, SourceSpan Origin, string Given)> StartChaos(ActorSystem system, Topology topology, LoadSettings settings)
    {
        var commands = new List<(string Text, SourceSpan Origin, string Given)>();
        if (settings.Rules.Count == 0 && settings.Netem.Count == 0)
        {
            return commands;
        }

        var bindings = topology.Hosts.Select(host => new ChaosHostBinding(
            host.Name,
            host.Addresses.Where(a => !a.IsLoopback).ToList(),
            host.Interfaces.Select(i => i.Name).ToList(),
            filter => host.Filter = filter,
            (name, discipline) => host.FindInterface(name)!.QueueDiscipline = discipline)).ToList();
        var chaos = system.ActorOf(ChaosActor.Props(bindings), "chaos");
        var entries = new List<ChaosTimelineEntry>();
        for (int i = 0; i < settings.Rules.Count; i++)
        {
            string rule = settings.Rules[i];
            var origin = Origin(settings.RuleSpans, i, "--rule");
            var (hosts, line, at) = Located(origin, () => Target(rule, topology, "--rule", defaultHosts: topology.Hosts.Where(h => h.Name != "switch")));
            string tool = line.StartsWith("iptables", StringComparison.Ordinal) ? "" : "iptables ";
            var command = Located(origin, () => ParseOrThrow(tool + line, tool.Length, rule, at, "--rule"));
            entries.AddRange(hosts.Select(h => new ChaosTimelineEntry(Duration.Zero, new ApplyCommand(h.Name, command, line))));
            commands.Add((line, origin, rule));
        }

        for (int i = 0; i < settings.Netem.Count; i++)
        {
            string netem = settings.Netem[i];
            var origin = Origin(settings.NetemSpans, i, "--netem");
            var (hosts, line, at) = Located(origin, () => Target(netem, topology, "--netem", defaultHosts: topology.Hosts.Where(h => h.Name != "switch")));
            foreach (var host in hosts)
            {
                foreach (var networkInterface in host.Interfaces.Where(i => i.IsLoopback == settings.Loopback))
                {
                    string tool = $"tc qdisc add dev {networkInterface.Name} root netem ";
                    string tc = tool + line;
                    entries.Add(new ChaosTimelineEntry(Duration.Zero, new ApplyCommand(host.Name, Located(origin, () => ParseOrThrow(tc, tool.Length, netem, at, "--netem")), tc)));
                    commands.Add((tc, origin, netem));
                }
            }
        }

        chaos.Tell(new StartTimeline(entries));
        return commands;
    }

    /// <summary>
    /// Parses <paramref name="line"/> (the value as given, after its host prefix, behind <paramref name="added"/> characters the
    /// runner put in front); an error names the option, the value as given and the column in it.
    /// </summary>
    private static ChaosCommand ParseOrThrow(string line, int added, string given, int at, string option)
    {
        try
        {
            return ChaosCommandParser.Parse(line);
        }
        catch (ChaosParseException error)
        {
            int column = at + Math.Max(1, error.Column - added);
            throw new ScenarioException(new SourceSpan(option, 0, 0), string.Create(CultureInfo.InvariantCulture, $"{InputText.Quote(given)}, column {column}: {error.Message}"));
        }
    }

    /// <summary>
    /// <c>servers: -A INPUT …</c>, <c>client-3: …</c>, <c>all: …</c>, or no prefix (every client and server); also the
    /// offset in <paramref name="text"/> where the line starts, for the columns of errors.
    /// </summary>
    private static (List<Host> Hosts, string Line, int At) Target(string text, Topology topology, string option, IEnumerable<Host> defaultHosts)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string prefix = colon > 0 ? text[..colon].Trim() : "";
        if (colon <= 0 || prefix.Contains(' ', StringComparison.Ordinal) || prefix.StartsWith('-'))
        {
            return (defaultHosts.ToList(), text.Trim(), LeadingSpaces(text, 0));
        }

        string line = text[(colon + 1)..].Trim();
        var hosts = prefix switch
        {
            "all" => topology.Hosts.ToList(),
            "clients" => topology.Hosts.Where(h => h.Name.StartsWith("client-", StringComparison.Ordinal)).ToList(),
            "servers" => topology.Hosts.Where(h => h.Name.StartsWith("server-", StringComparison.Ordinal)).ToList(),
            _ when topology.TryGetHost(prefix, out var host) => [host],
            _ => [],
        };
        if (hosts.Count == 0)
        {
            string hint = topology.Hosts.Count == 1
                ? $"a loopback run has one host, {topology.Hosts[0].Name}: give the line without a prefix"
                : "use all:, clients:, servers:, switch: or a host such as client-1:";
            throw new ScenarioException(new SourceSpan(option, 0, 0), $"{InputText.Quote(prefix + ":")} names no hosts ({hint})");
        }

        return (hosts, line, LeadingSpaces(text, colon + 1));
    }

    /// <summary>The offset of the first character at or after <paramref name="start"/> that Trim() keeps.</summary>
    private static int LeadingSpaces(string text, int start)
    {
        int at = start;
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }

        return at;
    }
}
