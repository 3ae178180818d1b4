using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// The actor of a host: parent of its interface actors and of the protocol actors (TCP) installed on
/// it, so stopping a host stops everything on it. Modules are created in <see cref="PreStart"/>.
/// </summary>
internal sealed class HostActor(Host host, IReadOnlyList<HostModule> modules) : UntypedActor
{
    protected override void PreStart()
    {
        host.Actor = Self;
        foreach (var networkInterface in host.Interfaces)
        {
            CreateInterfaceActor(networkInterface);
        }

        foreach (var module in modules)
        {
            Context.ActorOf(module.CreateProps(host), module.Name);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case AttachInterface attach:
                CreateInterfaceActor(attach.Interface);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void CreateInterfaceActor(NetworkInterface networkInterface)
    {
        networkInterface.Actor = Context.ActorOf(Props.Create(() => new InterfaceActor(networkInterface)), networkInterface.Name);
        if (networkInterface.IsLoopback)
        {
            Context.ActorOf(Props.Create(() => new LoopbackChannel(networkInterface)), networkInterface.Name + "-tx");
        }
        else if (networkInterface.Wire is var (peer, settings))
        {
            Context.ActorOf(Props.Create(() => new LinkChannel(networkInterface, peer, settings)), networkInterface.Name + "-tx");
        }
    }

    internal sealed record AttachInterface(NetworkInterface Interface);
}

/// <summary>A protocol to run on every host, as a child actor of the host (TCP is one).</summary>
/// <param name="Name">The child actor's name, e.g. <c>tcp</c>.</param>
/// <param name="CreateProps">Builds the actor for a given host.</param>
public sealed record HostModule(string Name, Func<Host, Props> CreateProps);

/// <summary>Receives the packets that arrive on one interface and hands them to the host.</summary>
internal sealed class InterfaceActor(NetworkInterface networkInterface) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is Packet packet)
        {
            networkInterface.Host.Receive(packet, networkInterface);
        }
        else
        {
            Unhandled(message);
        }
    }
}

/// <summary>
/// The loopback "wire": what leaves <c>lo</c> is captured once (as <c>tcpdump -i lo</c> shows it) and
/// arrives on <c>lo</c> as a new event at the same virtual time, the way Linux's loopback_xmit hands the
/// packet to the receive path through a softirq rather than inline.
/// </summary>
internal sealed class LoopbackChannel : UntypedActor, IEgressChannel
{
    private readonly NetworkInterface _loopback;

    public LoopbackChannel(NetworkInterface loopback)
    {
        _loopback = loopback;
        loopback.Egress = this;
    }

    IActorRef IEgressChannel.Actor => Self;

    public void Transmit(Packet packet)
    {
        _loopback.TxPackets++;
        _loopback.TxBytes += packet.IpLength;
        _loopback.Host.Capture(_loopback, CaptureDirection.Out, packet);
        _loopback.Actor!.Tell(packet, ActorRefs.NoSender);
    }

    protected override void OnReceive(object message)
    {
        if (message is Packet packet)
        {
            Transmit(packet);
        }
        else
        {
            Unhandled(message);
        }
    }
}
