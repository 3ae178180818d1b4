namespace TcpActors.Telemetry;

/// <summary>
/// The <c>ss -t -n</c> variants reproduced: <c>-a</c>, <c>-l</c>, <c>-o</c>, <c>-i</c> and a <c>state</c> filter.
/// An explicit <see cref="States"/> wins over -a and -l, as a state filter does in ss.
/// </summary>
public sealed record SsOptions
{
    /// <summary><c>ss -tan</c>.</summary>
    public static readonly SsOptions AllSockets = new() { All = true };

    /// <summary><c>ss -tan -o</c>.</summary>
    public static readonly SsOptions AllSocketsWithTimers = new() { All = true, ShowTimers = true };

    /// <summary><c>-a</c>: every state.</summary>
    public bool All { get; init; }

    /// <summary><c>-l</c>: listening sockets only.</summary>
    public bool Listening { get; init; }

    /// <summary><c>-o</c>: the <c>timer:(…)</c> of each socket.</summary>
    public bool ShowTimers { get; init; }

    /// <summary>
    /// <c>-i</c>: under each socket the tcp_info line, of the fields the simulator keeps (<see cref="SsInfoText"/>).
    /// </summary>
    public bool ShowInfo { get; init; }

    /// <summary><c>-n</c> (always on for addresses): rates as whole bits a second; off, as sprint_bw's 8.4Mbps.</summary>
    public bool NumericRates { get; init; } = true;

    /// <summary><c>state …</c>: the states to show, overriding -a and -l.</summary>
    public SsStates? States { get; init; }

    public SsTimerStyle TimerStyle { get; init; } = SsTimerStyle.Iproute2Classic;

    public SsStates SelectedStates => States ?? (All ? SsStates.All : Listening ? SsStates.Listening : SsStates.DefaultConnections);
}
