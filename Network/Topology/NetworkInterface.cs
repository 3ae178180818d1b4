namespace TcpActors.Network;

/// <summary>
/// One interface of a host: <c>lo</c> or <c>eth0</c>…, with its addresses, MTU, optional egress queueing
/// discipline (netem) and counters as <c>ip -s link</c> shows them. Packets leave through its egress
/// channel (a link direction, or the loopback) and arrive through its actor.
/// </summary>
public sealed class NetworkInterface
{
    private readonly List<IPv4Prefix> _networks = [];
    private readonly List<IPv4Address> _addresses = [];

    internal NetworkInterface(Host host, string name, bool isLoopback, int mtu)
    {
        Host = host;
        Name = name;
        IsLoopback = isLoopback;
        Mtu = mtu;
    }

    public Host Host { get; }

    public string Name { get; }

    public bool IsLoopback { get; }

    public int Mtu { get; set; }

    /// <summary>GSO_MAX_SIZE: the largest GSO packet the device takes (<c>ip link set … gso_max_size</c>; 65536 on veth and lo).</summary>
    public const int DefaultGsoMaxSize = 65536;

    /// <summary>GSO_MAX_SEGS: the most segments one GSO packet may stand for (65535 on veth and lo).</summary>
    public const int GsoMaxSegsLimit = 65535;

    /// <summary>
    /// The gso_max_segs a new interface starts with: 65535, as this kernel gives veth and lo (<c>ip -d link show</c>:
    /// gso_max_size 65536 gso_max_segs 65535), so TCP builds super-segments unless a script turns GSO off with
    /// <c>gso_max_segs 1</c>.
    /// </summary>
    public const int DefaultGsoMaxSegs = GsoMaxSegsLimit;

    /// <summary>
    /// The device's gso_max_size (netif_set_gso_max_size): TCP's sk_gso_max_size is this less MAX_TCP_HEADER + 1
    /// (sk_setup_caps), and a larger super-segment is split in software before it leaves.
    /// </summary>
    public int GsoMaxSize { get; set; } = DefaultGsoMaxSize;

    /// <summary>
    /// The device's gso_max_segs (<c>ip link set dev c0 gso_max_segs 1</c>): 1 turns GSO off for TCP, which then
    /// builds one segment per sk_buff (sk_gso_max_segs 1); a super-segment forwarded here that stands for more is
    /// split in software.
    /// </summary>
    public int GsoMaxSegs { get; set; } = DefaultGsoMaxSegs;

    /// <summary>Administratively up; a down interface drops what it would send or receive.</summary>
    public bool IsUp { get; set; } = true;

    /// <summary>The egress qdisc (tc qdisc … root netem), or null for plain FIFO.</summary>
    public IQueueDiscipline? QueueDiscipline { get; set; }

    /// <summary>Addresses assigned to this interface, in assignment order (the first is primary).</summary>
    public IReadOnlyList<IPv4Address> Addresses => _addresses;

    /// <summary>The networks of those addresses (connected routes).</summary>
    public IReadOnlyList<IPv4Prefix> Networks => _networks;

    public long TxPackets { get; internal set; }

    public long TxBytes { get; internal set; }

    public long RxPackets { get; internal set; }

    public long RxBytes { get; internal set; }

    public long TxDropped { get; internal set; }

    public long RxDropped { get; internal set; }

    /// <summary>Where departing packets go: a link direction or the loopback.</summary>
    internal IEgressChannel? Egress { get; set; }

    /// <summary>The actor that receives arriving packets for this interface.</summary>
    internal Runtime.IActorRef? Actor { get; set; }

    /// <summary>The far end of this interface's link and the settings of the direction leaving here.</summary>
    internal (NetworkInterface Peer, LinkSettings Settings)? Wire { get; set; }

    public override string ToString() => $"{Host.Name}/{Name}";

    internal void AddAddress(IPv4Address address, int prefixLength)
    {
        _addresses.Add(address);
        _networks.Add(new IPv4Prefix(address, prefixLength));
    }
}

/// <summary>Carries packets away from an interface (a link direction or the loopback).</summary>
internal interface IEgressChannel
{
    /// <summary>The actor that receives packets departing later than now (after a qdisc delay).</summary>
    Runtime.IActorRef Actor { get; }

    /// <summary>Sends a packet now: capture, serialisation, propagation, delivery.</summary>
    void Transmit(Packet packet);
}
