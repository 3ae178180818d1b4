using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Samples the run once per simulated second: connection counts, TIME_WAIT per side, ports in use,
/// retransmissions, resets and chaos verdicts, and keeps each host's peaks.
/// </summary>
internal sealed class LoadSampler : UntypedActor, IWithTimers
{
    private readonly LoadRun _run;

    public LoadSampler(LoadRun run) => _run = run;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Sample();
        Timers.StartPeriodicTimer("sample", Tick.Instance, Duration.FromSeconds(1));
    }

    protected override void OnReceive(object message)
    {
        if (message is Tick)
        {
            Sample();
        }
        else
        {
            Unhandled(message);
        }
    }

    private void Sample() => _run.Samples.Add(_run.TakeSample(Context.System));

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>The hosts and counters a load run samples.</summary>
internal sealed class LoadRun(IReadOnlyList<Host> clients, IReadOnlyList<Host> servers, LoadStatistics statistics)
{
    private readonly Dictionary<string, long> _peakTimeWait = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _peakPorts = new(StringComparer.Ordinal);

    public IReadOnlyList<Host> Clients { get; } = clients;

    public IReadOnlyList<Host> Servers { get; } = servers;

    public LoadStatistics Statistics { get; } = statistics;

    public List<LoadSample> Samples { get; } = [];

    public long ChaosVerdicts { get; set; }

    public IReadOnlyDictionary<string, long> PeakTimeWait => _peakTimeWait;

    public IReadOnlyDictionary<string, long> PeakPorts => _peakPorts;

    public Action<LoadSample>? OnSample { get; set; }

    public LoadSample TakeSample(ActorSystem system)
    {
        long established = 0;
        long timeWaitClients = 0;
        long timeWaitServers = 0;
        long portsMax = 0;
        long retransmissions = 0;
        long resets = 0;
        long overflow = 0;
        foreach (var host in Clients.Concat(Servers))
        {
            var stack = Tcp.StackOf(host);
            established += stack.CountByState().GetValueOrDefault(TcpState.Established);
            long timeWait = stack.TimeWaitCount;
            _peakTimeWait[host.Name] = Math.Max(_peakTimeWait.GetValueOrDefault(host.Name), timeWait);
            _peakPorts[host.Name] = Math.Max(_peakPorts.GetValueOrDefault(host.Name), stack.PortsInUse);
            if (Servers.Contains(host))
            {
                timeWaitServers += timeWait;
            }
            else
            {
                timeWaitClients += timeWait;
                portsMax = Math.Max(portsMax, stack.PortsInUse);
            }

            retransmissions += stack.Counters.RetransmittedSegments;
            resets += stack.Counters.OutResets;
            overflow += stack.Counters.TimeWaitOverflow;
        }

        var sample = new LoadSample(
            system.Now.TotalSeconds, Statistics.Attempted, Statistics.Completed, Statistics.Failed, Statistics.Open,
            established, timeWaitClients, timeWaitServers, portsMax, retransmissions, resets, overflow, ChaosVerdicts, system.EventsProcessed);
        OnSample?.Invoke(sample);
        return sample;
    }
}
