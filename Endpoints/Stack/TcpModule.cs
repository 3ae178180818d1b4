using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>
/// The actor that is TCP on a host (the child <c>tcp</c> of the host's actor): it owns the host's
/// <see cref="TcpStack"/>, creates sockets for applications, and runs the single timer that ends
/// timewait sockets. Applications send it <see cref="OpenSocket"/> or <see cref="Connect"/>.
/// </summary>
internal sealed class TcpModule : UntypedActor, IWithTimers
{
    private readonly TcpStack _stack;

    public TcpModule(Host host)
    {
        _stack = new TcpStack(host);
        _stack.Attach(Self, Timers);
        _stack.AttachContext(Context);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenSocket { Options.CongestionControl: { } name } open when !CongestionControlNames.IsAvailable(name):
                Sender?.Tell(new CommandFailed(open, Errno.ENOENT), Self); // TCP_CONGESTION of an unknown algorithm
                break;
            case OpenSocket open:
                Sender?.Tell(new SocketOpened(_stack.CreateSocket(_stack.SetByApplication(open.Options ?? SocketOptions.Default)).Ref), Self);
                break;
            case Connect connect:
                _stack.CreateSocket(_stack.SetByApplication(connect.Options ?? SocketOptions.Default)).Ref.Tell(connect, Sender);
                break;
            case TcpStack.ExpireTimeWaits:
                _stack.OnTimeWaitTimer();
                break;
            case QuerySockets:
                Sender?.Tell(_stack.Snapshot(), Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Asks a host's TCP module for its sockets; the reply is an <c>IReadOnlyList&lt;SocketSnapshot&gt;</c>.</summary>
public sealed record QuerySockets
{
    public static readonly QuerySockets Instance = new();
}

/// <summary>Installs TCP on hosts and finds it again.</summary>
public static class Tcp
{
    /// <summary>The module to pass to <see cref="TopologyBuilder.AddModule"/>: TCP on every host.</summary>
    public static HostModule Module { get; } = new("tcp", host => Props.Create(() => new TcpModule(host)));

    /// <summary>The TCP stack of a host built with <see cref="Module"/>.</summary>
    public static TcpStack StackOf(Host host) =>
        host.Transport as TcpStack ?? throw new InvalidOperationException($"host {host.Name} has no TCP (build the topology with .AddModule(Tcp.Module))");

    /// <summary>The actor to send <see cref="OpenSocket"/> and <see cref="Connect"/> to.</summary>
    public static IActorRef ManagerOf(Host host) => StackOf(host).Manager;
}
