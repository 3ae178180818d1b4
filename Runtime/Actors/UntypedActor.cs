namespace TcpActors.Runtime;

/// <summary>
/// An actor with a single <see cref="OnReceive"/> method, as in Akka.NET; the cheapest kind to dispatch
/// to, used on hot paths (links, TCP connections). Call <see cref="ActorBase.Unhandled"/> for messages
/// it does not understand.
/// </summary>
public abstract class UntypedActor : ActorBase
{
    protected sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }

    protected abstract void OnReceive(object message);
}
