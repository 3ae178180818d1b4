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
    long EventsProcessed);
