using System.Runtime.CompilerServices;
using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// The IP layer of one simulated machine, shared by the actors that live on it (its interfaces and its
/// transport protocol, in the way a kernel is shared by the processes on a machine). It owns the
/// interfaces, the routing table, the sysctls and the packet filter, and it implements the netfilter
/// path of a packet:
/// <code>
///   local send:  OUTPUT → routing → POSTROUTING → egress qdisc → link        (capture when it leaves the qdisc)
///   arrival:     capture → PREROUTING → local? INPUT → checksum → transport
///                                      else FORWARD → TTL → POSTROUTING → egress
/// </code>
/// A local OUTPUT drop is reported to the sender as a local error, not as loss on the wire, as Linux does.
/// Every discarded packet is counted by reason and published as <see cref="PacketDropped"/>.
/// </summary>
public sealed class Host
{
    private readonly List<NetworkInterface> _interfaces = [];
    private readonly Dictionary<uint, NetworkInterface> _localAddresses = [];
    private readonly List<Departure> _departures = [];
    private readonly IcmpRateLimit _icmpRateLimit = new();
    private readonly IcmpGlobalLimit _icmpGlobalLimit = new();
    private RandomStream? _icmpRandom;
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private readonly EventChannel<PacketCaptured> _captures;
    private readonly EventChannel<PacketDropped> _dropEvents;

    internal Host(ActorSystem system, string name, Sysctls sysctls)
    {
        System = system;
        Name = name;
        Sysctls = sysctls;
        _captures = system.EventStream.Channel<PacketCaptured>();
        _dropEvents = system.EventStream.Channel<PacketDropped>();
        Loopback = AddInterface("lo", isLoopback: true, mtu: 65536);
        AssignAddress(Loopback, IPv4Address.Loopback, 8);
    }

    public string Name { get; }

    public ActorSystem System { get; }

    public Sysctls Sysctls { get; }

    /// <summary>Forwards as a layer-2 switch (TTL untouched) rather than a router.</summary>
    public bool IsSwitch { get; init; }

    public RoutingTable Routes { get; } = new();

    public NetworkInterface Loopback { get; }

    public IReadOnlyList<NetworkInterface> Interfaces => _interfaces;

    /// <summary>The iptables tables of this host (set by Chaos), or null to accept everything.</summary>
    public IPacketFilter? Filter { get; set; }

    /// <summary>TCP on this host (set by Endpoints).</summary>
    public ITransportProtocol? Transport { get; set; }

    /// <summary>The actor of this host (parent of its interfaces and protocol actors).</summary>
    public IActorRef Actor { get; internal set; } = null!;

    /// <summary>The first address of the first non-loopback interface, or 127.0.0.1 for a host with none.</summary>
    public IPv4Address PrimaryAddress =>
        _interfaces.FirstOrDefault(i => !i.IsLoopback && i.Addresses.Count > 0)?.Addresses[0] ?? IPv4Address.Loopback;

    /// <summary>Every address of the host, loopback included, in assignment order.</summary>
    public IEnumerable<IPv4Address> Addresses => _interfaces.SelectMany(i => i.Addresses);

    public SimTime Now => System.Now;

    /// <summary>Packets this host discarded, by reason.</summary>
    public long DroppedCount(DropReason reason) => _drops[(int)reason];

    public NetworkInterface? FindInterface(string name) => _interfaces.Find(i => i.Name == name);

    /// <summary>Whether the address is this host's (any 127/8 address counts, as Linux's local table says).</summary>
    public bool IsLocalAddress(IPv4Address address) => address.IsLoopback || _localAddresses.ContainsKey(address.Value);

    /// <summary>The source address Linux would pick to reach <paramref name="destination"/>, or null without a route.</summary>
    public IPv4Address? SourceAddressFor(IPv4Address destination)
    {
        if (IsLocalAddress(destination))
        {
            return destination.IsLoopback ? IPv4Address.Loopback : destination;
        }

        var route = Routes.Lookup(destination);
        return route is null ? null : route.Interface.Addresses.Count > 0 ? route.Interface.Addresses[0] : PrimaryAddress;
    }

    /// <summary>Sends a packet generated on this host (by a socket, or a reject reply).</summary>
    public SendStatus Output(Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var outgoing = RouteFor(packet.Destination);
        if (outgoing is null)
        {
            Drop(DropReason.NoRoute, "no route to " + packet.Destination, packet);
            return SendStatus.NoRoute;
        }

        if (!PassesFilter(packet, HookPoint.Output, null, outgoing) || !PassesFilter(packet, HookPoint.PostRouting, null, outgoing))
        {
            return SendStatus.FilteredLocally;
        }

        return Transmit(packet, outgoing);
    }

    /// <summary>A packet arrived on <paramref name="arrivedOn"/> (called by the interface's actor).</summary>
    internal void Receive(Packet packet, NetworkInterface arrivedOn)
    {
        arrivedOn.RxPackets++;
        arrivedOn.RxBytes += packet.IpLength;
        if (!arrivedOn.IsLoopback)
        {
            Capture(arrivedOn, CaptureDirection.In, packet);
        }

        if (!arrivedOn.IsUp)
        {
            arrivedOn.RxDropped++;
            Drop(DropReason.LinkDown, arrivedOn.Name + " is down", packet);
            return;
        }

        if (!PassesFilter(packet, HookPoint.PreRouting, arrivedOn, null))
        {
            return;
        }

        if (IsLocalAddress(packet.Destination))
        {
            DeliverLocally(packet, arrivedOn);
        }
        else
        {
            Forward(packet, arrivedOn);
        }
    }

    /// <summary>Records a discarded packet: counter, interface counter where relevant, and event.</summary>
    public void Drop(DropReason reason, string? detail, Packet packet)
    {
        _drops[(int)reason]++;
        if (_dropEvents.HasSubscribers)
        {
            _dropEvents.Publish(new PacketDropped(Now, Name, reason, detail, packet));
        }
    }

    internal void Capture(NetworkInterface networkInterface, CaptureDirection direction, Packet packet)
    {
        if (_captures.HasSubscribers)
        {
            _captures.Publish(new PacketCaptured(Now, Name, networkInterface.Name, direction, packet));
        }
    }

    internal NetworkInterface AddInterface(string name, bool isLoopback, int mtu)
    {
        if (FindInterface(name) is not null)
        {
            throw new InvalidOperationException($"Host {Name} already has an interface named {name}.");
        }

        var networkInterface = new NetworkInterface(this, name, isLoopback, mtu);
        _interfaces.Add(networkInterface);
        return networkInterface;
    }

    internal void AssignAddress(NetworkInterface networkInterface, IPv4Address address, int prefixLength)
    {
        if (_localAddresses.TryGetValue(address.Value, out var owner))
        {
            throw new InvalidOperationException($"Address {address} is already assigned to {owner}.");
        }

        networkInterface.AddAddress(address, prefixLength);
        _localAddresses.Add(address.Value, networkInterface);
        if (!networkInterface.IsLoopback)
        {
            Routes.Add(new Route(new IPv4Prefix(address, prefixLength), networkInterface));
        }
    }

    private NetworkInterface? RouteFor(IPv4Address destination) =>
        IsLocalAddress(destination) ? Loopback : Routes.Lookup(destination)?.Interface;

    private void DeliverLocally(Packet packet, NetworkInterface arrivedOn)
    {
        if (!PassesFilter(packet, HookPoint.Input, arrivedOn, null))
        {
            return;
        }

        if (packet.Corrupted)
        {
            // Linux verifies the TCP checksum in tcp_v4_rcv, after the INPUT hook (TCP_MIB_CSUMERRORS).
            Transport?.ChecksumFailed(packet);
            Drop(DropReason.BadChecksum, "checksum error", packet);
            return;
        }

        if (Transport is null)
        {
            Drop(DropReason.NotForThisHost, "no transport protocol on " + Name, packet);
            return;
        }

        Transport.Deliver(packet, arrivedOn);
    }

    private void Forward(Packet packet, NetworkInterface arrivedOn)
    {
        if (Sysctls.IpForward == 0)
        {
            Drop(DropReason.NotForThisHost, $"{packet.Destination} is not an address of {Name} and ip_forward is 0", packet);
            return;
        }

        var route = Routes.Lookup(packet.Destination);
        if (route is null)
        {
            Drop(DropReason.NoRoute, "no route to " + packet.Destination, packet);
            return;
        }

        if (!PassesFilter(packet, HookPoint.Forward, arrivedOn, route.Interface))
        {
            return;
        }

        if (packet.Ttl <= 1 && !IsSwitch)
        {
            Drop(DropReason.TtlExpired, "TTL exceeded in transit", packet);
            return;
        }

        var forwarded = IsSwitch ? packet : packet with { Ttl = (byte)(packet.Ttl - 1) };
        if (PassesFilter(forwarded, HookPoint.PostRouting, arrivedOn, route.Interface))
        {
            Transmit(forwarded, route.Interface);
        }
    }

    private SendStatus Transmit(Packet packet, NetworkInterface outgoing)
    {
        if (!outgoing.IsUp || outgoing.Egress is null)
        {
            outgoing.TxDropped++;
            Drop(DropReason.LinkDown, outgoing.Name + " is down", packet);
            return SendStatus.Sent;
        }

        if (packet is Segment segment && GsoSegmentation.NeedsSegmentation(segment, outgoing))
        {
            // validate_xmit_skb: a device that cannot take the super-segment gets its segments one by one.
            foreach (var piece in GsoSegmentation.Split(segment))
            {
                TransmitWhole(piece, outgoing);
            }

            return SendStatus.Sent;
        }

        return TransmitWhole(packet, outgoing);
    }

    private SendStatus TransmitWhole(Packet packet, NetworkInterface outgoing)
    {
        var egress = outgoing.Egress!;

        if (outgoing.QueueDiscipline is null)
        {
            egress.Transmit(packet);
            return SendStatus.Sent;
        }

        _departures.Clear();
        outgoing.QueueDiscipline.Enqueue(packet, Now, _departures);
        foreach (var departure in _departures)
        {
            var delay = departure.Time - Now;
            if (delay <= Duration.Zero)
            {
                egress.Transmit(departure.Packet);
            }
            else
            {
                System.ScheduleTellOnce(delay, egress.Actor, departure.Packet, null);
            }
        }

        return SendStatus.Sent;
    }

    /// <summary>Asks the filter; acts on DROP and REJECT (sending the reply) and reports whether to go on.</summary>
    /// <remarks>Inlined for the common host without rules; the filter's call (whose frame is large) stays out of line.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool PassesFilter(Packet packet, HookPoint hook, NetworkInterface? inInterface, NetworkInterface? outInterface) =>
        Filter is null || AsksFilter(packet, hook, inInterface, outInterface);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AsksFilter(Packet packet, HookPoint hook, NetworkInterface? inInterface, NetworkInterface? outInterface)
    {
        var verdict = Filter!.Filter(packet, new HookContext(Name, hook, inInterface?.Name, outInterface?.Name, Now));
        if (verdict.Action == FilterAction.Accept)
        {
            return true;
        }

        // The filter publishes the drop itself (it knows the rule); the host only counts it.
        _drops[(int)DropReason.FilterRule]++;
        if (verdict.Action == FilterAction.Reject && RejectReplies.For(packet, verdict.RejectWith, this, inInterface) is { } reply && MaySend(reply))
        {
            Output(reply);
        }

        return false;
    }

    /// <summary>
    /// __icmp_send's rate limits, in 6.18's order: a type outside net.ipv4.icmp_ratemask, or an error to the host
    /// itself (the loopback device), is never limited; otherwise the host-wide credit must allow it
    /// (icmpv4_global_allow), then its destination's bucket must hold a token (icmpv4_xrlim_allow), and only then
    /// is the global credit consumed (icmp_global_consume).
    /// </summary>
    private bool MaySend(Packet reply)
    {
        if (reply is not IcmpPacket icmp || IsLocalAddress(icmp.Destination) || !IcmpRateLimit.Limits(Sysctls))
        {
            return true;
        }

        long now = Now.Nanoseconds;
        if (!_icmpGlobalLimit.Allow(now, Sysctls))
        {
            Drop(DropReason.IcmpRateLimit, "ICMP error to " + icmp.Destination + " over net.ipv4.icmp_msgs_per_sec", icmp);
            return false;
        }

        if (!_icmpRateLimit.AllowDestinationUnreachable(icmp.Destination, now, Sysctls))
        {
            Drop(DropReason.IcmpRateLimit, "ICMP error to " + icmp.Destination + " over net.ipv4.icmp_ratelimit", icmp);
            return false;
        }

        _icmpGlobalLimit.Consume(_icmpRandom ??= System.CreateRandom("icmp/" + Name));
        return true;
    }
}
