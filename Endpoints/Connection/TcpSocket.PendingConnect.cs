using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// connect()'s caller and command while the handshake runs: a record in the socket's role field (a connecting socket
/// is neither a listener nor a listener's child), taken from the host's spares when connect() starts and given back
/// when it returns, so an established socket holds neither (16 bytes a socket).
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>Who called connect() (null once it has returned, or if nobody waits for the answer).</summary>
    private IActorRef? _connectRequester => (_role as PendingConnect)?.Requester;

    /// <summary>The connect() command being served (null once it has returned).</summary>
    private Connect? _connectCommand => (_role as PendingConnect)?.Command;

    /// <summary>connect() starts: its caller and command are kept until it returns (<see cref="EndConnect"/>).</summary>
    private void BeginConnect(IActorRef? requester, Connect command)
    {
        // A connect() that failed with nobody waiting for its answer left its record; the next one reuses it.
        var pending = _role switch
        {
            PendingConnect earlier => earlier,
            null => _stack.SparePendingConnects.TryTake(out var spare) ? spare : new PendingConnect(),
            _ => throw new InvalidOperationException("a listener or a listener's child does not connect"),
        };
        pending.Requester = requester;
        pending.Command = command;
        _role = pending;
    }

    /// <summary>connect() has returned (or the socket is destroyed): the record goes back to the host's spares.</summary>
    private void EndConnect()
    {
        if (_role is PendingConnect pending)
        {
            _role = null;
            pending.Requester = null;
            pending.Command = null;
            _stack.SparePendingConnects.Give(pending);
        }
    }

    /// <summary>A connect() in progress: who called it and with what.</summary>
    internal sealed class PendingConnect
    {
        public IActorRef? Requester { get; set; }

        public Connect? Command { get; set; }
    }
}
