namespace TcpActors.Runtime.TestKit;

/// <summary>
/// An actor that records what it receives, with Akka.TestKit's assertions. An expectation runs the
/// simulation until it is met or its virtual-time limit passes: tests never wait on the wall clock.
/// A probe can be passed wherever an <see cref="IActorRef"/> is wanted (as a sender, for instance).
/// </summary>
public sealed class TestProbe : IActorRef, IActorRefWrapper
{
    /// <summary>How long an expectation waits when no limit is given (Akka's default is also 3 s).</summary>
    public static readonly Duration DefaultWithin = Duration.FromSeconds(3);

    private readonly ProbeActor _actor;

    public TestProbe(ActorSystem system, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        var reference = system.SystemActorOf(Props.Create(static () => new ProbeActor()), name);
        Cell = ActorCell.AsCell(reference)!;
        _actor = (ProbeActor)Cell.Actor;
    }

    public ActorSystem System { get; }

    public ActorPath Path => Cell.Path;

    /// <summary>The probe as a plain reference.</summary>
    public IActorRef Ref => Cell;

    /// <summary>The sender of the last message taken by an expectation.</summary>
    public IActorRef? LastSender { get; private set; }

    /// <summary>When the last message taken by an expectation arrived.</summary>
    public SimTime LastArrival { get; private set; }

    /// <summary>Messages received and not yet taken by an expectation.</summary>
    public int QueuedCount => _actor.Received.Count;

    ActorCell IActorRefWrapper.Cell => Cell;

    private ActorCell Cell { get; }

    public void Tell(object message, IActorRef? sender) => Cell.Tell(message, sender);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this probe as the sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Cell);

    /// <summary>Watches <paramref name="subject"/> so that <see cref="ExpectTerminated"/> can see it stop.</summary>
    public IActorRef Watch(IActorRef subject) => Cell.Watch(subject);

    /// <summary>The next message, which must be a <typeparamref name="T"/>, within <paramref name="within"/> of virtual time.</summary>
    public T ExpectMsg<T>(Duration? within = null) => ExpectMsg<T>(static _ => true, within, "");

    /// <summary>The next message, which must be a <typeparamref name="T"/> matching <paramref name="predicate"/>.</summary>
    public T ExpectMsg<T>(Func<T, bool> predicate, Duration? within = null, string hint = "")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var (message, at) = Next(within ?? DefaultWithin, $"a message of type {typeof(T).Name}{Hint(hint)}");
        if (message is not T typed)
        {
            throw new TestKitAssertionException($"Expected a message of type {typeof(T).Name}{Hint(hint)} but got {Describe(message)} at {at} s.");
        }

        if (!predicate(typed))
        {
            throw new TestKitAssertionException($"The message {Describe(message)} received at {at} s does not match the expectation{Hint(hint)}.");
        }

        return typed;
    }

    /// <summary>The next message, which must equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, Duration? within = null)
        where T : notnull
    {
        var (message, at) = Next(within ?? DefaultWithin, $"the message {expected}");
        if (!Equals(message, expected))
        {
            throw new TestKitAssertionException($"Expected {Describe(expected)} but got {Describe(message)} at {at} s.");
        }

        return (T)message;
    }

    /// <summary>Asserts that nothing arrives during <paramref name="duration"/> of virtual time (which is run).</summary>
    public void ExpectNoMsg(Duration duration)
    {
        var deadline = System.Now + duration;
        if (QueuedCount == 0)
        {
            System.RunUntil(() => QueuedCount > 0, duration);
        }

        if (QueuedCount > 0)
        {
            var (message, at, _) = _actor.Received.Peek();
            throw new TestKitAssertionException($"Expected no message before {deadline} s but got {Describe(message)} at {at} s.");
        }
    }

    /// <summary>Skips messages until one is a <typeparamref name="T"/> matching <paramref name="predicate"/>.</summary>
    public T FishForMessage<T>(Func<T, bool> predicate, Duration? within = null, string hint = "")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = System.Now + (within ?? DefaultWithin);
        while (true)
        {
            var remaining = deadline - System.Now;
            var (message, _) = Next(remaining < Duration.Zero ? Duration.Zero : remaining, $"a message of type {typeof(T).Name}{Hint(hint)}");
            if (message is T typed && predicate(typed))
            {
                return typed;
            }
        }
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="subject"/> (watch it first).</summary>
    public Terminated ExpectTerminated(IActorRef subject, Duration? within = null) =>
        ExpectMsg<Terminated>(t => ReferenceEquals(ActorCell.AsCell(t.ActorRef), ActorCell.AsCell(subject)), within, $" for {subject.Path}");

    /// <summary>Takes every message received so far, without running the simulation.</summary>
    public IReadOnlyList<object> ReceivedSoFar()
    {
        var all = new List<object>();
        while (_actor.Received.Count > 0)
        {
            all.Add(_actor.Received.Dequeue().Message);
        }

        return all;
    }

    public override string ToString() => $"TestProbe[{Path}]";

    private (object Message, SimTime At) Next(Duration within, string what)
    {
        if (QueuedCount == 0)
        {
            var result = System.RunUntil(() => QueuedCount > 0, within);
            if (QueuedCount == 0)
            {
                string why = result.HitLimit ? $" ({result.Message})" : "";
                throw new TestKitAssertionException($"Timeout ({within}) at {System.Now} s while waiting for {what}{why}.");
            }
        }

        var (message, at, sender) = _actor.Received.Dequeue();
        LastSender = sender;
        LastArrival = at;
        return (message, at);
    }

    private static string Hint(string hint) => string.IsNullOrEmpty(hint) ? "" : " " + hint.TrimStart();

    private static string Describe(object message) => $"{message} ({message.GetType().Name})";

    private sealed class ProbeActor : ActorBase
    {
        public Queue<(object Message, SimTime At, IActorRef? Sender)> Received { get; } = new();

        protected override bool Receive(object message)
        {
            Received.Enqueue((message, Context.Now, Sender));
            return true;
        }
    }
}

/// <summary>An expectation of a <see cref="TestProbe"/> failed.</summary>
public sealed class TestKitAssertionException : Exception
{
    public TestKitAssertionException()
    {
    }

    public TestKitAssertionException(string message)
        : base(message)
    {
    }

    public TestKitAssertionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
