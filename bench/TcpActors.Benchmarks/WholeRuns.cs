using System.Diagnostics;
using System.Globalization;
using TcpActors.Runtime;
using TcpActors.Simulation;

namespace TcpActors.Benchmarks;

/// <summary>
/// Whole-run measurements, printed as one line each (the figures in docs/PERFORMANCE.md):
/// <list type="bullet">
/// <item><c>lifecycles [N]</c>: N complete connection lifecycles (handshake, request, response, close,
///   TIME_WAIT expiry) by 50 clients to 4 servers behind a switch; lifecycles and events per wall-clock second.</item>
/// <item><c>lifecycles-loopback [N]</c>: the same on one host over lo (to 127.0.0.1..4), the workload of the kernel's
///   own benchmark (bench/kernel/lifecycles.c), where tcp_tw_reuse=2 recycles TIME_WAIT.</item>
/// <item><c>established [N]</c>: N concurrent ESTABLISHED connections held open; managed memory per connection.</item>
/// <item><c>timewait [N]</c>: N TIME_WAIT entries; managed memory per entry.</item>
/// <item><c>library</c>: every built-in scenario once; total wall time.</item>
/// </list>
/// </summary>
internal static class WholeRuns
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    public static bool TryRun(string[] args)
    {
        int count = args.Length > 1 && int.TryParse(args[1], NumberStyles.None, s_culture, out int parsed) ? parsed : 0;
        string? congestion = args.Length > 2 ? args[2] : null; // e.g. "lifecycles 1000000 cubic": another algorithm than the default bbr
        switch (args[0])
        {
            case "lifecycles":
                Lifecycles(count == 0 ? 1_000_000 : count, loopback: false, congestion);
                return true;
            case "lifecycles-loopback":
                Lifecycles(count == 0 ? 1_000_000 : count, loopback: true, congestion);
                return true;
            case "established":
                Established(count == 0 ? 100_000 : count, congestion);
                return true;
            case "timewait":
                TimeWait(count == 0 ? 100_000 : count);
                return true;
            case "library":
                Library();
                return true;
            default:
                return false;
        }
    }

    private static void Lifecycles(int connections, bool loopback, string? congestion)
    {
        double rate = 20_000;
        var settings = new LoadSettings
        {
            Loopback = loopback,
            Clients = loopback ? 1 : 50,
            Servers = 4,
            Rate = rate,
            RequestBytes = Distribution.Fixed(100),
            ResponseBytes = Distribution.Fixed(100),
            Duration = Duration.FromSeconds(connections / rate),
            Drain = Duration.FromSeconds(61),
            Seed = 1,
            Sysctls = congestion is null ? [] : [("net.ipv4.tcp_congestion_control", congestion)],
        };
        long before = GC.GetTotalAllocatedBytes();
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var paused = GC.GetTotalPauseDuration();
        var wall = Stopwatch.StartNew();
        var report = LoadRunner.Run(settings);
        wall.Stop();
        paused = GC.GetTotalPauseDuration() - paused;
        Console.WriteLine(string.Create(s_culture,
            $"lifecycles{(loopback ? " (loopback)" : "")}{(congestion is null ? "" : $" ({congestion})")}: {report.Completed:N0} completed ({report.Failed:N0} failed) in {wall.Elapsed.TotalSeconds:0.00} s wall = {report.Completed / wall.Elapsed.TotalSeconds:N0} lifecycles/s, {report.Run.EventsProcessed / wall.Elapsed.TotalSeconds:N0} events/s, {report.Run.EventsProcessed / (double)Math.Max(1, report.Completed):0.0} events per lifecycle, {(GC.GetTotalAllocatedBytes() - before) / (double)Math.Max(1, report.Completed):N0} bytes allocated per lifecycle, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB; collections gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}, {paused.TotalSeconds:0.00} s paused"));
    }

    private static void Established(int connections, string? congestion)
    {
        long baseline = Heap();
        long measured = 0;
        long established = 0;
        var settings = new LoadSettings
        {
            Clients = Math.Max(1, connections / 20_000),
            Servers = 4,
            Concurrency = connections,
            RequestsPerConnection = 2,
            ThinkTime = Distribution.Fixed(3600e9),
            Duration = Duration.FromSeconds(3),
            Drain = Duration.Zero,
            Seed = 1,
            Sysctls = congestion is null ? [] : [("net.ipv4.tcp_congestion_control", congestion)],
        };
        LoadRunner.Run(settings, sample =>
        {
            if (sample.Time is >= 2 and < 3)
            {
                measured = Heap();
                established = sample.Established;
            }
        });
        Console.WriteLine(string.Create(s_culture,
            $"established{(congestion is null ? "" : $" ({congestion})")}: {established:N0} sockets ESTABLISHED ({connections:N0} connections, both ends simulated); managed heap {(measured - baseline) / 1e6:N0} MB = {(measured - baseline) / (double)Math.Max(1, connections):N0} bytes per connection ({(measured - baseline) / (double)Math.Max(1, established):N0} per socket)"));
    }

    private static void TimeWait(int connections)
    {
        long baseline = 0;
        long withTimeWait = 0;
        long afterExpiry = 0;
        long timeWaits = 0;
        double rate = 50_000;
        var duration = Duration.FromSeconds(connections / rate);
        var settings = new LoadSettings { Clients = 50, Servers = 4, Rate = rate, Duration = duration, Drain = Duration.FromSeconds(64), Seed = 1 };
        LoadRunner.Run(settings, attach: _ => baseline = Heap(), onSample: sample =>
        {
            if (sample.Time >= duration.TotalSeconds + 1 && withTimeWait == 0)
            {
                withTimeWait = Heap();
                timeWaits = sample.TimeWaitClients + sample.TimeWaitServers;
            }
            else if (sample.Time >= duration.TotalSeconds + 63 && afterExpiry == 0)
            {
                afterExpiry = Heap();
            }
        });
        double entries = Math.Max(1, timeWaits);
        Console.WriteLine(string.Create(s_culture,
            $"timewait: {timeWaits:N0} TIME_WAIT entries (no socket open); managed heap minus after they expired = {(withTimeWait - afterExpiry) / entries:N0} bytes per entry (what expiry gives back); minus the heap before the first connection = {(withTimeWait - baseline) / entries:N0} bytes per entry (also the hash table's capacity and every per-connection statistic)"));
    }

    private static void Library()
    {
        var wall = Stopwatch.StartNew();
        int passed = 0;
        double simulated = 0;
        foreach (var name in BuiltInScenarios.Names)
        {
            var report = ScenarioRunner.Run(BuiltInScenarios.Load(name));
            passed += report.Passed ? 1 : 0;
            simulated += report.Run.Time.TotalSeconds;
        }

        wall.Stop();
        Console.WriteLine(string.Create(s_culture,
            $"library: {BuiltInScenarios.Names.Count} scenarios ({passed} passed), {simulated:N0} s simulated in {wall.Elapsed.TotalSeconds:0.000} s wall"));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
