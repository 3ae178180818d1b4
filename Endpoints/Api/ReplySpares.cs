using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// Replies a socket makes for every connection (<see cref="Connected"/>, <see cref="Accepted"/>, <see cref="Received"/>)
/// that their receiver may give back: a receiver that has handled one and keeps no reference to it (the load
/// applications, which copy what they need) gives it here, and the next reply of that kind is the same object with
/// new contents instead of a new one. The rule of ownership: a socket lets go of a reply when it sends it; its
/// receiver owns it from then on and gives it back at most once, only when nothing else holds it (not forwarded, not
/// stored, not kept by a test). A reply that is never given back is collected as before. Kept per thread, as the
/// simulation of a system runs on one; a given-back reply holds no reference to a socket.
/// </summary>
public static class ReplySpares
{
    private const int Capacity = 16;

    [ThreadStatic]
    private static Spares<Connected>? t_connected;

    [ThreadStatic]
    private static Spares<Accepted>? t_accepted;

    [ThreadStatic]
    private static Spares<Received>? t_received;

    /// <summary>Gives back a <see cref="Connected"/> its receiver has handled and no longer holds.</summary>
    public static void GiveBack(Connected reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        (t_connected ??= new(Capacity)).Give(reply.Reuse(null!, default, default));
    }

    /// <summary>Gives back an <see cref="Accepted"/> its receiver has handled and no longer holds.</summary>
    public static void GiveBack(Accepted reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        (t_accepted ??= new(Capacity)).Give(reply.Reuse(null!, default, default));
    }

    /// <summary>Gives back a <see cref="Received"/> its receiver has handled and no longer holds.</summary>
    public static void GiveBack(Received reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        (t_received ??= new(Capacity)).Give(reply.Reuse(default));
    }

    internal static Connected Connected(IActorRef socket, SocketAddress local, SocketAddress remote) =>
        t_connected is { } spares && spares.TryTake(out var reply) ? reply.Reuse(socket, local, remote) : new(socket, local, remote);

    internal static Accepted Accepted(IActorRef socket, SocketAddress local, SocketAddress remote) =>
        t_accepted is { } spares && spares.TryTake(out var reply) ? reply.Reuse(socket, local, remote) : new(socket, local, remote);

    internal static Received Received(ByteChunk data) =>
        t_received is { } spares && spares.TryTake(out var reply) ? reply.Reuse(data) : new(data);
}
