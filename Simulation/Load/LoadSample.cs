namespace TcpActors.Simulation;

/// <summary>One row of a load run's time series (one per simulated second).</summary>
public sealed record LoadSample(
    double Time,
    long Attempted,
    long Completed,
    long Failed,
    long Open,
    long Established,
    long TimeWaitClients,
    long TimeWaitServers,
    long PortsInUseMax,
    long Retransmissions,
    long ResetsSent,
    long TimeWaitOverflow,
    long ChaosVerdicts,
    long EventsProcessed)
{
    /// <summary>
    /// Sockets in each TCP state summed over every host, by netstat's names in lifecycle order: SYN_SENT,
    /// SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT (every one,
    /// zeros included; listeners are left out). FIN_WAIT2 includes orphans handed to a timewait.
    /// </summary>
    public required NamedCounts ConnectionsByState { get; init; }

    /// <summary>TIME_WAIT sockets on each host, clients then servers, in natural order (client-2 before client-10).</summary>
    public required NamedCounts TimeWaitByHost { get; init; }

    /// <summary>Local ports held on each client (servers use only their listening port), in natural order.</summary>
    public required NamedCounts PortsInUseByHost { get; init; }
}
