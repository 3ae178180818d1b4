namespace TcpActors.Runtime;

/// <summary>
/// An actor reference as a dictionary key, compared by reference as <see cref="IActorRef"/> itself is. A struct key
/// makes <c>Dictionary&lt;ActorKey, TValue&gt;</c> an instantiation of its own for a struct <c>TValue</c>, so its
/// lookups compare and hash inline instead of through the shared generic code and an equality comparer: the load
/// applications find a connection's record on every reply of a socket.
/// </summary>
public readonly struct ActorKey(IActorRef actor) : IEquatable<ActorKey>
{
    public IActorRef Actor { get; } = actor;

    public static bool operator ==(ActorKey left, ActorKey right) => left.Equals(right);

    public static bool operator !=(ActorKey left, ActorKey right) => !left.Equals(right);

    public bool Equals(ActorKey other) => ReferenceEquals(Actor, other.Actor);

    public override bool Equals(object? obj) => obj is ActorKey other && Equals(other);

    public override int GetHashCode() => Actor.GetHashCode();

    public override string ToString() => Actor.ToString() ?? string.Empty;
}
