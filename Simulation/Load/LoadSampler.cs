using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Samples the run once per simulated second: connections by state, TIME_WAIT and ports in use per host,
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
