using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests.EndToEnd;

/// <summary>Starts an application (sent by the harness at the planned time).</summary>
internal sealed record StartApplication
{
    public static readonly StartApplication Instance = new();
}

/// <summary>
/// The sending application: connect(), then send() the payload in writes of <paramref name="writeSize"/>
/// bytes (each once the previous one returned), starting at <paramref name="writeAt"/> (or once connected,
/// if later), then close().
/// </summary>
internal sealed class WritingApplication : ReceiveActor
{
    private readonly IActorRef _tcp;
    private readonly SocketAddress _server;
    private readonly byte[] _payload;
    private readonly int _writeSize;
    private readonly SimTime _writeAt;
    private readonly List<string> _errors;
    private IActorRef? _socket;
    private int _written;

    public WritingApplication(IActorRef tcp, SocketAddress server, byte[] payload, int writeSize, SimTime writeAt, List<string> errors)
    {
        _tcp = tcp;
        _server = server;
        _payload = payload;
        _writeSize = writeSize;
        _writeAt = writeAt;
        _errors = errors;
        Receive<StartApplication>(_ => _tcp.Tell(new Connect(_server), Self));
        Receive<Connected>(connected =>
        {
            _socket = connected.Socket;
            Context.ScheduleTellOnce(_writeAt > Context.Now ? _writeAt - Context.Now : Duration.Zero, Self, WriteNow.Instance, null);
        });
        Receive<WriteNow>(_ => WriteNext());
        Receive<Sent>(sent =>
        {
            _written += sent.Bytes;
            WriteNext();
        });
        Receive<Closed>(_ => { });
        Receive<CommandFailed>(failed => _errors.Add($"{Context.Now} s client: {failed}"));
        ReceiveAny(message => _errors.Add($"{Context.Now} s client: unexpected {message}"));
    }

    private void WriteNext()
    {
        if (_written == _payload.Length)
        {
            _socket!.Tell(Endpoints.Close.Instance, Self);
            return;
        }

        int length = Math.Min(_writeSize, _payload.Length - _written);
        _socket!.Tell(new Send(ByteChunk.Of(_payload.AsMemory(_written, length))), Self);
    }

    private sealed record WriteNow
    {
        public static readonly WriteNow Instance = new();
    }
}

/// <summary>
/// The receiving application: listen, accept one connection with its data pushed as it arrives (auto-read),
/// keep every byte it reads in order, and close() at end of stream.
/// </summary>
internal sealed class ReadingApplication : ReceiveActor
{
    private readonly IActorRef _tcp;
    private readonly SocketAddress _local;
    private readonly List<byte> _read;
    private readonly List<string> _errors;
    private readonly Action _onEndOfStream;
    private IActorRef? _listener;
    private IActorRef? _connection;

    public ReadingApplication(IActorRef tcp, SocketAddress local, List<byte> read, List<string> errors, Action onEndOfStream)
    {
        _tcp = tcp;
        _local = local;
        _read = read;
        _errors = errors;
        _onEndOfStream = onEndOfStream;
        Receive<StartApplication>(_ => _tcp.Tell(new OpenSocket(), Self));
        Receive<SocketOpened>(opened =>
        {
            _listener = opened.Socket;
            _listener.Tell(new Bind(_local), Self);
        });
        Receive<Bound>(_ => _listener!.Tell(new Listen(8), Self));
        Receive<Listening>(_ => _listener!.Tell(new Accept(Handler: Self), Self));
        Receive<Accepted>(accepted => _connection = accepted.Socket);
        Receive<Received>(received =>
        {
            if (!received.Data.HasBytes)
            {
                _errors.Add($"{Context.Now} s server: read {received.Data.Length} bytes without their contents");
            }

            _read.AddRange(received.Data.Bytes.ToArray());
        });
        Receive<EndOfStream>(_ =>
        {
            _onEndOfStream();
            (_connection ?? Sender)!.Tell(Endpoints.Close.Instance, Self);
        });
        Receive<Closed>(_ => { });
        Receive<ConnectionError>(error => _errors.Add($"{Context.Now} s server: connection error {error.Errno}"));
        Receive<CommandFailed>(failed => _errors.Add($"{Context.Now} s server: {failed}"));
        ReceiveAny(message => _errors.Add($"{Context.Now} s server: unexpected {message}"));
    }
}
