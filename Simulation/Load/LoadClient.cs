using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// The client application of one host in a load run: it opens connections at its share of the rate
/// (open loop) or keeps its share of the connections in flight (closed loop), sends each request,
/// reads each response, and closes (or waits for the server to close). One actor manages all of the
/// host's connections, as one process with many sockets would.
/// </summary>
internal sealed class LoadClient : UntypedActor, IWithTimers
{
    /// <summary>The longest gap between arrivals drawn (about 31 years of simulated time, far past any run's end).</summary>
    private const double MaxGapSeconds = 1e9;

    /// <summary>A closed loop's first wait before replacing a failed connection (1 ms).</summary>
    internal const long BackoffMinNanoseconds = 1_000_000;

    /// <summary>The longest such wait (1 s): the back-off doubles up to here.</summary>
    internal const long BackoffMaxNanoseconds = 1_000_000_000;

    private readonly LoadSettings _settings;
    private readonly TcpStack _tcp;
    private readonly IReadOnlyList<SocketAddress> _servers;
    private readonly LoadStatistics _statistics;
    private readonly LoadExchange _exchange;
    private readonly double _rate;
    private readonly int _concurrency;
    private readonly SocketOptions _socketOptions;
    private readonly Dictionary<ActorKey, Connection> _connections = [];
    private readonly ThinkingQueue _thinking = new();
    private readonly LengthOnlySends _sends = new();

    /// <summary>The connect() command for each server, made once (an immutable value the socket only reads).</summary>
    private Connect?[]? _connectCommands;
    private readonly int _index;
    private long _arrivals;
    private int _nextServer;
    private bool _stopped;

    /// <summary>Connections of this client that failed since one last connected: the closed loop's back-off exponent.</summary>
    private int _failuresInARow;

    public LoadClient(LoadSettings settings, int index, TcpStack tcp, IReadOnlyList<SocketAddress> servers, LoadStatistics statistics, LoadExchange exchange)
    {
        _settings = settings;
        _tcp = tcp;
        _servers = servers;
        _statistics = statistics;
        _exchange = exchange;
        _index = index;
        _nextServer = index % servers.Count;
        _rate = (settings.Rate ?? 0) / settings.Clients;
        _concurrency = settings.Concurrency is { } total ? (total / settings.Clients) + (index < total % settings.Clients ? 1 : 0) : 0;
        _socketOptions = settings.Close == Closer.Client && settings.Linger is { } linger
            ? new SocketOptions { Linger = new Linger(true, linger) }
            : SocketOptions.Default;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartSingleTimer(Stop.Instance, Stop.Instance, _settings.Duration);
        if (_settings.Rate is { } total)
        {
            Timers.StartSingleTimer(Arrival.Instance, Arrival.Instance, UntilNextArrival(total));
        }
        else
        {
            for (int i = 0; i < _concurrency; i++)
            {
                StartConnection();
            }
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Arrival:
                StartConnection();
                _arrivals++;
                Timers.StartSingleTimer(Arrival.Instance, Arrival.Instance, UntilNextArrival(_settings.Rate!.Value));
                break;
            case Stop:
                _stopped = true;
                Timers.Cancel(Arrival.Instance);
                break;
            case Reconnect:
                StartConnection();
                break;
            case Connected connected:
                OnConnected(Sender!, connected.Local);
                ReplySpares.GiveBack(connected);
                break;
            case Received received:
                OnReceived(Sender!, received.Data.Length);
                ReplySpares.GiveBack(received);
                break;
            case ThinkingOver:
                SendDueRequests();
                break;
            case EndOfStream:
                OnEndOfStream(Sender!);
                break;
            case ConnectionError error:
                Fail(Sender!, error.Errno.ToString());
                break;
            case CommandFailed failed:
                Fail(Sender!, failed.Errno.ToString());
                break;
            case Closed:
                OnClosed(Sender!);
                break;
            case OptionsSet:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Constant arrivals: client i of n opens its k-th connection at (i + k·n) / rate, computed from k rather
    /// than by adding gaps (which would drift by rounding), so the clients interleave and [0, duration) holds
    /// exactly rate × duration arrivals. Poisson: exponential gaps, the first one from 0.
    /// </summary>
    private Duration UntilNextArrival(double totalRate)
    {
        if (_settings.Arrival == "poisson")
        {
            return NextGap();
        }

        double at = (_index + ((double)_arrivals * _settings.Clients)) / totalRate;
        return Duration.FromNanoseconds(Math.Max(0, (long)Math.Ceiling(at * 1e9) - Context.Now.Nanoseconds));
    }

    private Duration NextGap()
    {
        double seconds = _settings.Arrival == "poisson" ? -Math.Log(1 - Context.Random.NextDouble()) / _rate : 1 / _rate;

        // A tiny rate (--rate 1e-300) asks for a gap no clock can hold; any gap past the run's end means no arrival.
        return Duration.FromSeconds(Math.Clamp(seconds, 1e-9, MaxGapSeconds));
    }

    private void StartConnection()
    {
        if (_stopped && _settings.Rate is null)
        {
            return;
        }

        _statistics.Attempted++;
        OnOpened(_tcp.Socket(_socketOptions));
    }

    private void OnOpened(IActorRef socket)
    {
        _connectCommands ??= new Connect?[_servers.Count];
        var connect = _connectCommands[_nextServer] ??= new Connect(_servers[_nextServer], Handler: Self);
        _nextServer = (_nextServer + 1) % _servers.Count;
        _connections[new ActorKey(socket)] = new Connection { Started = Context.Now.Nanoseconds, RequestsLeft = _settings.RequestsPerConnection };
        Call(socket, connect);
    }

    private void OnConnected(IActorRef socket, SocketAddress local)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        _statistics.Connected++;
        _failuresInARow = 0;
        _statistics.RecordConnectLatency(Context.Now.Nanoseconds - connection.Started);
        connection.Local = local;
        SendRequest(socket);
    }

    private void SendRequest(IActorRef socket)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        int request = Math.Max(1, (int)_settings.RequestBytes.Draw(Context.Random));
        int response = Math.Max(1, (int)_settings.ResponseBytes.Draw(Context.Random));
        connection.Expected = response;
        connection.Received = 0;
        _exchange.Announce(connection.Local, request, response);
        Call(socket, _sends.Of(request));
    }

    private void OnReceived(IActorRef socket, int bytes)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        connection.Received += bytes;
        if (connection.Received < connection.Expected)
        {
            return;
        }

        _statistics.RequestsCompleted++;
        connection.RequestsLeft--;
        if (connection.RequestsLeft > 0)
        {
            long due = (Context.Now + Duration.FromNanoseconds((long)_settings.ThinkTime.Draw(Context.Random))).Nanoseconds;
            _thinking.Add(socket, due);
            if (_thinking.NextDue == due)
            {
                Timers.StartSingleTimer(ThinkingOver.Instance, ThinkingOver.Instance, Duration.FromNanoseconds(due - Context.Now.Nanoseconds));
            }
        }
        else if (_settings.Close == Closer.Client)
        {
            connection.Closing = true;
            CloseSocket(socket);
        }
    }

    /// <summary>Sends the next request on every connection whose think time is over, then waits for the next one.</summary>
    private void SendDueRequests()
    {
        long now = Context.Now.Nanoseconds;
        while (_thinking.TryTakeDue(now, out var socket))
        {
            SendRequest(socket);
        }

        if (_thinking.NextDue is { } next)
        {
            Timers.StartSingleTimer(ThinkingOver.Instance, ThinkingOver.Instance, Duration.FromNanoseconds(next - now));
        }
    }

    private void OnEndOfStream(IActorRef socket)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection))
        {
            return;
        }

        if (connection.RequestsLeft > 0)
        {
            Fail(socket, "early-eof");
            return;
        }

        connection.Closing = true;
        CloseSocket(socket);
    }

    /// <summary>
    /// close(): it returns 0 at once, so the connection is done for this application now, unless SO_LINGER with a
    /// timeout makes it wait for the FIN's acknowledgement; only then does its return come later, as <see cref="Closed"/>.
    /// </summary>
    private void CloseSocket(IActorRef socket)
    {
        if (_settings.Close == Closer.Client && _settings.Linger > 0)
        {
            Call(socket, Close.Instance);
            return;
        }

        Context.System.DeliverNow(socket, Close.Instance, null);
        OnClosed(socket);
    }

    private void OnClosed(IActorRef socket)
    {
        if (_connections.Remove(new ActorKey(socket), out var connection))
        {
            _exchange.Forget(connection.Local);
            if (connection.Failed)
            {
                return;
            }

            _statistics.Completed++;
            ReplaceInClosedLoop(failed: false);
        }
    }

    private void Fail(IActorRef socket, string error)
    {
        ref var connection = ref Find(socket);
        if (Unsafe.IsNullRef(ref connection) || connection.Failed)
        {
            return;
        }

        connection.Failed = true;
        _statistics.RecordFailure(error);
        Call(socket, Close.Instance);
        ReplaceInClosedLoop(failed: true);
    }

    /// <summary>
    /// A closed loop replaces each finished connection after the think time. After a failure it backs off
    /// as a sensible client does, so that a connect() failing at once (EADDRNOTAVAIL with every port held)
    /// cannot spin: the replacement waits at least 1 ms, doubled for every further failure of this client
    /// until one of its connections is established again, at most 1 s (<see cref="Backoff"/>).
    /// </summary>
    private void ReplaceInClosedLoop(bool failed)
    {
        if (_settings.Concurrency is null || _stopped)
        {
            return;
        }

        long think = (long)_settings.ThinkTime.Draw(Context.Random);
        if (failed)
        {
            _failuresInARow++;
            long backoff = Backoff(_failuresInARow);
            if (backoff > think)
            {
                think = backoff;
                _statistics.RecordBackoff(backoff);
            }
        }

        Context.ScheduleTellOnce(Duration.FromNanoseconds(think), Self, Reconnect.Instance, null);
    }

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row: 1 ms, 2 ms, 4 ms… capped at 1 s (from the 11th on).</summary>
    internal static long Backoff(int failures)
    {
        int doublings = Math.Clamp(failures - 1, 0, 30);
        return Math.Min(BackoffMinNanoseconds << doublings, BackoffMaxNanoseconds);
    }

    private struct Connection
    {
        public long Started;
        public int RequestsLeft;
        public int Expected;
        public int Received;
        public bool Closing;
        public bool Failed;
        public SocketAddress Local;
    }

    private sealed class ThinkingOver
    {
        public static readonly ThinkingOver Instance = new();
    }

    private sealed class Arrival
    {
        public static readonly Arrival Instance = new();
    }

    private sealed class Stop
    {
        public static readonly Stop Instance = new();
    }

    private sealed class Reconnect
    {
        public static readonly Reconnect Instance = new();
    }

    /// <summary>
    /// A system call: the socket (or the stack) handles the command at once, inside this handler, as the
    /// kernel runs a call in the caller's context; its answer still comes back as a message.
    /// </summary>
    /// <summary>The connection's record in place (a null reference if unknown); valid until the table next changes.</summary>
    private ref Connection Find(IActorRef socket) => ref CollectionsMarshal.GetValueRefOrNullRef(_connections, new ActorKey(socket));

    private void Call(IActorRef target, object command) => Context.System.DeliverNow(target, command, Self);
}
