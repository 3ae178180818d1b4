namespace TcpActors.Runtime;

/// <summary>
/// Keyed timers owned by one actor, in the manner of Akka's <c>ITimerScheduler</c>. Starting a timer
/// under a key that is already active replaces it; a replaced or cancelled timer never delivers, even
/// if its event was already queued. Cancellation is O(1). All timers are cancelled when the actor stops.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, Duration timeout);

    void StartPeriodicTimer(object key, object message, Duration interval);

    void StartPeriodicTimer(object key, object message, Duration initialDelay, Duration interval);

    bool IsTimerActive(object key);

    /// <summary>When the timer under <paramref name="key"/> fires next, or null if it is not active (for <c>ss -o</c>).</summary>
    SimTime? Deadline(object key);

    void Cancel(object key);

    void CancelAll();
}

/// <summary>Actors that implement this are given an <see cref="ITimerScheduler"/> of their own.</summary>
/// <remarks>The scheduler is assigned by the <see cref="ActorBase"/> constructor, so (unlike Akka) it can be used from the actor's own constructor.</remarks>
public interface IWithTimers
{
    ITimerScheduler Timers { get; set; }
}
