using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// The server application of one host in a load run: listens on the port, accepts every connection,
/// reads each request, answers it after the service time, and closes first when the server is the
/// closer (else closes when the client does).
/// </summary>
internal sealed class LoadServer : UntypedActor
{
    private readonly LoadSettings _settings;
    private readonly IActorRef _tcp;
    private readonly LoadStatistics _statistics;
    private readonly LoadExchange _exchange;
    private readonly Dictionary<ActorKey, Connection> _connections = [];
    private readonly LengthOnlySends _sends = new();
    private IActorRef? _listener;

    public LoadServer(LoadSettings settings, IActorRef tcp, LoadStatistics statistics, LoadExchange exchange)
    {
        _settings = settings;
        _tcp = tcp;
        _statistics = statistics;
        _exchange = exchange;
    }

    protected override void PreStart() =>
        Call(_tcp, new OpenSocket(new SocketOptions { ReuseAddress = true }));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case SocketOpened opened when _listener is null:
                _listener = opened.Socket;
                Call(_listener, new Bind(new SocketAddress(IPv4Address.Any, _settings.Port)));
                Call(_listener, new Listen(4096));
                Call(_listener, new Accept(Handler: Self, Continuously: true));
                break;
            case Accepted accepted:
                OnAccepted(accepted);
                ReplySpares.GiveBack(accepted);
                break;
            case Received received:
                OnReceived(Sender!, received.Data.Length);
                ReplySpares.GiveBack(received);
                break;
            case Respond respond:
                Answer(respond.Socket, respond.Bytes);
                break;
            case EndOfStream:
                CloseConnection(Sender!);
                break;
            case ConnectionError error:
                _statistics.RecordServerError(error.Errno.ToString());
                CloseConnection(Sender!);
                break;
            case CommandFailed failed when failed.Command is Bind or Listen:
                throw new InvalidOperationException($"the load server could not {failed.Command.GetType().Name.ToLowerInvariant()} port {_settings.Port}: {failed.Errno}");
            case CommandFailed failed when failed.Command is not (Close or Send):
                _statistics.RecordServerError(failed.Errno.ToString());
                break;
            case Closed:
                _connections.Remove(new ActorKey(Sender!));
                break;
            case Bound or Listening or OptionsSet or CommandFailed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnAccepted(Accepted accepted)
    {
        _connections[new ActorKey(accepted.Socket)] = new Connection { Client = accepted.Remote, RequestsLeft = _settings.RequestsPerConnection };
        if (_settings.Close == Closer.Server && _settings.Linger is { } linger)
        {
            Call(accepted.Socket, new SetOptions(new SocketOptions { Linger = new Linger(true, linger) }));
        }
    }

    private void OnReceived(IActorRef socket, int bytes)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        connection.Received += bytes;
        var client = connection.Client;
        int received = connection.Received;
        while (_exchange.TryPeek(client, out var sizes) && received >= sizes.Request)
        {
            ref var current = ref Find(socket);
            if (Unsafe.IsNullRef(ref current))
            {
                return;
            }

            received -= sizes.Request;
            current.Received = received;
            _exchange.Complete(client);
            var service = Duration.FromNanoseconds((long)_settings.ServiceTime.Draw(Context.Random));
            if (service == Duration.Zero)
            {
                // The answer may close the connection (the server closes first): the record is looked up again.
                Answer(socket, sizes.Response);
            }
            else
            {
                Context.ScheduleTellOnce(service, Self, new Respond(socket, sizes.Response), null);
            }
        }
    }

    private void Answer(IActorRef socket, int bytes)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        Call(socket, _sends.Of(bytes));
        connection.RequestsLeft--;
        if (connection.RequestsLeft <= 0 && _settings.Close == Closer.Server)
        {
            CloseConnection(socket);
        }
    }

    private void CloseConnection(IActorRef socket)
    {
        ref var connection = ref Find(socket);
        if (!Unsafe.IsNullRef(ref connection) && !connection.Closing)
        {
            connection.Closing = true;
            if (_settings.Close == Closer.Server && _settings.Linger > 0)
            {
                Call(socket, Close.Instance);
                return;
            }

            // close() returns 0 at once unless it lingers: the connection is done for this application now.
            Context.System.DeliverNow(socket, Close.Instance, null);
            _connections.Remove(new ActorKey(socket));
        }
    }

    private struct Connection
    {
        public SocketAddress Client;
        public int RequestsLeft;
        public int Received;
        public bool Closing;
    }

    private sealed record Respond(IActorRef Socket, int Bytes);

    /// <summary>
    /// A system call: the socket (or the stack) handles the command at once, inside this handler, as the
    /// kernel runs a call in the caller's context; its answer still comes back as a message.
    /// </summary>
    /// <summary>The connection's record in place (a null reference if unknown); valid until the table next changes.</summary>
    private ref Connection Find(IActorRef socket) => ref CollectionsMarshal.GetValueRefOrNullRef(_connections, new ActorKey(socket));

    private void Call(IActorRef target, object command) => Context.System.DeliverNow(target, command, Self);
}
