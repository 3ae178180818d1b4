using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// The hosts and counters a load run samples. Every figure is read from counters the TCP stacks keep
/// (sockets by state, timewaits, bind buckets), so a sample costs O(hosts × states), not a walk of the
/// sockets: a run with a million sockets samples as fast as one with ten.
/// </summary>
internal sealed class LoadRun
{
    /// <summary>The connection states a sample counts, in lifecycle order (not LISTEN, not CLOSED).</summary>
    internal static readonly TcpState[] SampledStates =
    [
        TcpState.SynSent, TcpState.SynReceived, TcpState.Established, TcpState.FinWait1, TcpState.FinWait2,
        TcpState.CloseWait, TcpState.LastAck, TcpState.Closing, TcpState.TimeWait,
    ];

    private static readonly CountNames s_stateNames = new(SampledStates.Select(s => s.ToNetstatString()));

    private readonly TcpStack[] _stacks;
    private readonly int _clientCount;
    private readonly int[] _peakTimeWait;
    private readonly int[] _peakPorts;

    public LoadRun(IReadOnlyList<Host> clients, IReadOnlyList<Host> servers, LoadStatistics statistics)
    {
        Clients = [.. clients.OrderBy(h => h.Name, HostNameOrder.Instance)];
        Servers = [.. servers.OrderBy(h => h.Name, HostNameOrder.Instance)];
        Statistics = statistics;
        var hosts = Clients.Concat(Servers).ToList();
        _stacks = [.. hosts.Select(Tcp.StackOf)];
        _clientCount = Clients.Count;
        HostNames = new CountNames(hosts.Select(h => h.Name));
        ClientNames = new CountNames(Clients.Select(h => h.Name));
        _peakTimeWait = new int[hosts.Count];
        _peakPorts = new int[Clients.Count];
    }

    /// <summary>The clients, in natural order.</summary>
    public IReadOnlyList<Host> Clients { get; }

    /// <summary>The servers, in natural order.</summary>
    public IReadOnlyList<Host> Servers { get; }

    public LoadStatistics Statistics { get; }

    public List<LoadSample> Samples { get; } = [];

    public long ChaosVerdicts { get; set; }

    /// <summary>Every host, clients then servers, in natural order.</summary>
    internal CountNames HostNames { get; }

    /// <summary>The clients, in natural order.</summary>
    internal CountNames ClientNames { get; }

    /// <summary>Each host's largest TIME_WAIT count at a sample.</summary>
    public NamedCounts PeakTimeWait => new(HostNames, [.. _peakTimeWait]);

    /// <summary>Each client's largest number of ports in use at a sample.</summary>
    public NamedCounts PeakPorts => new(ClientNames, [.. _peakPorts]);

    public Action<LoadSample>? OnSample { get; set; }

    public LoadSample TakeSample(ActorSystem system)
    {
        var byState = new int[SampledStates.Length];
        var timeWaitByHost = new int[_stacks.Length];
        var portsByHost = new int[_clientCount];
        long timeWaitClients = 0;
        long timeWaitServers = 0;
        long portsMax = 0;
        long retransmissions = 0;
        long resets = 0;
        long overflow = 0;
        for (int i = 0; i < _stacks.Length; i++)
        {
            var stack = _stacks[i];
            for (int s = 0; s < SampledStates.Length; s++)
            {
                byState[s] += stack.CountInState(SampledStates[s]);
            }

            // TIME_WAIT proper: an orphan handed to a timewait in its FIN_WAIT2 substate counts as FIN_WAIT2 (ss shows it so).
            int timeWait = stack.CountInState(TcpState.TimeWait);
            timeWaitByHost[i] = timeWait;
            _peakTimeWait[i] = Math.Max(_peakTimeWait[i], timeWait);
            if (i < _clientCount)
            {
                timeWaitClients += timeWait;
                int ports = stack.PortsInUse;
                portsByHost[i] = ports;
                _peakPorts[i] = Math.Max(_peakPorts[i], ports);
                portsMax = Math.Max(portsMax, ports);
            }
            else
            {
                timeWaitServers += timeWait;
            }

            retransmissions += stack.Counters.RetransmittedSegments;
            resets += stack.Counters.OutResets;
            overflow += stack.Counters.TimeWaitOverflow;
        }

        var sample = new LoadSample(
            system.Now.TotalSeconds, Statistics.Attempted, Statistics.Completed, Statistics.Failed, Statistics.Open,
            byState[Array.IndexOf(SampledStates, TcpState.Established)], timeWaitClients, timeWaitServers, portsMax, retransmissions, resets, overflow, ChaosVerdicts, system.EventsProcessed)
        {
            ConnectionsByState = new NamedCounts(s_stateNames, byState),
            TimeWaitByHost = new NamedCounts(HostNames, timeWaitByHost),
            PortsInUseByHost = new NamedCounts(ClientNames, portsByHost),
        };
        OnSample?.Invoke(sample);
        return sample;
    }
}
