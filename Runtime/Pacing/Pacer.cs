namespace TcpActors.Runtime;

/// <summary>
/// Keeps virtual time from advancing faster than the wall clock times <see cref="Speed"/>: before an
/// event at virtual time t runs, the pacer waits until (t − start) / speed of real time has passed since
/// pacing began. A simulation that falls behind simply runs as fast as it can (no catch-up bursts beyond
/// that). Sleeps are sliced so a stop request is seen within <see cref="SliceMax"/>.
/// </summary>
internal sealed class Pacer(IWallClock clock, double speed, long virtualOrigin)
{
    private static readonly Duration SliceMax = Duration.FromMilliseconds(50);
    private readonly Duration _wallOrigin = clock.Elapsed;

    public double Speed { get; } = speed > 0 && double.IsFinite(speed)
        ? speed
        : throw new ArgumentOutOfRangeException(nameof(speed), speed, "the speed factor must be a positive number");

    public IWallClock Clock { get; } = clock;

    /// <summary>Waits until the event at <paramref name="virtualTime"/> may run; false if a stop was requested meanwhile.</summary>
    public bool WaitFor(long virtualTime, Func<bool> stopRequested)
    {
        double wallDueNanoseconds = (virtualTime - virtualOrigin) / Speed;
        while (!stopRequested())
        {
            long lag = (long)wallDueNanoseconds - (Clock.Elapsed - _wallOrigin).Nanoseconds;
            if (lag <= 0)
            {
                return true;
            }

            Clock.Sleep(new Duration(Math.Min(lag, SliceMax.Nanoseconds)));
        }

        return false;
    }
}
