using TcpActors.Runtime;

namespace TcpActors.Runtime.Tests;

/// <summary>Forwards every message to a target, tagged with its own name and the virtual time.</summary>
internal sealed class Recorder(IActorRef target, string tag) : UntypedActor
{
    protected override void OnReceive(object message) => target.Tell($"{tag}:{message}@{Context.Now}", Self);
}

/// <summary>Replies to "ping" with "pong" (to the sender) a given number of times.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo()
    {
        Receive<string>(text => Sender!.Tell(text == "ping" ? "pong" : "echo:" + text, Self), text => text != "ignore");
        Receive<int>(number => Sender!.Tell(number + 1, Self));
    }
}

/// <summary>Throws on "boom".</summary>
internal sealed class Fragile : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is "boom")
        {
            throw new InvalidOperationException("kaboom");
        }
    }
}

/// <summary>Runs an arbitrary action per message; for tests that need an actor's context.</summary>
internal sealed class Scripted(Action<IActorContext, object> onMessage) : UntypedActor
{
    protected override void OnReceive(object message) => onMessage(Context, message);
}
