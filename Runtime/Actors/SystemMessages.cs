namespace TcpActors.Runtime;

/// <summary>Sent to every watcher when a watched actor has stopped (Akka's <c>Terminated</c>).</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Stops the receiving actor when it is processed, after the messages queued before it.</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }

    public override string ToString() => "PoisonPill";
}

/// <summary>A message sent to an actor that had already stopped.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>A message the recipient's behaviour did not handle.</summary>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
