using System.Globalization;
using System.Text.Json;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>The outcome of a load run: totals, per-host peaks, latencies, the time series and a diagnosis in words.</summary>
public sealed record LoadReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public required LoadSettings Settings { get; init; }

    public required RunResult Run { get; init; }

    public required long Attempted { get; init; }

    public required long Completed { get; init; }

    public required long Failed { get; init; }

    /// <summary>Attempted connections neither completed nor failed when the run ended (attempted = completed + failed + open).</summary>
    public required long Open { get; init; }

    public required long RequestsCompleted { get; init; }

    public required IReadOnlyDictionary<string, long> FailuresByError { get; init; }

    public required IReadOnlyDictionary<string, long> ServerErrors { get; init; }

    /// <summary>Each host's largest TIME_WAIT count at a sample, clients then servers in natural order (client-2 before client-10).</summary>
    public required IReadOnlyDictionary<string, long> PeakTimeWaitByHost { get; init; }

    /// <summary>Each host's TIME_WAIT count at the end (the last sample's), in the same order.</summary>
    public required IReadOnlyDictionary<string, long> FinalTimeWaitByHost { get; init; }

    /// <summary>Each client's largest number of local ports in use at a sample, in natural order.</summary>
    public required IReadOnlyDictionary<string, long> PeakPortsInUseByHost { get; init; }

    public required long Retransmissions { get; init; }

    public required long ResetsSent { get; init; }

    public required long TimeWaitOverflow { get; init; }

    public required long TimeWaitRecycled { get; init; }

    public required long ChaosVerdicts { get; init; }

    /// <summary>Closed loop: replacements of failed connections that waited for the back-off (1 ms doubling, at most 1 s).</summary>
    public long Backoffs { get; init; }

    /// <summary>Closed loop: the longest back-off waited, in seconds (simulated).</summary>
    public double LongestBackoffSeconds { get; init; }

    /// <summary>Connect latency percentiles in seconds (simulated): p50, p90, p99, max.</summary>
    public required IReadOnlyDictionary<string, double> ConnectLatency { get; init; }

    public required IReadOnlyList<LoadSample> TimeSeries { get; init; }

    public required IReadOnlyList<string> Diagnosis { get; init; }

    internal static LoadReport Create(LoadSettings settings, LoadRun run, LoadSample final, RunResult result, Topology topology)
    {
        var statistics = run.Statistics;
        var stacks = run.Clients.Concat(run.Servers).Select(Tcp.StackOf).ToList();
        long Sum(Func<TcpCounters, long> counter) => stacks.Sum(s => counter(s.Counters));
        var report = new LoadReport
        {
            Settings = settings,
            Run = result,
            Attempted = statistics.Attempted,
            Completed = statistics.Completed,
            Failed = statistics.Failed,
            Open = statistics.Open,
            RequestsCompleted = statistics.RequestsCompleted,
            FailuresByError = new SortedDictionary<string, long>(statistics.FailuresByError, StringComparer.Ordinal),
            ServerErrors = new SortedDictionary<string, long>(statistics.ServerErrors, StringComparer.Ordinal),
            PeakTimeWaitByHost = run.PeakTimeWait,
            FinalTimeWaitByHost = final.TimeWaitByHost,
            PeakPortsInUseByHost = run.PeakPorts,
            Retransmissions = Sum(c => c.RetransmittedSegments),
            ResetsSent = Sum(c => c.OutResets),
            TimeWaitOverflow = Sum(c => c.TimeWaitOverflow),
            TimeWaitRecycled = Sum(c => c.TimeWaitRecycled),
            ChaosVerdicts = run.ChaosVerdicts,
            Backoffs = statistics.Backoffs,
            LongestBackoffSeconds = statistics.LongestBackoffNanoseconds / 1e9,
            ConnectLatency = new SortedDictionary<string, double>(StringComparer.Ordinal)
            {
                ["p50"] = statistics.ConnectLatencyPercentile(50) / 1e9,
                ["p90"] = statistics.ConnectLatencyPercentile(90) / 1e9,
                ["p99"] = statistics.ConnectLatencyPercentile(99) / 1e9,
                ["max"] = statistics.ConnectLatencyPercentile(100) / 1e9,
            },
            TimeSeries = [.. run.Samples, final],
            Diagnosis = [],
        };
        return report with { Diagnosis = LoadDiagnosis.Explain(report, topology) };
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        settings = new
        {
            clients = Settings.Clients,
            servers = Settings.Servers,
            rate = Settings.Rate,
            concurrency = Settings.Concurrency,
            arrival = Settings.Arrival,
            durationSeconds = Settings.Duration.TotalSeconds,
            drainSeconds = Settings.Drain.TotalSeconds,
            close = Settings.Close.ToString().ToLowerInvariant(),
            linger = Settings.Linger,
            requestsPerConnection = Settings.RequestsPerConnection,
            requestBytes = Settings.RequestBytes.ToString(),
            responseBytes = Settings.ResponseBytes.ToString(),
            seed = Settings.Seed,
            sysctls = Settings.Sysctls.Select(s => $"{s.Name}={s.Value}"),
            clientSysctls = Settings.ClientSysctls.Select(s => $"{s.Name}={s.Value}"),
            serverSysctls = Settings.ServerSysctls.Select(s => $"{s.Name}={s.Value}"),
            rules = Settings.Rules,
            netem = Settings.Netem,
        },
        summary = new
        {
            attempted = Attempted,
            completed = Completed,
            failed = Failed,
            open = Open,
            requestsCompleted = RequestsCompleted,
            failuresByError = FailuresByError,
            serverErrors = ServerErrors,
            peakTimeWaitByHost = PeakTimeWaitByHost,
            finalTimeWaitByHost = FinalTimeWaitByHost,
            peakPortsInUseByHost = PeakPortsInUseByHost,
            retransmissions = Retransmissions,
            resetsSent = ResetsSent,
            timeWaitOverflow = TimeWaitOverflow,
            timeWaitRecycled = TimeWaitRecycled,
            chaosVerdicts = ChaosVerdicts,
            backoffs = Backoffs,
            longestBackoffSeconds = LongestBackoffSeconds,
            connectLatencySeconds = ConnectLatency,
            simulatedSeconds = Run.Time.TotalSeconds,
            events = Run.EventsProcessed,
            stop = Run.Message,
            stopReason = Run.Reason.ToString(),
        },
        diagnosis = Diagnosis,
        timeSeries = TimeSeries,
    }, s_json);
}

/// <summary>Explains a load run's outcome in words: why connections failed and what would change it.</summary>
internal static class LoadDiagnosis
{
    public static List<string> Explain(LoadReport report, Topology topology)
    {
        var lines = new List<string>();
        var settings = report.Settings;
        var culture = CultureInfo.InvariantCulture;
        var client = topology.Hosts.First(h => h.Name.StartsWith("client-", StringComparison.Ordinal));
        var (low, high) = client.Sysctls.IpLocalPortRange;
        int range = high - low + 1;
        if (report.FailuresByError.TryGetValue(nameof(Errno.EADDRNOTAVAIL), out long exhausted))
        {
            double ceiling = range / 60.0;
            double asked = (settings.Rate ?? 0) / settings.Clients / settings.Servers;
            lines.Add(string.Create(culture,
                $"{exhausted:N0} connect() calls failed with EADDRNOTAVAIL: the clients ran out of ephemeral ports. A port is free for a new connection to one server ip:port only when no other socket or TIME_WAIT holds that 4-tuple; the client closes first, so each closed connection keeps its 4-tuple in TIME_WAIT for 60 s. With ip_local_port_range {low}-{high} ({range} ports) one client can sustain about {range} / 60 s = {ceiling:0} new connections per second to one server ip:port{(asked > 0 ? $"; this run asked {asked:0.#} per client per server" : "")}."));
            lines.Add("Remedies: net.ipv4.tcp_tw_reuse=1 (reuse a TIME_WAIT port after 1 s; timestamps are on), a wider ip_local_port_range, more server addresses or ports, keep-alive (--requests-per-connection), or --close server (TIME_WAIT moves to the server, where it costs no ports).");
        }

        if (report.Backoffs > 0)
        {
            lines.Add(string.Create(culture, $"The closed loop backed off instead of retrying at once: after a failed connection a client waits 1 ms before replacing it, twice as long after each further failure until one of its connections is established, at most 1 s; {report.Backoffs:N0} replacements waited, the longest {report.LongestBackoffSeconds:0.###} s."));
        }

        if (report.TimeWaitOverflow > 0)
        {
            lines.Add(string.Create(culture, $"tcp_max_tw_buckets was reached: {report.TimeWaitOverflow:N0} connections closed without keeping a TIME_WAIT (TCPTimeWaitOverflow), so late segments of those connections will be answered with RST."));
        }

        if (report.TimeWaitRecycled > 0)
        {
            lines.Add(string.Create(culture, $"tcp_tw_reuse recycled {report.TimeWaitRecycled:N0} TIME_WAIT sockets for new connections (TWRecycled)."));
        }

        if (settings.Linger == 0)
        {
            lines.Add(string.Create(culture, $"SO_LINGER {{1,0}} on the {settings.Close.ToString().ToLowerInvariant()}: connections were aborted with RST ({report.ResetsSent:N0} resets sent) and left no TIME_WAIT."));
        }

        long serverPeak = report.PeakTimeWaitByHost.Where(p => p.Key.StartsWith("server-", StringComparison.Ordinal)).Sum(p => p.Value);
        if (settings.Close == Closer.Server && serverPeak > 0)
        {
            lines.Add(string.Create(culture, $"The servers close first, so TIME_WAIT is on the servers (peak {serverPeak:N0} in all), where it uses no ephemeral ports: all of them share the listening port."));
        }

        foreach (var (error, count) in report.FailuresByError.Where(f => f.Key != nameof(Errno.EADDRNOTAVAIL)))
        {
            lines.Add(string.Create(culture, $"{count:N0} connections failed with {error}{Explain(error)}."));
        }

        long peakPorts = report.PeakPortsInUseByHost.Values.DefaultIfEmpty(0).Max();
        if (lines.Count == 0 && report.Attempted == 0)
        {
            lines.Add("No connection was attempted before the run ended.");
        }
        else if (lines.Count == 0 && report.Open == 0)
        {
            lines.Add(string.Create(culture, $"Every connection completed; peak ports in use on a client: {peakPorts:N0} of {range}."));
        }
        else if (lines.Count == 0)
        {
            lines.Add(string.Create(culture, $"{report.Completed:N0} of {report.Attempted:N0} connections completed, none failed, {report.Open:N0} still open when the run ended; peak ports in use on a client: {peakPorts:N0} of {range}."));
        }

        return lines;
    }

    private static string Explain(string error) => error switch
    {
        nameof(Errno.ECONNREFUSED) => " (a reset answered the SYN: no listener, or a REJECT rule)",
        nameof(Errno.ETIMEDOUT) => " (retransmissions gave up: tcp_syn_retries for connect, tcp_retries2 for data)",
        nameof(Errno.ECONNRESET) => " (the peer reset the connection)",
        "early-eof" => " (the server closed before answering every request)",
        _ => "",
    };
}
