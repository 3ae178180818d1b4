namespace TcpActors.Runtime;

/// <summary>
/// A handle to an actor, as in Akka.NET. Messages sent with <see cref="Tell"/> are delivered at the
/// current virtual time, after every event already queued for that time (FIFO per sender and overall).
/// </summary>
public interface IActorRef
{
    ActorPath Path { get; }

    void Tell(object message, IActorRef? sender);
}

/// <summary>Akka's well-known sender values.</summary>
public static class ActorRefs
{
    /// <summary>The sender of a message sent from outside any actor.</summary>
    public static readonly IActorRef? NoSender;
}

public static class ActorRefExtensions
{
    /// <summary>Sends with no sender, like Akka's <c>Tell(message)</c> outside an actor.</summary>
    public static void Tell(this IActorRef receiver, object message) => receiver.Tell(message, ActorRefs.NoSender);

    /// <summary>Passes a message on, keeping the original sender.</summary>
    public static void Forward(this IActorRef receiver, object message, IActorContext context) =>
        receiver.Tell(message, context.Sender);
}
