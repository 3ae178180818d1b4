using System.Globalization;
using TcpActors.Chaos;
using TcpActors.Runtime;
using YamlDotNet.RepresentationModel;

namespace TcpActors.Simulation;

/// <summary>
/// Reads a scenario file's <c>workload:</c> section (a load run described in one file, so it replays
/// exactly) and its <c>load:</c> expectations on the run's summary. The keys are the options of
/// <c>tcpactors load</c>, without the dashes.
/// </summary>
internal static class WorkloadReader
{
    private static readonly string[] s_keys =
    [
        "clients", "servers", "rate", "concurrency", "arrival", "duration", "drain", "close", "linger", "requests-per-connection",
        "request-bytes", "response-bytes", "think-time", "service-time", "port", "link-delay", "sysctls", "client-sysctls", "server-sysctls", "rules", "netem", "loopback",
    ];

    public static LoadSettings Read(YamlReading reading, YamlNode node, ulong seed)
    {
        var map = reading.Map(node, "the workload", s_keys);
        var defaults = new LoadSettings();
        Duration DurationOf(string key, Duration fallback) => map.TryGetValue(key, out var n) ? reading.Duration(n, key) : fallback;
        Distribution BytesOf(string key, Distribution fallback) => map.TryGetValue(key, out var n) ? Wrap(n, reading, () => Distribution.ParseBytes(reading.Scalar(n, key), key)) : fallback;
        Distribution TimeOf(string key, Distribution fallback) => map.TryGetValue(key, out var n) ? Wrap(n, reading, () => Distribution.ParseDuration(reading.Scalar(n, key), key)) : fallback;
        var rules = map.TryGetValue("rules", out var rulesNode) ? reading.ScalarOrList(rulesNode, "a rule") : [];
        var netem = map.TryGetValue("netem", out var netemNode) ? reading.ScalarOrList(netemNode, "a netem line") : [];
        var settings = new LoadSettings
        {
            Clients = map.TryGetValue("clients", out var clients) ? (int)reading.Integer(clients, "clients", 1, 60_000) : defaults.Clients,
            Servers = map.TryGetValue("servers", out var servers) ? (int)reading.Integer(servers, "servers", 1, 60_000) : defaults.Servers,
            Rate = map.TryGetValue("rate", out var rate) ? Rate(reading, rate) : null,
            Concurrency = map.TryGetValue("concurrency", out var concurrency) ? (int)reading.Integer(concurrency, "concurrency", 1, 10_000_000) : null,
            Arrival = map.TryGetValue("arrival", out var arrival) ? OneOf(reading, arrival, "arrival", "constant", "poisson") : defaults.Arrival,
            Duration = DurationOf("duration", defaults.Duration),
            Drain = DurationOf("drain", defaults.Drain),
            Close = map.TryGetValue("close", out var close) && OneOf(reading, close, "close", "client", "server") == "server" ? Closer.Server : Closer.Client,
            Linger = map.TryGetValue("linger", out var linger) ? (int)reading.Integer(linger, "linger", 0, 3600) : null,
            RequestsPerConnection = map.TryGetValue("requests-per-connection", out var requests) ? (int)reading.Integer(requests, "requests-per-connection", 1, 1_000_000) : 1,
            RequestBytes = BytesOf("request-bytes", defaults.RequestBytes),
            ResponseBytes = BytesOf("response-bytes", defaults.ResponseBytes),
            ThinkTime = TimeOf("think-time", defaults.ThinkTime),
            ServiceTime = TimeOf("service-time", defaults.ServiceTime),
            Port = map.TryGetValue("port", out var port) ? (ushort)reading.Integer(port, "port", 1, 65535) : defaults.Port,
            LinkDelay = DurationOf("link-delay", defaults.LinkDelay),
            Seed = seed,
            Sysctls = Sysctls(reading, map, "sysctls"),
            ClientSysctls = Sysctls(reading, map, "client-sysctls"),
            ServerSysctls = Sysctls(reading, map, "server-sysctls"),
            Rules = [.. rules.Select(r => r.Value)],
            RuleSpans = [.. rules.Select(r => r.At)],
            Netem = [.. netem.Select(r => r.Value)],
            NetemSpans = [.. netem.Select(r => r.At)],
            Loopback = map.TryGetValue("loopback", out var loopback) && reading.Boolean(loopback, "loopback"),
        };
        if (map.TryGetValue("duration", out var durationNode) && settings.Duration == Duration.Zero)
        {
            throw new ScenarioException(reading.At(durationNode), "duration must be positive: the load runs that long (drain: 0 is how to stop at once afterwards)");
        }

        if (settings.Loopback && map.TryGetValue("link-delay", out var linkDelayNode))
        {
            throw new ScenarioException(reading.At(linkDelayNode), "'link-delay' does not apply to a loopback workload (one host, no links; use netem: \"delay …\" to delay lo)");
        }

        foreach (string key in (string[])["client-sysctls", "server-sysctls"])
        {
            if (settings.Loopback && map.TryGetValue(key, out var sideSettings))
            {
                throw new ScenarioException(reading.At(sideSettings), $"'{key}' does not apply to a loopback workload (one host): put the settings under 'sysctls'");
            }
        }
        if (settings.Rate is null == settings.Concurrency is null)
        {
            throw new ScenarioException(reading.At(node), "a workload has either 'rate' (connections per second) or 'concurrency' (connections in flight)");
        }

        if (settings.Concurrency is not null && map.TryGetValue("arrival", out var arrivalNode))
        {
            throw new ScenarioException(reading.At(arrivalNode), LoadRunner.ArrivalWithConcurrency);
        }

        if (map.TryGetValue("think-time", out var thinkNode) && LoadRunner.ThinksNowhere(settings))
        {
            throw new ScenarioException(reading.At(thinkNode), LoadRunner.ThinkTimeUnused);
        }

        return settings;
    }

    /// <summary>A <c>load:</c> expectation: a summary figure compared with a number.</summary>
    public static LoadExpectation Expectation(YamlReading reading, YamlNode node, LoadSettings settings)
    {
        string[] comparisons = ["equals", "at-least", "at-most"];
        var map = reading.Map(node, "a load expectation", ["load", .. comparisons]);
        var metricNode = map["load"];
        string metric = reading.Scalar(metricNode, "load");
        if (!LoadExpectation.IsKnown(metric))
        {
            throw new ScenarioException(reading.At(metricNode), $"unknown load figure {InputText.Quote(metric)} (known: {string.Join(", ", LoadExpectation.Known)}, failed.ERRNO, peak-time-wait.HOST, final-time-wait.HOST, peak-ports.HOST)");
        }

        if (Unmeasured(metric, settings) is { } problem)
        {
            throw new ScenarioException(reading.At(metricNode), problem);
        }

        var present = comparisons.Where(map.ContainsKey).ToList();
        if (present.Count != 1)
        {
            throw new ScenarioException(reading.At(node), "a load expectation has exactly one of: equals, at-least, at-most");
        }

        return new LoadExpectation(reading.At(node), metric, present[0], reading.Integer(map[present[0]], present[0], 0, long.MaxValue));
    }

    /// <summary>Why a per-errno or per-host figure names nothing the run can count (an errno or host it does not have), or null.</summary>
    private static string? Unmeasured(string metric, LoadSettings settings)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return null;
        }

        string name = metric[(dot + 1)..];
        if (metric.StartsWith("failed.", StringComparison.Ordinal))
        {
            return Enum.GetNames<Endpoints.Errno>().Contains(name, StringComparer.Ordinal)
                ? null
                : $"{InputText.Quote(name)} in {InputText.Quote(metric)} is not an errno name (e.g. failed.EADDRNOTAVAIL, failed.ECONNREFUSED, failed.ETIMEDOUT)";
        }

        bool known = settings.Loopback
            ? name == "client-1"
            : name == "switch" || Numbered(name, "client-", settings.Clients) || Numbered(name, "server-", settings.Servers);
        string hosts = settings.Loopback
            ? "a loopback run has one host, client-1"
            : $"hosts: {Range("client-", settings.Clients)}, {Range("server-", settings.Servers)}, switch";
        return known ? null : $"no host named {InputText.Quote(name)} in {InputText.Quote(metric)} ({hosts})";
    }

    private static string Range(string prefix, int count) => count == 1 ? prefix + "1" : $"{prefix}1..{prefix}{count}";

    private static bool Numbered(string name, string prefix, int count) =>
        name.StartsWith(prefix, StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
        && number >= 1 && number <= count && name[prefix.Length] != '0';

    private static double Rate(YamlReading reading, YamlNode node)
    {
        string text = reading.Scalar(node, "rate");
        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value > 0 && value <= 100_000_000
            ? value
            : throw new ScenarioException(reading.At(node), $"rate must be a positive number of connections per second, not {InputText.Quote(text)}");
    }

    private static string OneOf(YamlReading reading, YamlNode node, string key, params string[] allowed)
    {
        string text = reading.Scalar(node, key);
        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new ScenarioException(reading.At(node), $"{key} must be one of: {string.Join(", ", allowed)}; not {InputText.Quote(text)}");
    }

    private static Distribution Wrap(YamlNode node, YamlReading reading, Func<Distribution> parse)
    {
        try
        {
            return parse();
        }
        catch (ScenarioException error)
        {
            throw new ScenarioException(reading.At(node), error.Problem);
        }
    }

    private static List<(string Name, string Value)> Sysctls(YamlReading reading, Dictionary<string, YamlNode> map, string key)
    {
        if (!map.TryGetValue(key, out var node))
        {
            return [];
        }

        var result = new List<(string, string)>();
        foreach (var (name, valueNode) in reading.Map(node, key))
        {
            string value = reading.Scalar(valueNode, name);
            try
            {
                Network.SysctlRegistry.Set(new Network.Sysctls(), name, value);
            }
            catch (Network.SysctlException error)
            {
                throw new ScenarioException(reading.At(valueNode), error.Message);
            }

            result.Add((name, value));
        }

        return result;
    }
}

/// <summary>A figure of a load run's summary compared with a number: <c>{ load: failed.EADDRNOTAVAIL, at-least: 100 }</c>.</summary>
public sealed record LoadExpectation(SourceSpan Where, string Metric, string Comparison, long Value) : Expectation(Where)
{
    public static readonly string[] Known =
        ["attempted", "completed", "failed", "open", "requests", "resets", "retransmissions", "time-wait-overflow", "time-wait-recycled", "chaos-verdicts"];

    public static bool IsKnown(string metric) =>
        Known.Contains(metric, StringComparer.Ordinal)
        || metric.StartsWith("failed.", StringComparison.Ordinal)
        || metric.StartsWith("peak-time-wait.", StringComparison.Ordinal)
        || metric.StartsWith("final-time-wait.", StringComparison.Ordinal)
        || metric.StartsWith("peak-ports.", StringComparison.Ordinal);

    public override string Describe() => $"load {Metric} {Comparison} {Value}";

    /// <summary>The figure in <paramref name="report"/>.</summary>
    public long Read(LoadReport report) => Metric switch
    {
        "attempted" => report.Attempted,
        "completed" => report.Completed,
        "failed" => report.Failed,
        "open" => report.Open,
        "requests" => report.RequestsCompleted,
        "resets" => report.ResetsSent,
        "retransmissions" => report.Retransmissions,
        "time-wait-overflow" => report.TimeWaitOverflow,
        "time-wait-recycled" => report.TimeWaitRecycled,
        "chaos-verdicts" => report.ChaosVerdicts,
        _ when Metric.StartsWith("failed.", StringComparison.Ordinal) => report.FailuresByError.GetValueOrDefault(Metric[7..]),
        _ when Metric.StartsWith("peak-time-wait.", StringComparison.Ordinal) => report.PeakTimeWaitByHost.GetValueOrDefault(Metric[15..]),
        _ when Metric.StartsWith("final-time-wait.", StringComparison.Ordinal) => report.FinalTimeWaitByHost.GetValueOrDefault(Metric[16..]),
        _ => report.PeakPortsInUseByHost.GetValueOrDefault(Metric[11..]),
    };

    public ExpectationResult Check(LoadReport report)
    {
        long value = Read(report);
        bool passed = Comparison switch
        {
            "equals" => value == Value,
            "at-least" => value >= Value,
            _ => value <= Value,
        };
        return new ExpectationResult(this, passed, passed ? "" : string.Create(CultureInfo.InvariantCulture, $"it is {value}"));
    }
}
