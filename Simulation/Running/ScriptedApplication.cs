using TcpActors.Endpoints;
using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// Runs an application's script like a single-threaded program: one call at a time, blocking calls
/// (connect, accept, recv, a lingering close) holding the script until they return, failed calls
/// logged with their errno and the script going on (as tools/kernel-lab's driver does). A variable whose call failed,
/// or whose socket was closed, holds no descriptor: calls on it fail with EBADF.
/// </summary>
internal sealed class ScriptedApplication : UntypedActor
{
    /// <summary>What a call on the socket of a failed socket(), connect() or accept() returns: the -1 it got is not a descriptor.</summary>
    public const string BadDescriptor = "EBADF";

    private readonly ApplicationSpec _spec;
    private readonly IActorRef _tcp;
    private readonly List<CallRecord> _log;
    private readonly Dictionary<string, IActorRef> _sockets = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, SocketOptions> _options = [];
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);
    private int _index;
    private bool _waitedForTime;
    private SimTime _started;
    private long _receivedTotal;

    public ScriptedApplication(ApplicationSpec spec, IActorRef tcp, List<CallRecord> log)
    {
        _spec = spec;
        _tcp = tcp;
        _log = log;
    }

    /// <summary>True once every step has returned.</summary>
    public bool Finished => _index >= _spec.Steps.Count;

    protected override void PreStart() => Self.Tell(Continue.Instance);

    protected override void OnReceive(object message)
    {
        if (message is Continue)
        {
            RunCurrentStep();
            return;
        }

        if (Finished)
        {
            return;
        }

        var step = _spec.Steps[_index];
        switch (message)
        {
            case SocketOpened opened:
                Assign(step, opened.Socket, Options(step, SocketOptions.Default));
                Complete(step, "ok");
                break;
            case Connected connected:
                if (step.Result is not null)
                {
                    Assign(step, connected.Socket, Options(step, SocketOptions.Default, skip: 1));
                }

                Complete(step, "ok");
                break;
            case Accepted accepted:
                if (step.Result is not null)
                {
                    Assign(step, accepted.Socket, SocketOptions.Default);
                }

                Complete(step, "ok");
                break;
            case Received received when step.Function == "recv_all":
                _receivedTotal += received.Data.Length;
                Socket(step).Tell(new Read(), Self);
                break;
            case Received received:
                Complete(step, $"{received.Data.Length} bytes");
                break;
            case EndOfStream when step.Function == "recv_all":
                Complete(step, $"{_receivedTotal} bytes then eof");
                break;
            case EndOfStream:
                Complete(step, "eof");
                break;
            case CommandFailed failed when step.Function == "recv_all" && _receivedTotal > 0:
                Complete(step, $"{_receivedTotal} bytes then {failed.Errno}");
                break;
            case CommandFailed failed:
                if (step.Result is { } variable)
                {
                    // 's = connect(...)' failed: s now holds -1, not the socket it may have held before.
                    _sockets.Remove(variable);
                }

                Complete(step, failed.Errno.ToString());
                break;
            case Bound or Listening or Sent or ShutdownDone or Closed or OptionsSet:
                Complete(step, "ok");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void RunCurrentStep()
    {
        if (Finished)
        {
            return;
        }

        var step = _spec.Steps[_index];
        if (step.At is { } at && !_waitedForTime && Context.Now < SimTime.Zero + at)
        {
            _waitedForTime = true;
            Context.ScheduleTellOnce(SimTime.Zero + at - Context.Now, Self, Continue.Instance, null);
            return;
        }

        _started = Context.Now;
        _receivedTotal = 0;
        Issue(step);
    }

    private void Issue(Step step)
    {
        var arguments = step.Arguments;
        if (UsesSocket(step) && !_sockets.ContainsKey(arguments[0].Value))
        {
            // The call that was to create this socket failed, so a real program would pass -1 (its result) here.
            Complete(step, BadDescriptor);
            return;
        }

        switch (step.Function)
        {
            case "socket":
                _tcp.Tell(new OpenSocket(Options(step, SocketOptions.Default)), Self);
                break;
            case "setsockopt":
                var target = Socket(step);
                var options = SocketOptionParser.Parse(_options.GetValueOrDefault(target) ?? SocketOptions.Default, arguments.Skip(1));
                _options[target] = options;
                target.Tell(new SetOptions(options), Self);
                break;
            case "bind":
                Socket(step).Tell(new Bind(StepChecker.Address(arguments[1])), Self);
                break;
            case "listen":
                Socket(step).Tell(new Listen(arguments.Count > 1 ? StepChecker.Number(arguments[1], 0, int.MaxValue, "a backlog") : 128), Self);
                break;
            case "accept":
                Socket(step).Tell(Accept.Instance, Self);
                break;
            case "connect" when UsesSocket(step):
                Socket(step).Tell(new Connect(StepChecker.Address(arguments[1])), Self);
                break;
            case "connect":
                _tcp.Tell(new Connect(StepChecker.Address(arguments[0]), Options(step, SocketOptions.Default, skip: 1)), Self);
                break;
            case "send":
                Socket(step).Tell(new Send(StepChecker.Payload(arguments[1])), Self);
                break;
            case "recv":
                Socket(step).Tell(new Read(arguments.Count > 1 ? StepChecker.Number(arguments[1], 1, int.MaxValue, "a maximum byte count") : 65536), Self);
                break;
            case "recv_all":
                Socket(step).Tell(new Read(), Self);
                break;
            case "shutdown":
                Socket(step).Tell(new Shutdown(StepChecker.ShutdownMode(arguments[1])), Self);
                break;
            case "close":
                Socket(step).Tell(Close.Instance, Self);
                break;
            case "sleep":
                Complete(step, "ok", returnedLater: Durations.Parse(arguments[0].Value, arguments[0].Where, "sleep"));
                break;
        }
    }

    private IActorRef Socket(Step step) => _sockets[step.Arguments[0].Value];

    /// <summary>
    /// Whether the call's first argument is a socket variable. The loader has checked every variable is assigned by an
    /// earlier step; connect's first argument is a socket when it is a variable name, an address otherwise (as the loader decides).
    /// </summary>
    private static bool UsesSocket(Step step) => step.Function switch
    {
        "socket" or "sleep" => false,
        "connect" => step.Arguments[0].Name is null && StepParser.IsIdentifier(step.Arguments[0].Value),
        _ => true,
    };

    private static SocketOptions Options(Step step, SocketOptions start, int skip = 0) =>
        SocketOptionParser.Parse(start, step.Arguments.Skip(skip));

    private void Assign(Step step, IActorRef socket, SocketOptions options)
    {
        _sockets[step.Result!] = socket;
        _options[socket] = options;
    }

    private void Complete(Step step, string result, Duration? returnedLater = null)
    {
        if (step.Function == "close")
        {
            // close() releases the descriptor whatever it returns: later calls on the variable get EBADF, as in Linux.
            _sockets.Remove(step.Arguments[0].Value);
        }

        int occurrence = _occurrences[step.Function] = _occurrences.GetValueOrDefault(step.Function) + 1;
        var returned = Context.Now + (returnedLater ?? Duration.Zero);
        _log.Add(new CallRecord(_spec.Name, step.Function, occurrence, _started, returned, result, step.Text));
        _index++;
        _waitedForTime = false;
        if (returnedLater is { } delay)
        {
            Context.ScheduleTellOnce(delay, Self, Continue.Instance, null);
        }
        else
        {
            Self.Tell(Continue.Instance);
        }
    }

    private sealed class Continue
    {
        public static readonly Continue Instance = new();
    }
}
