using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// What a socket holds only while a system call waits on it or a write owns it: the backlog of a writer
/// (TcpSocket.Backlog), the blocked read() and send() calls and the calls queued behind them (TcpSocket.UserCalls),
/// and a lingering close() (TcpSocket.Close). Each is a property of its own name over one side object, made the
/// first time one of them is set, so a socket that never waits carries one reference for the five.
/// </summary>
internal sealed partial class TcpSocket
{
    private Waits? _waits;

    /// <summary>The side object to store <paramref name="value"/> in: made for a value, not for a null (there is nothing to clear).</summary>
    private Waits? WaitsFor(object? value) => value is null ? _waits : _waits ??= new();

    private sealed class Waits
    {
        public List<Segment>? Backlog;
        public Queue<(IActorRef? Requester, Read Command)>? PendingReads;
        public Queue<(IActorRef? Requester, Send Command)>? PendingSends;
        public Queue<(IActorRef? Requester, SocketCommand Command)>? CallsAfterSends;
        public IActorRef? CloseRequester;
    }
}
