using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TcpActors.Simulation;

/// <summary>
/// Reads a scenario file (YAML, schema in docs/scenarios.md) into a <see cref="Scenario"/>, checking
/// everything that can be checked before running: keys, types, durations, addresses, host and
/// variable references, script calls and their arguments, chaos lines, patterns. Every error is a
/// <see cref="ScenarioException"/> whose message starts with <c>file:line:col</c>.
/// </summary>
public static class ScenarioLoader
{
    private static readonly string[] s_topKeys =
        ["name", "description", "seeds", "behaviours", "seed", "duration", "hosts", "links", "apps", "chaos", "snapshots", "capture", "expect", "workload"];

    private static readonly string[] s_networkKeys = ["duration", "hosts", "links", "apps", "chaos", "snapshots", "capture"];

    public static Scenario LoadFile(string path) => Load(ScenarioFile.Read(path), path, Path.GetFileNameWithoutExtension(path));

    public static Scenario Load(string text, string file, string defaultName)
    {
        ScenarioFile.RefuseBinary(text, file);
        var reading = new YamlReading(file);
        var stream = YamlDocumentLoader.Load(text, file);
        if (stream.Documents.Count != 1)
        {
            throw new ScenarioException(new SourceSpan(file, 1, 1), stream.Documents.Count == 0 ? "the file is empty" : "a scenario file holds one YAML document");
        }

        var root = stream.Documents[0].RootNode;
        var map = reading.Map(root, "the scenario", s_topKeys);
        if (map.TryGetValue("workload", out var workloadNode))
        {
            return LoadWorkload(reading, map, workloadNode, file, defaultName);
        }

        var hosts = ReadHosts(reading, reading.Required(map, "hosts", root, "a scenario"));
        var hostNames = hosts.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        var apps = map.TryGetValue("apps", out var appsNode) ? ReadApplications(reading, appsNode, hostNames) : [];
        var links = map.TryGetValue("links", out var linksNode) ? ReadLinks(reading, linksNode, hostNames) : [];
        foreach (var link in links)
        {
            if (hosts.Find(h => h.LoopbackOnly && (h.Name == link.HostA || h.Name == link.HostB)) is { } alone)
            {
                throw new ScenarioException(link.At, $"host {InputText.Quote(alone.Name)} is loopback-only (lo and 127.0.0.1 only): it cannot be linked");
            }
        }

        var scenario = new Scenario
        {
            Name = ScenarioName(reading, map, defaultName),
            Description = reading.OptionalScalar(map, "description", "the scenario") ?? "",
            Seeds = map.TryGetValue("seeds", out var seedsNode) ? reading.ScalarOrList(seedsNode, "seeds").Select(s => s.Value).ToList() : [],
            Behaviours = map.TryGetValue("behaviours", out var behavioursNode)
                ? reading.ScalarOrList(behavioursNode, "behaviours").Select(b => ParseBehaviour(b.Value, b.At)).ToList()
                : [],
            Seed = map.TryGetValue("seed", out var seedNode) ? reading.Seed(seedNode) : 1,
            Duration = map.TryGetValue("duration", out var durationNode) ? reading.Duration(durationNode, "duration") : null,
            Hosts = hosts,
            Links = links,
            Applications = apps,
            Chaos = map.TryGetValue("chaos", out var chaosNode) ? ReadChaos(reading, chaosNode, hostNames, links) : [],
            Snapshots = map.TryGetValue("snapshots", out var snapshotsNode) ? ReadSnapshots(reading, snapshotsNode, hostNames) : [],
            Capture = map.TryGetValue("capture", out var captureNode) ? ReadCapture(reading, captureNode, hostNames) : new CaptureSpec(),
            Expectations = map.TryGetValue("expect", out var expectNode) ? ExpectationReader.Read(reading, expectNode, hostNames, apps) : [],
            Source = file,
        };
        DurationBounds.Check(scenario);
        return scenario;
    }

    /// <summary>The <c>name:</c> given (not empty), or the file's name.</summary>
    private static string ScenarioName(YamlReading reading, Dictionary<string, YamlNode> map, string defaultName)
    {
        string? name = reading.OptionalScalar(map, "name", "the scenario");
        return name is null ? defaultName
            : name.Trim().Length > 0 ? name
            : throw new ScenarioException(reading.At(map["name"]), "name must not be empty (leave it out to use the file's name)");
    }

    /// <summary>A load run in a file: clients and servers are declared by the workload, so the network keys do not apply.</summary>
    private static Scenario LoadWorkload(YamlReading reading, Dictionary<string, YamlNode> map, YamlNode workloadNode, string file, string defaultName)
    {
        foreach (var key in s_networkKeys.Where(map.ContainsKey))
        {
            throw new ScenarioException(reading.At(map[key]), $"'{key}' does not go with 'workload' (a workload declares its clients, servers, duration and chaos itself)");
        }

        ulong seed = map.TryGetValue("seed", out var seedNode) ? reading.Seed(seedNode) : 1;
        var workload = WorkloadReader.Read(reading, workloadNode, seed);
        var expectations = new List<Expectation>();
        if (map.TryGetValue("expect", out var expectNode))
        {
            foreach (var item in reading.Sequence(expectNode, "expect"))
            {
                expectations.Add(WorkloadReader.Expectation(reading, item, workload));
            }
        }

        return new Scenario
        {
            Name = ScenarioName(reading, map, defaultName),
            Description = reading.OptionalScalar(map, "description", "the scenario") ?? "",
            Seeds = map.TryGetValue("seeds", out var seedsNode) ? reading.ScalarOrList(seedsNode, "seeds").Select(s => s.Value).ToList() : [],
            Behaviours = map.TryGetValue("behaviours", out var behavioursNode)
                ? reading.ScalarOrList(behavioursNode, "behaviours").Select(b => ParseBehaviour(b.Value, b.At)).ToList()
                : [],
            Seed = seed,
            Workload = workload,
            Expectations = expectations,
            Source = file,
        };
    }

    private static int ParseBehaviour(string text, SourceSpan where) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is >= 1 and <= 22
            ? number
            : throw new ScenarioException(where, $"behaviours are the numbers 1-22 of DESIGN.md, not {InputText.Quote(text)}");

    private static List<HostSpec> ReadHosts(YamlReading reading, YamlNode node)
    {
        var hosts = new List<HostSpec>();
        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            throw new ScenarioException(reading.At(node), "hosts must be a mapping of host names to their settings (at least one host)");
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = reading.Scalar(keyNode, "a host name");
            if (!TopologyBuilder.IsValidHostName(name))
            {
                throw new ScenarioException(reading.At(keyNode), $"invalid host name {InputText.Quote(name)}: use letters, digits, '-', '_' and '.', starting with a letter or digit");
            }

            if (hosts.Exists(h => h.Name == name))
            {
                throw new ScenarioException(reading.At(keyNode), $"host {InputText.Quote(name)} is declared twice");
            }

            var settings = valueNode is YamlScalarNode { Value: null or "" } ? [] : reading.Map(valueNode, $"host {InputText.Quote(name)}", "addresses", "forward", "loopback-only", "sysctls");
            var addresses = settings.TryGetValue("addresses", out var addressNode) ? reading.ScalarOrList(addressNode, "an address") : [];
            foreach (var (address, at) in addresses)
            {
                if (OctalLookalike.Part(address.Split('/')[0]) is { } octal)
                {
                    throw new ScenarioException(at, OctalLookalike.Message(address, octal));
                }

                if (!InterfaceAddress.TryParse(address, out _))
                {
                    throw new ScenarioException(at, $"{InputText.Quote(address)} is not an IPv4 address or address/prefix-length (e.g. 10.0.0.1/24)");
                }
            }

            bool loopbackOnly = settings.TryGetValue("loopback-only", out var loopbackNode) && reading.Boolean(loopbackNode, "loopback-only");
            if (loopbackOnly && addresses.Count > 0)
            {
                throw new ScenarioException(reading.At(loopbackNode!), $"host {InputText.Quote(name)} is loopback-only (lo and 127.0.0.1 only): it cannot have addresses too");
            }

            var sysctls = new List<(string, string, SourceSpan)>();
            if (settings.TryGetValue("sysctls", out var sysctlNode))
            {
                foreach (var (sysctlName, sysctlValue) in reading.Map(sysctlNode, $"the sysctls of host {InputText.Quote(name)}"))
                {
                    string value = reading.Scalar(sysctlValue, sysctlName);
                    try
                    {
                        SysctlRegistry.Set(new Sysctls(), sysctlName, value);
                    }
                    catch (SysctlException error)
                    {
                        throw new ScenarioException(reading.At(sysctlValue), error.Message);
                    }

                    sysctls.Add((sysctlName, value, reading.At(sysctlValue)));
                }
            }

            hosts.Add(new HostSpec(
                name,
                addresses.Select(a => a.Value).ToList(),
                settings.TryGetValue("forward", out var forwardNode) && reading.Boolean(forwardNode, "forward"),
                loopbackOnly,
                sysctls,
                reading.At(keyNode)));
        }

        return hosts;
    }

    private static List<LinkSpec> ReadLinks(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var links = new List<LinkSpec>();
        foreach (var item in reading.Sequence(node, "links"))
        {
            YamlNode between = item;
            Dictionary<string, YamlNode> settings = [];
            if (item is YamlMappingNode)
            {
                settings = reading.Map(item, "a link", "between", "delay", "bandwidth", "queue", "mtu", "gso_max_segs", "netem");
                between = reading.Required(settings, "between", item, "a link");
            }

            var ends = reading.ScalarOrList(between, "a linked host");
            if (ends.Count != 2)
            {
                throw new ScenarioException(reading.At(between), "a link joins exactly two hosts, as in [client, server]");
            }

            foreach (var (host, at) in ends)
            {
                RequireHost(hosts, host, at);
            }

            if (ends[0].Value == ends[1].Value)
            {
                throw new ScenarioException(ends[1].At, $"a link joins two different hosts, not {InputText.Quote(ends[0].Value)} to itself (it has a loopback)");
            }

            var linkSettings = new LinkSettings(
                settings.TryGetValue("delay", out var delay) ? reading.Duration(delay, "delay") : Duration.Zero,
                settings.TryGetValue("bandwidth", out var bandwidth) ? Rates.Parse(reading.Scalar(bandwidth, "bandwidth"), reading.At(bandwidth)) : 0,
                settings.TryGetValue("queue", out var queue) ? (int)reading.Integer(queue, "queue", 1, 1_000_000) : 1000,
                settings.TryGetValue("mtu", out var mtu) ? (int)reading.Integer(mtu, "mtu", 68, 65536) : 1500)
            {
                GsoMaxSegs = settings.TryGetValue("gso_max_segs", out var gsoMaxSegs) ? (int)reading.Integer(gsoMaxSegs, "gso_max_segs", 1, NetworkInterface.GsoMaxSegsLimit) : null,
            };
            string? netem = reading.OptionalScalar(settings, "netem", "a link");
            if (netem is not null)
            {
                RequireNetem(netem, reading.At(settings["netem"]));
            }

            links.Add(new LinkSpec(ends[0].Value, ends[1].Value, linkSettings, netem, reading.At(item)));
        }

        return links;
    }

    private static List<ApplicationSpec> ReadApplications(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var applications = new List<ApplicationSpec>();
        reading.Map(node, "apps");
        foreach (var (keyNode, valueNode) in ((YamlMappingNode)node).Children)
        {
            string name = reading.Scalar(keyNode, "an application name");
            if (!TopologyBuilder.IsValidHostName(name))
            {
                throw new ScenarioException(reading.At(keyNode), $"invalid application name {InputText.Quote(name)}: use letters, digits, '-', '_' and '.', starting with a letter or digit");
            }

            var settings = reading.Map(valueNode, $"application {InputText.Quote(name)}", "host", "script");
            var hostNode = reading.Required(settings, "host", valueNode, $"application {InputText.Quote(name)}");
            string host = reading.Scalar(hostNode, "host");
            RequireHost(hosts, host, reading.At(hostNode));
            var steps = new List<Step>();
            foreach (var stepNode in reading.Sequence(reading.Required(settings, "script", valueNode, $"application {InputText.Quote(name)}"), "a script"))
            {
                steps.Add(ReadStep(reading, stepNode));
            }

            if (steps.Count == 0)
            {
                throw new ScenarioException(reading.At(settings["script"]), $"application {InputText.Quote(name)} has an empty script (give it at least one step, or leave the application out)");
            }

            StepChecker.Check(steps);
            applications.Add(new ApplicationSpec(name, host, steps, reading.At(keyNode)));
        }

        return applications;
    }

    /// <summary>
    /// A script line. YAML reads <c>- at 2s: close(s)</c> as a one-entry mapping, so that form is
    /// accepted and put back together; everything else must be a plain string.
    /// </summary>
    private static Step ReadStep(YamlReading reading, YamlNode node)
    {
        if (node is YamlMappingNode { Children.Count: 1 } timed)
        {
            var (keyNode, valueNode) = timed.Children.First();
            string key = reading.Scalar(keyNode, "a script step");
            if (key.StartsWith("at ", StringComparison.Ordinal))
            {
                return StepParser.Parse(key + ": " + reading.Scalar(valueNode, "a script step"), reading.ValueAt(keyNode));
            }
        }

        return StepParser.Parse(reading.Scalar(node, "a script step (a call like 'close(s)', or 'at 2s: close(s)')"), reading.ValueAt(node));
    }

    private static List<ChaosStep> ReadChaos(YamlReading reading, YamlNode node, HashSet<string> hosts, List<LinkSpec> links)
    {
        string[] kinds = ["iptables", "tc", "partition", "heal", "isolate", "link-down", "link-up"];
        var steps = new List<ChaosStep>();
        foreach (var item in reading.Sequence(node, "chaos"))
        {
            var map = reading.Map(item, "a chaos step", ["at", "host", .. kinds]);
            var at = reading.Duration(reading.Required(map, "at", item, "a chaos step"), "at");
            string? host = reading.OptionalScalar(map, "host", "a chaos step");
            if (host is not null)
            {
                RequireHost(hosts, host, reading.At(map["host"]));
            }

            var present = kinds.Where(map.ContainsKey).ToList();
            if (present.Count != 1)
            {
                throw new ScenarioException(reading.At(item), $"a chaos step has exactly one of: {string.Join(", ", kinds)}");
            }

            string kind = present[0];
            var commandNode = map[kind];
            string command = commandNode is YamlSequenceNode
                ? string.Join(' ', reading.Sequence(commandNode, kind).Select(n => n is YamlSequenceNode ? "[" + string.Join(',', reading.Sequence(n, kind).Select(h => reading.Scalar(h, kind))) + "]" : reading.Scalar(n, kind)))
                : reading.Scalar(commandNode, kind);
            if (host is not null && kind is not ("iptables" or "tc"))
            {
                throw new ScenarioException(reading.At(map["host"]), $"'host' goes with iptables and tc steps only ({KindScope(kind)})");
            }

            if (kind == "heal" && command.Trim().Length > 0)
            {
                throw new ScenarioException(reading.ValueAt(commandNode), $"heal takes no value (write heal: \"\"): it undoes every partition and isolation, not {InputText.Quote(command)}");
            }

            if (kind == "isolate" && (commandNode is YamlSequenceNode || command.Trim().Contains(' ', StringComparison.Ordinal)))
            {
                throw new ScenarioException(reading.ValueAt(commandNode), $"isolate names one host, not {InputText.Quote(command)} (one isolate step per host)");
            }

            if (kind is "iptables" or "tc" && host is null && hosts.Count > 1)
            {
                throw new ScenarioException(reading.At(item), $"say which host the {kind} line applies to ('host:'); this scenario has {hosts.Count} hosts");
            }

            steps.Add(new ChaosStep(at, host ?? (hosts.Count == 1 ? hosts.First() : null), kind, command, reading.ValueAt(commandNode)));
        }

        ChaosLines.Validate(steps, links);
        return steps;
    }

    private static string KindScope(string kind) => kind switch
    {
        "heal" => "heal undoes every partition and isolation",
        "partition" => "a partition names its two groups of hosts",
        "isolate" => "isolate names its host as its value",
        _ => $"{kind} names a link by its two hosts",
    };

    private static List<SnapshotProbe> ReadSnapshots(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var probes = new List<SnapshotProbe>();
        foreach (var item in reading.Sequence(node, "snapshots"))
        {
            var map = reading.Map(item, "a snapshot", "at", "host", "info");
            string? host = reading.OptionalScalar(map, "host", "a snapshot");
            if (host is not null)
            {
                RequireHost(hosts, host, reading.At(map["host"]));
            }

            bool info = map.TryGetValue("info", out var infoNode) && reading.Boolean(infoNode, "info");
            probes.Add(new SnapshotProbe(reading.Duration(reading.Required(map, "at", item, "a snapshot"), "at"), host, reading.At(item), info));
        }

        return probes;
    }

    private static CaptureSpec ReadCapture(YamlReading reading, YamlNode node, HashSet<string> hosts)
    {
        var map = reading.Map(node, "capture", "host", "interface", "filter", "from", "to");
        string? host = reading.OptionalScalar(map, "host", "capture");
        if (host is not null)
        {
            RequireHost(hosts, host, reading.At(map["host"]));
        }

        string? filter = reading.OptionalScalar(map, "filter", "capture");
        if (filter is not null)
        {
            try
            {
                Telemetry.CaptureExpression.Parse(filter);
            }
            catch (FormatException error)
            {
                throw new ScenarioException(reading.At(map["filter"]), error.Message);
            }
        }

        Duration? from = map.TryGetValue("from", out var fromNode) ? reading.Duration(fromNode, "from") : null;
        Duration? to = map.TryGetValue("to", out var toNode) ? reading.Duration(toNode, "to") : null;
        if (from is { } start && to is { } end && end <= start)
        {
            throw new ScenarioException(reading.At(toNode!), $"the capture stops at {end} before it starts at {start}: 'to' must come after 'from'");
        }

        return new CaptureSpec(host, reading.OptionalScalar(map, "interface", "capture"), filter, from, to)
        {
            InterfaceAt = map.TryGetValue("interface", out var interfaceNode) ? reading.At(interfaceNode) : SourceSpan.None,
            FromAt = fromNode is null ? SourceSpan.None : reading.At(fromNode),
        };
    }

    /// <summary>A link's netem settings must be what <c>tc qdisc add … netem</c> accepts; an error points into the value.</summary>
    private static void RequireNetem(string netem, SourceSpan at)
    {
        const string Prefix = "tc qdisc add dev eth0 root netem ";
        try
        {
            Chaos.ChaosCommandParser.Parse(Prefix + netem);
        }
        catch (Chaos.ChaosParseException error)
        {
            throw new ScenarioException(at.Shifted(Math.Max(1, error.Column - Prefix.Length) - 1), error.Message);
        }
    }

    internal static void RequireHost(HashSet<string> hosts, string name, SourceSpan at)
    {
        if (!hosts.Contains(name))
        {
            throw new ScenarioException(at, $"no host named {InputText.Quote(name)} (hosts: {string.Join(", ", hosts.Order(StringComparer.Ordinal))})");
        }
    }
}
