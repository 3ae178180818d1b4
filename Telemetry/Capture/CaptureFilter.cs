using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Which captured packets an observer records: like choosing the machine and <c>-i</c> interface for
/// tcpdump, optionally <c>-Q in|out</c>, and a filter expression. Every criterion left null matches all.
/// Without a host and interface, a packet crossing a link is recorded once per interface it crosses
/// (leaving one host, arriving at the next), as captures on every machine would show it.
/// </summary>
public sealed record CaptureFilter
{
    /// <summary>Records everything.</summary>
    public static readonly CaptureFilter All = new();

    public string? HostName { get; init; }

    public string? InterfaceName { get; init; }

    public CaptureDirection? Direction { get; init; }

    public CaptureExpression? Expression { get; init; }

    /// <summary>When the capture starts (tcpdump started then); null: from the beginning.</summary>
    public Runtime.SimTime? From { get; init; }

    /// <summary>When the capture stops (tcpdump stopped then; a packet at that instant is not recorded); null: never.</summary>
    public Runtime.SimTime? Until { get; init; }

    /// <summary>A filter for one host's interface with an optional tcpdump-style expression (<c>tcp port 60000</c>).</summary>
    public static CaptureFilter For(string? hostName, string? interfaceName = null, string? expression = null) => new()
    {
        HostName = hostName,
        InterfaceName = interfaceName,
        Expression = expression is null ? null : CaptureExpression.Parse(expression),
    };

    public bool Matches(PacketCaptured captured)
    {
        ArgumentNullException.ThrowIfNull(captured);
        return (HostName is null || string.Equals(HostName, captured.HostName, StringComparison.Ordinal))
            && (InterfaceName is null || string.Equals(InterfaceName, captured.InterfaceName, StringComparison.Ordinal))
            && (Direction is null || Direction == captured.Direction)
            && (From is not { } from || captured.Time >= from)
            && (Until is not { } until || captured.Time < until)
            && (Expression is null || Expression.Matches(captured.Packet));
    }
}
