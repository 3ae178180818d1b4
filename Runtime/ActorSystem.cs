using System.Globalization;

namespace TcpActors.Runtime;

/// <summary>
/// One simulation run: the actor tree, the virtual clock and the event queue, created with a seed.
/// <para>
/// It is a discrete-event system, as network simulators are: delivering a message is an event, a timer
/// is an event in the future, and events run one at a time in (virtual time, sequence number) order.
/// Nothing here reads the wall clock, uses threads or iterates an unordered collection, so the same
/// program and seed give the same sequence of events on any machine. A system is used from one thread.
/// </para>
/// </summary>
public sealed class ActorSystem
{
    private readonly EventQueue _queue = new();
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly List<ActorCell> _pendingStops = [];
    private readonly ManagedMemoryGuard _memory = new();
    private readonly EventChannel<DeadLetter> _deadLetters;
    private readonly EventChannel<UnhandledMessage> _unhandled;
    /// <summary>How many handlers are on the stack (0 between events): a count rather than the current cell, so that
    /// entering and leaving a handler stores no reference (a reference store into the heap costs a write barrier).</summary>
    private int _handlerDepth;
    private Pacer? _pacer;
    private ActorFailureException? _failure;
    private volatile bool _stopRequested;
    private bool _running;
    private int _cellCount;

    private ActorSystem(string name, ulong seed)
    {
        Name = name;
        Seed = seed;
        EventStream = new EventStream();
        _deadLetters = EventStream.Channel<DeadLetter>();
        _unhandled = EventStream.Channel<UnhandledMessage>();
        _userGuardian = ActorCell.CreateGuardian(this, "user", null);
        _systemGuardian = ActorCell.CreateGuardian(this, "system", null);
    }

    public string Name { get; }

    /// <summary>The run's seed: every random stream of the run is derived from it.</summary>
    public ulong Seed { get; }

    /// <summary>The current virtual time.</summary>
    public SimTime Now { get; private set; }

    public EventStream EventStream { get; }

    /// <summary>Timer arrays of terminated actors, for new ones.</summary>
    internal ActorCell.TimerSlotSpares TimerSpares { get; } = new();

    /// <summary>Bounds on this system's runs; unlimited unless set.</summary>
    public RunLimits Limits { get; set; } = RunLimits.Unlimited;

    /// <summary>Events run since the system was created.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Messages handed over by <see cref="DeliverNow"/> inside another event rather than queued.</summary>
    public long DirectDeliveries { get; private set; }

    /// <summary>Messages sent to actors that had already stopped.</summary>
    public long DeadLetterCount { get; private set; }

    /// <summary>Messages that no behaviour handled.</summary>
    public long UnhandledCount { get; private set; }

    /// <summary>Events waiting to run (cancelled timers excluded).</summary>
    public int PendingEvents => _queue.LiveCount;

    /// <summary>
    /// Called before every event runs, with its time, recipient and message; for determinism tests and
    /// debugging. Null (the default) costs one branch per event.
    /// </summary>
    public Action<SimTime, IActorRef, object>? DispatchTracer { get; set; }

    /// <summary>The speed factor when paced, or null when running as fast as possible.</summary>
    public double? PacingSpeed => _pacer?.Speed;

    internal IActorRef? CurrentSender { get; private set; }

    internal ActorCell SystemGuardian => _systemGuardian;

    public static ActorSystem Create(string name, ulong seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ActorSystem(name, seed);
    }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => ActorCell.Create(this, _userGuardian, props, name);

    /// <summary>Creates an actor under <c>/system</c> (test probes, internal observers).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => ActorCell.Create(this, _systemGuardian, props, name);

    /// <summary>A random stream of this run, derived from the seed and <paramref name="name"/>.</summary>
    public RandomStream CreateRandom(string name) => RandomStream.Derive(Seed, name);

    /// <summary>Stops an actor (see <see cref="IActorContext.Stop"/>). Inside a handler, the stop completes when the handler returns.</summary>
    public void Stop(IActorRef actor)
    {
        var cell = ActorCell.AsCell(actor)!;
        if (!cell.MarkTerminating())
        {
            return;
        }

        _pendingStops.Add(cell);
        if (_handlerDepth == 0)
        {
            CompleteStops();
        }
    }

    /// <summary>Whether the actor behind <paramref name="actor"/> has stopped for good.</summary>
    public static bool IsTerminated(IActorRef actor) => ActorCell.AsCell(actor)!.IsTerminated;

    /// <summary>Delivers <paramref name="message"/> after <paramref name="delay"/> of virtual time (Akka's ScheduleTellOnce).</summary>
    public void ScheduleTellOnce(Duration delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (delay.Nanoseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "cannot deliver in the past");
        }

        var item = new ScheduledEvent
        {
            Time = SimTime.SaturatingAdd(Now.Nanoseconds, delay.Nanoseconds),
            Target = ActorCell.AsCell(receiver)!,
            Message = message,
            Sender = ActorCell.AsCell(sender),
        };
        _queue.Enqueue(ref item, Now.Nanoseconds);
    }

    /// <summary>Paces virtual time against <paramref name="clock"/> at <paramref name="speed"/> × real time.</summary>
    public void EnablePacing(IWallClock clock, double speed) => _pacer = new Pacer(clock, speed, Now.Nanoseconds);

    public void DisablePacing() => _pacer = null;

    /// <summary>Asks a running loop to stop after the current event; safe to call from another thread (Ctrl-C).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Runs until no event is left, or a limit is hit.</summary>
    public RunResult RunUntilIdle() => Run(long.MaxValue, null);

    /// <summary>Runs every event up to and including <c>Now + span</c>, then sets the clock there.</summary>
    public RunResult RunFor(Duration span) => Run(SimTime.SaturatingAdd(Now.Nanoseconds, span.Nanoseconds), null);

    /// <summary>Runs every event up to and including <paramref name="time"/>, then sets the clock there.</summary>
    public RunResult RunUntil(SimTime time) => Run(time.Nanoseconds, null);

    /// <summary>Runs until <paramref name="condition"/> holds (checked before each event), the queue empties, or <paramref name="within"/> has passed.</summary>
    public RunResult RunUntil(Func<bool> condition, Duration within)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Run(SimTime.SaturatingAdd(Now.Nanoseconds, within.Nanoseconds), condition);
    }

    /// <summary>Runs exactly one event, if there is one.</summary>
    public RunResult Step()
    {
        EnsureUsable();
        if (!_queue.TryPeekTime(out _))
        {
            return Result(StopReason.Idle);
        }

        _running = true;
        try
        {
            RunOne();
        }
        finally
        {
            _running = false;
        }

        return Result(StopReason.Stepped);
    }

    /// <summary>
    /// Delivers <paramref name="message"/> to <paramref name="target"/> at once, inside the current event,
    /// as a function call into its behaviour: the way a kernel's receive path runs a socket's input
    /// processing inline rather than through a queue. The target still sees only its own messages, one
    /// at a time: when a handler of the target is already on the stack (or no event is running) the
    /// message is queued like <see cref="IActorRef.Tell"/> instead. Order stays deterministic, as the
    /// call happens at a fixed point of the current event.
    /// </summary>
    public void DeliverNow(IActorRef target, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        DeliverNow(ActorCell.AsCell(target)!, message, ActorCell.AsCell(sender));
    }

    /// <summary><see cref="DeliverNow(IActorRef, object, IActorRef?)"/> for a cell (an actor delivering to itself, as a socket's receive path does).</summary>
    internal void DeliverNow(ActorCell cell, object message, ActorCell? sender)
    {
        if (_handlerDepth == 0 || cell.InHandler)
        {
            Post(cell, message, sender);
            return;
        }

        if (cell.IsTerminating)
        {
            RecordDeadLetter(message, sender, cell);
            return;
        }

        DirectDeliveries++;
        Dispatch(cell, message, sender);
    }

    /// <summary>Runs <paramref name="target"/>'s handler for <paramref name="message"/>, as the current actor with <paramref name="sender"/>, then restores what was current (nothing, for a queued event; the caller, for an inline delivery).</summary>
    private void Dispatch(ActorCell target, object message, ActorCell? sender)
    {
        DispatchTracer?.Invoke(Now, target, message);
        var savedSender = CurrentSender;
        bool senderChanges = !ReferenceEquals(sender, savedSender);
        if (senderChanges)
        {
            CurrentSender = sender;
        }

        _handlerDepth++;
        target.InHandler = true;
        try
        {
            target.Invoke(message);
        }
        catch (Exception exception) when (exception is not ActorFailureException)
        {
            Fail(target, "message " + message.GetType().Name, exception);
        }
        finally
        {
            target.InHandler = false;
            _handlerDepth--;
            if (senderChanges)
            {
                CurrentSender = savedSender;
            }
        }
    }

    internal void Post(ActorCell target, object message, ActorCell? sender)
    {
        var item = new ScheduledEvent { Time = Now.Nanoseconds, Target = target, Message = message, Sender = sender };
        _queue.Enqueue(ref item, Now.Nanoseconds);
    }

    internal void ScheduleTimer(ActorCell owner, byte slot, int generation, long deadline)
    {
        var item = new ScheduledEvent
        {
            Time = deadline,
            Target = owner,
            Message = owner,
            Generation = generation,
            Kind = EventKind.Timer,
            TimerSlot = slot,
        };
        _queue.Enqueue(ref item, Now.Nanoseconds);
    }

    /// <summary>A hash for a new actor cell: a counter mixed so that consecutive cells spread over buckets.</summary>
    internal int NextCellHash() => unchecked((int)(++_cellCount * 0x9E3779B1u));

    internal void TimerWentStale() => _queue.MarkStale();

    internal void RecordUnhandled(object message, IActorRef? sender, ActorCell recipient)
    {
        UnhandledCount++;
        if (_unhandled.HasSubscribers)
        {
            _unhandled.Publish(new UnhandledMessage(message, sender, recipient));
        }
    }

    internal void RunPreStart(ActorCell cell) => RunAs(cell, "PreStart", null, static c => c.Actor.InvokePreStart());

    internal void RunPostStop(ActorCell cell) => RunAs(cell, "PostStop", null, static c => c.Actor.InvokePostStop());

    private RunResult Run(long untilTime, Func<bool>? condition)
    {
        EnsureUsable();
        _running = true;
        try
        {
            while (true)
            {
                if (_stopRequested)
                {
                    _stopRequested = false;
                    return Result(StopReason.Interrupted);
                }

                if (condition is not null && condition())
                {
                    return Result(StopReason.ConditionMet);
                }

                if (!_queue.TryPeekTime(out long next))
                {
                    return untilTime == long.MaxValue ? Result(StopReason.Idle) : ArriveAt(untilTime);
                }

                if (next > untilTime)
                {
                    return ArriveAt(untilTime);
                }

                if (next > Limits.MaxTime.Nanoseconds)
                {
                    return Result(StopReason.TimeLimit);
                }

                if (EventsProcessed >= Limits.MaxEvents)
                {
                    return Result(StopReason.EventLimit);
                }

                if (_memory.Exceeded(Limits.MaxManagedMemoryBytes, EventsProcessed))
                {
                    return Result(StopReason.MemoryLimit);
                }

                if (_pacer is not null && next > Now.Nanoseconds && !_pacer.WaitFor(next, () => _stopRequested))
                {
                    continue;
                }

                RunOne();
            }
        }
        finally
        {
            _running = false;
        }
    }

    private void RunOne()
    {
        _queue.TryDequeue(out var item);
        Now = new SimTime(item.Time);
        EventsProcessed++;
        var target = item.Target;
        if (target.IsTerminating)
        {
            if (item.Kind == EventKind.Message)
            {
                RecordDeadLetter(item.Message, item.Sender, target);
            }

            return;
        }

        var message = item.Kind == EventKind.Timer ? target.TimerFired(item.TimerSlot) : item.Message;
        Dispatch(target, message, item.Sender);

        if (_pendingStops.Count > 0)
        {
            CompleteStops();
        }
    }

    private void CompleteStops()
    {
        // Stops requested while stopping (by PostStop) are appended and handled by the same loop.
        for (int i = 0; i < _pendingStops.Count; i++)
        {
            var stopping = _pendingStops[i];
            if (!stopping.HasChildren)
            {
                // The common case (a connection closing): no subtree to walk.
                stopping.Terminate();
                continue;
            }

            foreach (var cell in stopping.StoppingOrder())
            {
                cell.MarkTerminating();
                cell.Terminate();
            }
        }

        _pendingStops.Clear();
    }

    private void RunAs(ActorCell cell, string activity, IActorRef? sender, Action<ActorCell> action)
    {
        var (savedSender, savedInHandler) = (CurrentSender, cell.InHandler);
        _handlerDepth++;
        CurrentSender = sender;
        cell.InHandler = true;
        try
        {
            action(cell);
        }
        catch (Exception exception) when (exception is not ActorFailureException)
        {
            Fail(cell, activity, exception);
        }
        finally
        {
            (CurrentSender, cell.InHandler) = (savedSender, savedInHandler);
            _handlerDepth--;
        }

        if (_handlerDepth == 0 && _pendingStops.Count > 0)
        {
            CompleteStops();
        }
    }

    private void Fail(ActorCell cell, string activity, Exception exception)
    {
        _failure = new ActorFailureException(cell.Path.ToString(), activity, Now, exception);
        throw _failure;
    }

    private void RecordDeadLetter(object message, ActorCell? sender, ActorCell recipient)
    {
        DeadLetterCount++;
        if (_deadLetters.HasSubscribers)
        {
            _deadLetters.Publish(new DeadLetter(message, sender, recipient));
        }
    }

    private RunResult ArriveAt(long time)
    {
        if (time > Limits.MaxTime.Nanoseconds)
        {
            Now = Limits.MaxTime > Now ? Limits.MaxTime : Now;
            return Result(StopReason.TimeLimit);
        }

        if (time > Now.Nanoseconds)
        {
            Now = new SimTime(time);
        }

        return Result(StopReason.TimeReached);
    }

    private void EnsureUsable()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException("This actor system already failed: " + _failure.Message, _failure);
        }

        if (_running)
        {
            throw new InvalidOperationException("The actor system is already running; run calls cannot be nested (call them from outside actors).");
        }
    }

    private RunResult Result(StopReason reason)
    {
        var culture = CultureInfo.InvariantCulture;
        string message = reason switch
        {
            StopReason.Idle => $"idle at simulated time {Now} s after {EventsProcessed:N0} events",
            StopReason.TimeReached => $"reached simulated time {Now} s",
            StopReason.ConditionMet => $"condition met at simulated time {Now} s",
            StopReason.Stepped => $"ran one event at simulated time {Now} s",
            StopReason.EventLimit => string.Format(culture, "stopped: the limit of {0:N0} events was reached at simulated time {1} s", Limits.MaxEvents, Now),
            StopReason.TimeLimit => $"stopped: the limit of {Limits.MaxTime} s of simulated time was reached",
            StopReason.Interrupted => $"interrupted at simulated time {Now} s",
            StopReason.MemoryLimit => $"stopped: the limit of {MemorySize.Format(Limits.MaxManagedMemoryBytes)} of managed memory was reached at simulated time {Now} s ({MemorySize.Format(_memory.LastMeasuredBytes)} live after a full collection; where a memory limit stops a run is not reproducible)",
            _ => reason.ToString(),
        };
        return new RunResult(reason, Now, EventsProcessed, message);
    }
}
