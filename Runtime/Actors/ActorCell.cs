using System.Globalization;

namespace TcpActors.Runtime;

/// <summary>
/// The runtime side of one actor: it is the actor's <see cref="IActorRef"/> and its <see cref="IActorContext"/>.
/// An actor carries no mailbox of its own: its messages wait in the system's single event queue, which is
/// what makes the whole run one deterministic sequence. Fields are kept few because a load run holds a
/// million of these; the path string, the random stream and the timers are built only when asked for.
/// </summary>
internal sealed partial class ActorCell : IActorRef, IActorContext
{
    [ThreadStatic]
    internal static ActorCell? UnderConstruction;

    private readonly string? _name;
    private readonly long _autoId;
    private ActorBase _actor = null!;
    private Receive? _behavior;
    private ActorCell? _previousSibling;
    private ActorCell? _nextSibling;
    private Extras? _extras;
    private CellState _state;
    private readonly int _hash;

    /// <summary>Whether a handler of this actor is on the stack (so a direct delivery to it must be queued instead).</summary>
    internal bool InHandler;

    private ActorCell(ActorSystem system, ActorCell? parent, string? name, long autoId)
    {
        System = system;
        ParentCell = parent;
        _name = name;
        _autoId = autoId;
        _hash = system.NextCellHash();
    }

    private enum CellState : byte
    {
        Live,
        Terminating,
        Terminated,
    }

    public ActorSystem System { get; }

    public ActorCell? ParentCell { get; }

    public string Name => _name ?? "$" + _autoId.ToString(CultureInfo.InvariantCulture);

    public ActorPath Path => ParentCell is null ? ActorPath.Root.Child(Name) : ParentCell.Path.Child(Name);

    public IActorRef Self => this;

    public IActorRef? Sender => System.CurrentSender;

    public IActorRef? Parent => ParentCell;

    public SimTime Now => System.Now;

    public bool IsTerminated => _state == CellState.Terminated;

    public bool HasChildren => _extras?.FirstChild is not null;

    public bool IsTerminating => _state != CellState.Live;

    public ActorBase Actor => _actor;

    public IEnumerable<IActorRef> Children
    {
        get
        {
            for (var child = _extras?.FirstChild; child is not null; child = child._nextSibling)
            {
                yield return child;
            }
        }
    }

    public RandomStream Random => (_extras ??= new()).Random ??= RandomStream.Derive(System.Seed, Path.ToString());

    /// <summary>Creates the guardian of a system (no parent, no PreStart of interest).</summary>
    internal static ActorCell CreateGuardian(ActorSystem system, string name, ActorCell? parent)
    {
        var cell = new ActorCell(system, parent, name, 0);
        parent?.AddChild(cell);
        cell._actor = Construct(cell, Props.Create(static () => new GuardianActor()));
        return cell;
    }

    internal static ActorCell Create(ActorSystem system, ActorCell parent, Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (parent.IsTerminating)
        {
            throw new InvalidOperationException($"{parent.Path} is stopping and cannot create children.");
        }

        ValidateName(parent, name);
        var cell = new ActorCell(system, parent, name, name is null ? ++(parent._extras ??= new()).ChildCounter : 0);
        parent.AddChild(cell);
        try
        {
            cell._actor = Construct(cell, props);
        }
        catch (Exception exception) when (exception is not ActorFailureException)
        {
            parent.RemoveChild(cell);
            cell._state = CellState.Terminated;
            throw new ActorFailureException(cell.Path.ToString(), "construction", system.Now, exception);
        }

        system.RunPreStart(cell);
        return cell;
    }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.Post(this, message, AsCell(sender));
    }

    public IActorRef ActorOf(Props props, string? name = null) => Create(System, this, props, name);

    public IActorRef? Child(string name) =>
        _extras?.NamedChildren is { } named && named.TryGetValue(name, out var child) ? child : null;

    public void Stop(IActorRef actor) => System.Stop(actor);

    public IActorRef Watch(IActorRef subject)
    {
        var target = AsCell(subject)!;
        if (ReferenceEquals(target, this) || (_extras?.Watching?.Contains(target) ?? false))
        {
            return subject;
        }

        if (target.IsTerminated)
        {
            System.Post(this, new Terminated(target), target);
            return subject;
        }

        ((_extras ??= new()).Watching ??= []).Add(target);
        ((target._extras ??= new()).Watchers ??= []).Add(this);
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        var target = AsCell(subject)!;
        if (_extras?.Watching?.Remove(target) ?? false)
        {
            target._extras?.Watchers?.Remove(this);
        }

        return subject;
    }

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        if (_extras?.BehaviorStack is { Count: > 0 } stack)
        {
            stack[^1] = receive;
        }

        _behavior = receive;
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        var behaviorStack = (_extras ??= new()).BehaviorStack ??= [];
        if (behaviorStack.Count == 0)
        {
            // The bottom of the stack is the behaviour in force now (null = the actor's Receive).
            behaviorStack.Add(_behavior ?? _actor.InvokeReceive);
        }

        behaviorStack.Add(receive);
        _behavior = receive;
    }

    public void UnbecomeStacked()
    {
        if (_extras?.BehaviorStack is { Count: > 1 } stack)
        {
            stack.RemoveAt(stack.Count - 1);
            _behavior = stack[^1];
        }
    }

    public void ScheduleTellOnce(Duration delay, IActorRef receiver, object message, IActorRef? sender) =>
        System.ScheduleTellOnce(delay, receiver, message, sender);

    /// <summary>
    /// A cheap, stable hash (actors are dictionary keys in applications with a million sockets; the
    /// identity hash costs a header write per object the first time). Equality stays reference equality.
    /// </summary>
    public override int GetHashCode() => _hash;

    public override string ToString() => $"Actor[{Path}]";

    internal ITimerScheduler GetOrCreateTimers() => this;

    /// <summary>Runs the behaviour on one message. The caller has set the current sender and cell.</summary>
    internal void Invoke(object message)
    {
        if (ReferenceEquals(message, PoisonPill.Instance))
        {
            System.Stop(this);
            return;
        }

        bool handled = _behavior is null ? _actor.InvokeReceive(message) : _behavior(message);
        if (!handled)
        {
            _actor.InvokeUnhandled(message);
        }
    }

    internal bool MarkTerminating()
    {
        if (_state != CellState.Live)
        {
            return false;
        }

        _state = CellState.Terminating;
        return true;
    }

    /// <summary>
    /// This cell and its descendants in stopping order: every actor after all of its children, and
    /// siblings in creation order (a post-order walk, done without recursion).
    /// </summary>
    internal List<ActorCell> StoppingOrder()
    {
        // A pre-order walk that visits children last-created first, reversed, is a post-order walk
        // that visits children first-created first.
        var result = new List<ActorCell>();
        var pending = new Stack<ActorCell>();
        pending.Push(this);
        while (pending.Count > 0)
        {
            var cell = pending.Pop();
            result.Add(cell);
            for (var child = cell._extras?.FirstChild; child is not null; child = child._nextSibling)
            {
                pending.Push(child);
            }
        }

        result.Reverse();
        return result;
    }

    /// <summary>The last step of stopping: timers off, PostStop, unlink, tell the watchers.</summary>
    internal void Terminate()
    {
        if (_state == CellState.Terminated)
        {
            return;
        }

        _state = CellState.Terminated;
        CancelAllTimers();
        System.RunPostStop(this);
        ParentCell?.RemoveChild(this);
        if (_extras?.Watching is { } watching)
        {
            foreach (var target in watching)
            {
                target._extras?.Watchers?.Remove(this);
            }

            _extras.Watching = null;
        }

        if (_extras?.Watchers is { } watchers)
        {
            foreach (var watcher in watchers)
            {
                if (!watcher.IsTerminating && (watcher._extras?.Watching?.Remove(this) ?? false))
                {
                    System.Post(watcher, new Terminated(this), this);
                }
            }

            _extras.Watchers = null;
        }

        ReleaseTimerSlots();
    }

    internal static ActorCell? AsCell(IActorRef? reference) => reference switch
    {
        null => null,
        ActorCell cell => cell,
        IActorRefWrapper wrapper => wrapper.Cell,
        _ => throw new ArgumentException($"{reference.GetType().Name} is not an actor of this runtime.", nameof(reference)),
    };

    private static ActorBase Construct(ActorCell cell, Props props)
    {
        UnderConstruction = cell;
        try
        {
            var actor = props.Factory();
            if (!ReferenceEquals(actor.Cell, cell))
            {
                throw new InvalidOperationException($"The factory of {props} must create a new actor each time it is called.");
            }

            if (actor is ReceiveActor receiveActor)
            {
                receiveActor.SealInitialHandlers();
            }

            return actor;
        }
        finally
        {
            UnderConstruction = null;
        }
    }

    private static void ValidateName(ActorCell parent, string? name)
    {
        if (name is null)
        {
            return;
        }

        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('$'))
        {
            throw new ArgumentException($"Invalid actor name '{name}': it must be non-empty, without '/', and not start with '$'.", nameof(name));
        }

        if (parent._extras?.NamedChildren is { } named && named.ContainsKey(name))
        {
            throw new InvalidOperationException($"Actor name '{name}' is not unique under {parent.Path}.");
        }
    }

    private void AddChild(ActorCell child)
    {
        var extras = _extras ??= new();
        if (child._name is not null)
        {
            (extras.NamedChildren ??= new Dictionary<string, ActorCell>(StringComparer.Ordinal)).Add(child._name, child);
        }

        child._previousSibling = extras.LastChild;
        if (extras.LastChild is null)
        {
            extras.FirstChild = child;
        }
        else
        {
            extras.LastChild._nextSibling = child;
        }

        extras.LastChild = child;
    }

    private void RemoveChild(ActorCell child)
    {
        var extras = _extras!;
        if (child._name is not null)
        {
            extras.NamedChildren?.Remove(child._name);
        }

        if (child._previousSibling is null)
        {
            extras.FirstChild = child._nextSibling;
        }
        else
        {
            child._previousSibling._nextSibling = child._nextSibling;
        }

        if (child._nextSibling is null)
        {
            extras.LastChild = child._previousSibling;
        }
        else
        {
            child._nextSibling._previousSibling = child._previousSibling;
        }

        child._previousSibling = null;
        child._nextSibling = null;
    }

    private sealed class GuardianActor : ActorBase
    {
        protected override bool Receive(object message) => false;
    }

    /// <summary>What few actors use (children, watches, stacked behaviours, a random stream), kept out of the cell so a million sockets do not pay for it.</summary>
    private sealed class Extras
    {
        public ActorCell? FirstChild;
        public ActorCell? LastChild;
        public List<Receive>? BehaviorStack;
        public Dictionary<string, ActorCell>? NamedChildren;
        public long ChildCounter;
        public List<ActorCell>? Watchers;
        public List<ActorCell>? Watching;
        public RandomStream? Random;

        /// <summary>The periodic timers' intervals by slot (see ActorCell.Timers); null while the cell has none.</summary>
        public long[]? TimerIntervals;
    }
}

/// <summary>Implemented by objects that stand for an actor (such as a test probe) and can be used as a reference.</summary>
internal interface IActorRefWrapper
{
    ActorCell Cell { get; }
}
