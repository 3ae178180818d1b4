using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>How a <see cref="ConnectionTable{T, TTupleOf}"/> reads the key of what it holds: the item's own 4-tuple.</summary>
internal interface ITupleOf<in T>
{
    static abstract FourTuple Of(T item);
}
