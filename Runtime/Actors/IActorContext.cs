namespace TcpActors.Runtime;

/// <summary>What an actor sees of the world, as Akka's <c>Context</c>.</summary>
public interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>The sender of the message being handled, or null.</summary>
    IActorRef? Sender { get; }

    /// <summary>The parent, or null for the guardian.</summary>
    IActorRef? Parent { get; }

    /// <summary>Live children in the order they were created.</summary>
    IEnumerable<IActorRef> Children { get; }

    ActorSystem System { get; }

    /// <summary>The current virtual time.</summary>
    SimTime Now { get; }

    /// <summary>This actor's random stream, derived from the run's seed and the actor's path.</summary>
    RandomStream Random { get; }

    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>The live child with this (explicit) name, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>Stops an actor after the current message: children first, then <c>PostStop</c>, then <see cref="Terminated"/> to watchers.</summary>
    void Stop(IActorRef actor);

    /// <summary>Asks for a <see cref="Terminated"/> message when <paramref name="subject"/> stops.</summary>
    IActorRef Watch(IActorRef subject);

    IActorRef Unwatch(IActorRef subject);

    void Become(Receive receive);

    void BecomeStacked(Receive receive);

    void UnbecomeStacked();

    /// <summary>Delivers <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="delay"/> of virtual time.</summary>
    void ScheduleTellOnce(Duration delay, IActorRef receiver, object message, IActorRef? sender);
}
