namespace TcpActors.Endpoints;

/// <summary>The congestion control algorithms a socket can have (TCP_CONGESTION, net.ipv4.tcp_congestion_control).</summary>
public static class CongestionControlNames
{
    /// <summary>tcp_available_congestion_control: the names, space separated.</summary>
    public static string Available => CongestionOps.AvailableNames;

    /// <summary>Whether an algorithm has this name (tcp_ca_find).</summary>
    public static bool IsAvailable(string name) => CongestionOps.Find(name) is not null;
}
