using System.Diagnostics;
using TcpActors.Runtime;

namespace TcpActors.Cli;

/// <summary>The real clock, for pacing only (--speed); the simulation itself never reads it.</summary>
internal sealed class SystemWallClock : IWallClock
{
    private readonly Stopwatch _stopwatch = Stopwatch.StartNew();

    public Duration Elapsed => Duration.FromTimeSpan(_stopwatch.Elapsed);

    public void Sleep(Duration span) => Thread.Sleep(span.ToTimeSpan());
}
