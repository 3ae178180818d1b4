namespace TcpActors.Runtime;

/// <summary>
/// The base of every actor. Handlers run to completion, one message at a time, with no threads, locks
/// or async: the simulation is a single sequence of events in virtual time.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.UnderConstruction
            ?? throw new InvalidOperationException(
                $"{GetType().Name} must be created with ActorOf(Props.Create(() => new {GetType().Name}(...))), not with 'new'.");
        ActorCell.UnderConstruction = null;
        if (this is IWithTimers withTimers)
        {
            // Assigned before the derived constructor's body runs, so timers work there already.
            withTimers.Timers = _cell.GetOrCreateTimers();
        }
    }

    /// <summary>The actor's context: self, sender, parent, children, timers and the clock.</summary>
    protected IActorContext Context => _cell;

    protected IActorRef Self => _cell;

    /// <summary>The sender of the message being handled, or null when there is none.</summary>
    protected IActorRef? Sender => _cell.System.CurrentSender;

    internal ActorCell Cell => _cell;

    /// <summary>
    /// <see cref="ActorSystem.DeliverNow"/> to this actor with no sender: handled at once, inside the current event, unless
    /// a handler of this actor is already running or no event is (then queued). For code outside the actor's handlers
    /// that holds the actor itself, such as a protocol's receive path handing a segment to its socket.
    /// </summary>
    protected void DeliverToSelfNow(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _cell.System.DeliverNow(_cell, message, null);
    }

    /// <summary>
    /// The scheduler an <see cref="IWithTimers"/> actor is given (its cell): an actor that keeps millions of instances
    /// can return this from <see cref="IWithTimers.Timers"/> instead of storing the reference.
    /// </summary>
    protected ITimerScheduler CellTimers => _cell;

    /// <summary><see cref="ITimerScheduler.StartSingleTimer"/> on this actor's timers, called directly rather than through the interface (for actors on hot paths: a socket restarts a timer for nearly every segment).</summary>
    protected void StartSingleTimer(object key, object message, Duration timeout) => _cell.StartSingleTimer(key, message, timeout);

    /// <summary><see cref="ITimerScheduler.Cancel"/> on this actor's timers, called directly.</summary>
    protected void CancelTimer(object key) => _cell.CancelTimer(key);

    /// <summary><see cref="ITimerScheduler.IsTimerActive"/> on this actor's timers, called directly.</summary>
    protected bool IsTimerActive(object key) => _cell.IsTimerActive(key);

    /// <summary><see cref="ITimerScheduler.Deadline"/> on this actor's timers, called directly.</summary>
    protected SimTime? TimerDeadline(object key) => _cell.TimerDeadline(key);

    internal bool InvokeReceive(object message) => Receive(message);

    internal void InvokeUnhandled(object message) => Unhandled(message);

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    /// <summary>Handles one message; returns false if it did not (then <see cref="Unhandled"/> runs).</summary>
    protected abstract bool Receive(object message);

    /// <summary>Runs once, before the first message.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Runs once, after the actor and all its children have stopped.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>Called for messages no behaviour handled: counted and published as <see cref="UnhandledMessage"/>.</summary>
    protected virtual void Unhandled(object message) => _cell.System.RecordUnhandled(message, Sender, _cell);
}
