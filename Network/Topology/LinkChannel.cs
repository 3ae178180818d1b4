using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// One direction of a point-to-point link, as an actor: packets handed to it are captured as leaving
/// the source interface, wait for the wire (bounded queue, tail drop), take their serialisation time at
/// the link's rate, travel for the propagation delay and arrive as events at the far interface's actor.
/// </summary>
internal sealed class LinkChannel : UntypedActor, IEgressChannel
{
    private readonly NetworkInterface _source;
    private readonly NetworkInterface _destination;
    private readonly Queue<long> _waitingStarts = new();
    private long _busyUntil;

    public LinkChannel(NetworkInterface source, NetworkInterface destination, LinkSettings settings)
    {
        _source = source;
        _destination = destination;
        Settings = settings;
        source.Egress = this;
    }

    public LinkSettings Settings { get; set; }

    public bool IsUp { get; set; } = true;

    IActorRef IEgressChannel.Actor => Self;

    public void Transmit(Packet packet)
    {
        var host = _source.Host;
        _source.TxPackets++;
        _source.TxBytes += packet.IpLength;
        host.Capture(_source, CaptureDirection.Out, packet);
        if (!IsUp)
        {
            _source.TxDropped++;
            host.Drop(DropReason.LinkDown, $"link {_source} -> {_destination} is down", packet);
            return;
        }

        // A GSO super-segment is checked per segment it stands for (skb_gso_validate_network_len).
        int ipLength = packet is Segment segment ? segment.IpLengthPerSegment : packet.IpLength;
        if (ipLength > Settings.Mtu && packet.DontFragment)
        {
            _source.TxDropped++;
            host.Drop(DropReason.MtuExceeded, $"{ipLength} bytes over the MTU of {Settings.Mtu}", packet);
            return;
        }

        long now = Context.Now.Nanoseconds;
        long arrival = Settings.BandwidthBitsPerSecond > 0 ? Serialise(packet, now) : now;
        if (arrival < 0)
        {
            return;
        }

        arrival += Settings.Delay.Nanoseconds;
        if (arrival == now)
        {
            _destination.Actor!.Tell(packet, ActorRefs.NoSender);
        }
        else
        {
            Context.ScheduleTellOnce(new Duration(arrival - now), _destination.Actor!, packet, ActorRefs.NoSender);
        }
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

    /// <summary>The time the packet's last bit leaves, or -1 if the queue was full and it was dropped.</summary>
    private long Serialise(Packet packet, long now)
    {
        while (_waitingStarts.Count > 0 && _waitingStarts.Peek() <= now)
        {
            _waitingStarts.Dequeue();
        }

        if (_waitingStarts.Count >= Settings.QueueLimitPackets)
        {
            _source.TxDropped++;
            _source.Host.Drop(DropReason.LinkQueueFull, $"{_source} queue full ({Settings.QueueLimitPackets} packets)", packet);
            return -1;
        }

        long start = Math.Max(now, _busyUntil);
        if (start > now)
        {
            _waitingStarts.Enqueue(start);
        }

        long serialisation = packet.IpLength * 8L * 1_000_000_000L / Settings.BandwidthBitsPerSecond;
        _busyUntil = start + serialisation;
        return _busyUntil;
    }
}
