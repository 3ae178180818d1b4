using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reliability.Tests;

/// <summary>What one application saw of its connection: every byte it wrote and read, and every error.</summary>
public sealed class EndpointRecord(string name)
{
    public string Name { get; } = name;

    /// <summary>The bytes of every send() that returned, in order.</summary>
    public List<byte> Written { get; } = [];

    /// <summary>The bytes every recv() (or pushed read) returned, in order, while the application held the socket.</summary>
    public List<byte> Received { get; } = [];

    /// <summary>Every failed call or pushed error: the call and its errno.</summary>
    public List<(string Call, Errno Errno)> Errors { get; } = [];

    public bool Connected { get; set; }

    public bool EndOfStream { get; set; }

    /// <summary>The application stopped reading by closing early (close() with reading not finished).</summary>
    public bool ReadingAbandoned { get; set; }

    public bool WritesFinished { get; set; }

    /// <summary>close() returned, or connect() failed: the application is done.</summary>
    public bool Finished { get; set; }

    /// <summary>What the application is waiting for, for failure messages.</summary>
    public string Waiting { get; set; } = "not started";

    /// <summary>What the application was still waiting for when the settle phase ended, or null if it had finished.</summary>
    public string? HungAtSettle { get; set; }

    public SocketAddress? Local { get; set; }

    public SocketAddress? Remote { get; set; }

    /// <summary>A message the application did not expect (a harness or TCP API bug).</summary>
    public List<string> Surprises { get; } = [];
}

/// <summary>Ends an application: close whatever it still holds (the harness's cleanup after the settle phase).</summary>
public sealed record GiveUp
{
    public static readonly GiveUp Instance = new();
}

/// <summary>
/// A scripted application on one side of a connection, driven by an <see cref="EndpointPlan"/>: the
/// client connects, the server listens on its own port and accepts once (then closes its listener);
/// both then write their chunks with their delays, read (pushed or polled, slowly if asked), and end
/// as the plan says. Calls are made one at a time, as a single-threaded program makes them.
/// </summary>
public sealed class EndpointApp : ReceiveActor
{
    private readonly EndpointPlan _plan;
    private readonly EndpointRecord _record;
    private readonly IActorRef _tcp;
    private readonly SocketAddress _serverAddress;
    private readonly bool _isServer;
    private readonly IReadOnlyList<byte[]> _payloads;
    private IActorRef? _listener;
    private IActorRef? _socket;
    private int _nextWrite;
    private bool _readingFinished;
    private bool _closing;
    private bool _readPending;

    public EndpointApp(EndpointPlan plan, EndpointRecord record, IActorRef tcp, SocketAddress serverAddress, bool isServer, IReadOnlyList<byte[]> payloads)
    {
        _plan = plan;
        _record = record;
        _tcp = tcp;
        _serverAddress = serverAddress;
        _isServer = isServer;
        _payloads = payloads;
        Receive<Start>(_ => OnStart());
        Receive<SocketOpened>(opened => OnListenerOpened(opened.Socket));
        Receive<Bound>(_ => Sender!.Tell(new Listen(16), Self));
        Receive<Listening>(_ => WaitForAccept());
        Receive<Accepted>(accepted => OnAccepted(accepted));
        Receive<Connected>(connected => Begin(connected.Socket, connected.Local, connected.Remote));
        Receive<WriteTick>(_ => WriteNext());
        Receive<ReadTick>(_ => ReadNext());
        Receive<Sent>(_ => OnSent());
        Receive<Received>(received => OnReceived(received.Data));
        Receive<EndOfStream>(_ => OnReadEnded(null, "Read"));
        Receive<ConnectionError>(error => OnReadEnded(error.Errno, "pushed error"));
        Receive<ShutdownDone>(_ => MaybeClose());
        Receive<OptionsSet>(_ => CloseSocket());
        Receive<Closed>(_ => OnClosed());
        Receive<CommandFailed>(failed => OnFailed(failed));
        Receive<GiveUp>(_ => OnGiveUp());
        ReceiveAny(message => _record.Surprises.Add($"{Context.Now} s: unexpected {message}"));
    }

    /// <summary>Starts the application (sent by the harness at the planned time).</summary>
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    private sealed record WriteTick
    {
        public static readonly WriteTick Instance = new();
    }

    private sealed record ReadTick
    {
        public static readonly ReadTick Instance = new();
    }

    private SocketOptions Options => new()
    {
        ReuseAddress = _isServer,
        ReceiveBuffer = _plan.ReceiveBuffer,
        NoDelay = _plan.NoDelay,
    };

    private void OnStart()
    {
        if (_isServer)
        {
            _record.Waiting = "socket()";
            _tcp.Tell(new OpenSocket(Options), Self);
        }
        else
        {
            _record.Waiting = "connect()";
            _tcp.Tell(new Connect(_serverAddress, Options), Self);
        }
    }

    private void OnListenerOpened(IActorRef listener)
    {
        _listener = listener;
        listener.Tell(new Bind(_serverAddress), Self);
    }

    private void WaitForAccept()
    {
        _record.Waiting = "accept()";
        _listener!.Tell(Accept.Instance, Self);
    }

    private void OnAccepted(Accepted accepted)
    {
        // One connection per listener: close it at once (its port is then free again).
        _listener!.Tell(Endpoints.Close.Instance, Self);
        _listener = null;
        Begin(accepted.Socket, accepted.Local, accepted.Remote);
    }

    private void Begin(IActorRef socket, SocketAddress local, SocketAddress remote)
    {
        _socket = socket;
        _record.Connected = true;
        _record.Local = local;
        _record.Remote = remote;
        if (_plan.ReadChunk == 0)
        {
            socket.Tell(new Register(Self, AutoRead: true), Self);
        }
        else
        {
            Context.ScheduleTellOnce(Duration.Zero, Self, ReadTick.Instance, null);
        }

        ScheduleWrite();
    }

    private void ScheduleWrite()
    {
        if (_nextWrite >= _plan.Writes.Count)
        {
            _record.WritesFinished = true;
            EndWriting();
            return;
        }

        _record.Waiting = $"write {_nextWrite + 1} of {_plan.Writes.Count}";
        Context.ScheduleTellOnce(Duration.FromMilliseconds(_plan.Writes[_nextWrite].DelayMilliseconds), Self, WriteTick.Instance, null);
    }

    private void WriteNext()
    {
        if (_closing)
        {
            return;
        }

        _record.Waiting = $"send() {_nextWrite + 1} of {_plan.Writes.Count} to return";
        _socket!.Tell(new Send(ByteChunk.Of(_payloads[_nextWrite])), Self);
    }

    private void OnSent()
    {
        _record.Written.AddRange(_payloads[_nextWrite]);
        _nextWrite++;
        if (!_closing)
        {
            ScheduleWrite();
        }
    }

    private void EndWriting()
    {
        if (_closing)
        {
            return;
        }

        switch (_plan.Ending)
        {
            case Ending.ShutdownWrite:
                _record.Waiting = "shutdown(SHUT_WR)";
                _socket!.Tell(new Shutdown(ShutdownHow.Write), Self);
                break;
            case Ending.CloseAfterEndOfStream:
                MaybeClose();
                break;
            case Ending.CloseNow:
                CloseSocket();
                break;
            case Ending.Abort:
                _closing = true;
                _record.Waiting = "setsockopt(SO_LINGER {1,0})";
                _socket!.Tell(new SetOptions(Options with { Linger = Linger.Abort }), Self);
                break;
            case Ending.LingerClose:
                _closing = true;
                _record.Waiting = "setsockopt(SO_LINGER {1,3})";
                _socket!.Tell(new SetOptions(Options with { Linger = new Linger(true, 3) }), Self);
                break;
        }
    }

    /// <summary>Closes once both reading and writing are over (for the endings that wait for the peer).</summary>
    private void MaybeClose()
    {
        if (_readingFinished && _record.WritesFinished)
        {
            CloseSocket();
        }
        else
        {
            _record.Waiting = _readingFinished ? "writes to finish" : "data or end of stream";
        }
    }

    private void ReadNext()
    {
        if (_readingFinished || _closing || _readPending)
        {
            return;
        }

        _readPending = true;
        _record.Waiting = "recv() to return";
        _socket!.Tell(new Read(_plan.ReadChunk), Self);
    }

    private void OnReceived(ByteChunk data)
    {
        if (_closing)
        {
            return;
        }

        if (data.Length > 0 && !data.HasBytes)
        {
            _record.Surprises.Add($"{Context.Now} s: received {data.Length} bytes without their content");
        }

        _record.Received.AddRange(data.Bytes.ToArray());
        if (_plan.ReadChunk != 0)
        {
            _readPending = false;
            Context.ScheduleTellOnce(Duration.FromMilliseconds(_plan.ReadIntervalMilliseconds), Self, ReadTick.Instance, null);
        }
    }

    private void OnReadEnded(Errno? errno, string call)
    {
        _readPending = false;
        if (_closing || _readingFinished)
        {
            return;
        }

        _readingFinished = true;
        if (errno is { } error)
        {
            _record.Errors.Add((call, error));
            CloseSocket();
            return;
        }

        _record.EndOfStream = true;
        if (_plan.Ending is Ending.ShutdownWrite or Ending.CloseAfterEndOfStream)
        {
            MaybeClose();
        }
    }

    private void OnFailed(CommandFailed failed)
    {
        string call = failed.Command.GetType().Name;
        if (_closing && failed.Command is not Endpoints.Close)
        {
            return; // a call still pending when the application closed: the application no longer listens
        }

        if (failed.Command is Accept && _listener is null)
        {
            return; // the accept() pending when the harness closed the listener
        }

        _record.Errors.Add((call, failed.Errno));
        switch (failed.Command)
        {
            case Connect:
                _record.Finished = true;
                _record.Waiting = "nothing (connect() failed)";
                break;
            case Read:
                OnReadEnded(failed.Errno, "Read");
                break;
            case Endpoints.Close:
                _record.Finished = true;
                break;
            default:
                if (_socket is null)
                {
                    _record.Surprises.Add($"{Context.Now} s: {failed} before any connection");
                    _record.Finished = true;
                }
                else
                {
                    CloseSocket();
                }

                break;
        }
    }

    private void CloseSocket()
    {
        if (_closing && _record.Waiting == "close()")
        {
            return;
        }

        _closing = true;
        _record.ReadingAbandoned = !_readingFinished;
        _record.Waiting = "close()";
        _socket!.Tell(Endpoints.Close.Instance, Self);
    }

    private void OnClosed()
    {
        if (_socket is null || !ReferenceEquals(Sender, _socket))
        {
            return; // the listener's close
        }

        _record.Finished = true;
        _record.Waiting = "nothing (closed)";
    }

    private void OnGiveUp()
    {
        _listener?.Tell(Endpoints.Close.Instance, Self);
        _listener = null;
        if (_socket is not null && !_record.Finished && !(_closing && _record.Waiting == "close()"))
        {
            CloseSocket();
        }
    }
}
