using TcpActors.Runtime;

namespace TcpActors.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM: the first asks the running simulation to stop after its current event,
/// so the run returns normally — the summary is printed, --json/--pcap/--trace are written, telemetry is
/// flushed — and the process exits 130; a second one ends the process at once.
/// </summary>
internal static class Interruption
{
    public const int ExitCode = 130;

    private static ActorSystem? s_current;
    private static int s_signals;

    /// <summary>Installs the handlers (once, by the real process; in-process tests don't).</summary>
    public static void Install() => Console.CancelKeyPress += (_, arguments) =>
    {
        if (Interlocked.Increment(ref s_signals) == 1 && Volatile.Read(ref s_current) is { } system)
        {
            arguments.Cancel = true;
            system.RequestStop();
        }
    };

    /// <summary>An attach hook that remembers the run's system, chained with <paramref name="next"/>.</summary>
    public static Action<ActorSystem> Track(Action<ActorSystem>? next = null) => system =>
    {
        Volatile.Write(ref s_current, system);
        next?.Invoke(system);
    };
}
