using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>Socket creation and inspection.</summary>
public sealed partial class TcpStack
{
    private IActorContext? _managerContext;
    private TcpSocket? _lastCreated;
    private SocketOptions? _optionsForNext;
    private Props? _socketProps;

    /// <summary>
    /// Creates a socket actor as a child of the host's TCP module. Inside the kernel, socket creation
    /// is synchronous (a listener creates its child while handling the SYN), so this is a direct call
    /// on the module's context rather than a message.
    /// </summary>
    internal TcpSocket CreateSocket(SocketOptions options)
    {
        // One Props for every socket (its factory reads the options of the one being made), so
        // creating a socket allocates only the socket.
        _optionsForNext = options;
        _managerContext!.ActorOf(_socketProps ??= Props.Create(() => new TcpSocket(this, _optionsForNext!)));
        _optionsForNext = null;
        var created = _lastCreated!;
        _lastCreated = null;
        return created;
    }

    internal void Registered(TcpSocket socket) => _lastCreated = socket;

    /// <summary>
    /// socket(2) as a system call: a new socket at once, made in the caller's context, with no message round trip
    /// (<see cref="OpenSocket"/> asks for one by message). For an application actor of this host, from its handler.
    /// </summary>
    public IActorRef Socket(SocketOptions? options = null) => CreateSocket(SetByApplication(options ?? SocketOptions.Default)).Ref;

    /// <summary>
    /// Options as setsockopt stores them (sock_setsockopt): SO_RCVBUF and SO_SNDBUF first capped by net.core.rmem_max
    /// and net.core.wmem_max; the socket doubles what is kept. A later change of the sysctls leaves them alone.
    /// </summary>
    internal SocketOptions SetByApplication(SocketOptions options) =>
        options.ReceiveBuffer > Sysctls.NetCoreRmemMax || options.SendBuffer > Sysctls.NetCoreWmemMax
            ? options with
            {
                ReceiveBuffer = options.ReceiveBuffer is { } r ? Math.Min(r, Sysctls.NetCoreRmemMax) : null,
                SendBuffer = options.SendBuffer is { } s ? Math.Min(s, Sysctls.NetCoreWmemMax) : null,
            }
            : options; // nothing to cap: the caller's (often shared) options as they are, no copy per socket

    internal void AttachContext(IActorContext context) => _managerContext = context;

    internal void DeliverToConnection(FourTuple tuple, Segment segment)
    {
        if (_connections.TryGetValue(tuple, out var socket))
        {
            socket.Deliver(segment);
        }
    }

    internal ulong KeyedHash(ulong value) => Mix(_secret ^ Mix(value));

    internal void PublishConnectRefusedLocally(SocketAddress remote, Errno errno)
    {
        var channel = Host.System.EventStream.Channel<TcpConnectRefusedLocally>();
        if (channel.HasSubscribers)
        {
            channel.Publish(new TcpConnectRefusedLocally(Host.Now, Host.Name, remote, errno));
        }
    }

    /// <summary>
    /// Every socket of this host as <c>ss -tan -o</c> lists them: listeners first, then the connection
    /// table and the timewaits, each group ordered by local then peer address.
    /// </summary>
    public IReadOnlyList<SocketSnapshot> Snapshot()
    {
        long now = NowNanoseconds;
        var listeners = _listeners.Values.SelectMany(l => l).Select(l => l.SnapshotOf())
            .OrderBy(s => s.Local).ToList();
        var connections = _connections.Values.Select(s => s.SnapshotOf())
            .Concat(TimeWaits.Ordered().Select(t => TimeWaitSnapshot(t.Tuple, t.Entry, now)))
            .OrderBy(s => s.Local).ThenBy(s => s.Peer).ToList();
        return [.. listeners, .. connections];
    }

    private SocketSnapshot TimeWaitSnapshot(FourTuple tuple, TimeWaitEntry entry, long now) => new(
        Host.Name,
        entry.Substate == TimeWaitSubstate.TimeWait ? TcpState.TimeWait : TcpState.FinWait2,
        0,
        0,
        tuple.Local,
        tuple.Remote,
        new SocketTimer(SocketTimerKind.TimeWait, new Duration(Math.Max(0, entry.DeadlineNanoseconds - now)), 0),
        IsOrphan: true);
}
