namespace TcpActors.Telemetry;

/// <summary>The <c>netstat -tn</c> variants reproduced (net-tools 2.10): <c>-a</c>, <c>-l</c> and <c>-o</c>.</summary>
public sealed record NetstatOptions
{
    /// <summary><c>netstat -tan</c>, as the seed posts run it.</summary>
    public static readonly NetstatOptions AllSockets = new() { All = true };

    /// <summary><c>-a</c>: listening sockets too.</summary>
    public bool All { get; init; }

    /// <summary><c>-l</c>: only listening sockets.</summary>
    public bool Listening { get; init; }

    /// <summary><c>-o</c>: the Timer column, <c>timewait (59.65/0/0)</c>.</summary>
    public bool ShowTimers { get; init; }
}
