namespace TcpActors.Runtime;

/// <summary>
/// A recipe for creating an actor, as in Akka.NET: <c>Props.Create(() => new Echo(target))</c>.
/// Unlike Akka the factory is a plain delegate, not an expression tree.
/// </summary>
public sealed class Props
{
    private Props(Type actorType, Func<ActorBase> factory)
    {
        ActorType = actorType;
        Factory = factory;
    }

    public Type ActorType { get; }

    internal Func<ActorBase> Factory { get; }

    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory);
    }

    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor());

    public override string ToString() => $"Props({ActorType.Name})";
}
