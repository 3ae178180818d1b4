using System.Text.RegularExpressions;
using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>
/// Declares a network in code (tests, scenario files and load runs all go through it):
/// <code>
///   var topology = new TopologyBuilder(system)
///       .AddHost("client", h => h.Address("10.0.1.2/24"))
///       .AddRouter("router")
///       .AddHost("server", h => h.Address("10.0.2.2/24").Sysctl("net.ipv4.tcp_rfc1337", "1"))
///       .Connect("client", "router")
///       .Connect("router", "server", new LinkSettings(Duration.FromMilliseconds(10)))
///       .Build();
/// </code>
/// A host's declared addresses go on its first link's interface (<c>eth0</c>). Routing is derived: a host
/// with one link gets a default route through it; a host with several (a router) gets a host route to
/// every address in the network along a shortest path (ties broken by declaration order). Hosts with
/// no declared address get one from 10.0.0.0/8 in declaration order, unless marked loopback-only.
/// </summary>
public sealed partial class TopologyBuilder(ActorSystem system)
{
    private readonly List<HostDeclaration> _hosts = [];
    private readonly List<LinkDeclaration> _links = [];
    private readonly List<HostModule> _modules = [];
    private readonly List<(string Host, IPv4Prefix Prefix, string Via)> _routes = [];

    /// <summary>The rule <see cref="AddHost"/> applies to host names, for readers that check names before building.</summary>
    public static bool IsValidHostName(string name) => HostNamePattern().IsMatch(name);

    public TopologyBuilder AddHost(string name, Action<HostOptions>? configure = null)
    {
        if (!IsValidHostName(name))
        {
            throw new TopologyException($"invalid host name '{name}': use letters, digits, '-', '_' and '.', starting with a letter or digit");
        }

        if (_hosts.Exists(h => h.Name == name))
        {
            throw new TopologyException($"host '{name}' is declared twice");
        }

        var options = new HostOptions();
        configure?.Invoke(options);
        _hosts.Add(new HostDeclaration(name, options));
        return this;
    }

    /// <summary>A host that forwards (net.ipv4.ip_forward = 1): a router or layer-3 switch.</summary>
    public TopologyBuilder AddRouter(string name, Action<HostOptions>? configure = null) =>
        AddHost(name, options =>
        {
            options.Sysctl("net.ipv4.ip_forward", "1");
            configure?.Invoke(options);
        });

    /// <summary>
    /// A switch: forwards between its links like a router but as a layer-2 bridge does, without
    /// touching the TTL (so captures behind it show the sender's TTL, and no copy of each packet is
    /// made). Its FORWARD chain still applies, as with br_netfilter's bridge-nf-call-iptables.
    /// </summary>
    public TopologyBuilder AddSwitch(string name, Action<HostOptions>? configure = null) =>
        AddRouter(name, options =>
        {
            options.IsSwitch = true;
            configure?.Invoke(options);
        });

    /// <summary>Joins two hosts with a link (the same settings both ways unless <paramref name="reverse"/> is given).</summary>
    public TopologyBuilder Connect(string hostA, string hostB, LinkSettings? settings = null, LinkSettings? reverse = null)
    {
        foreach (var name in new[] { hostA, hostB })
        {
            if (!_hosts.Exists(h => h.Name == name))
            {
                throw new TopologyException($"cannot link unknown host '{name}'");
            }
        }

        if (hostA == hostB)
        {
            throw new TopologyException($"cannot link host '{hostA}' to itself (use its loopback)");
        }

        var forward = settings ?? LinkSettings.Instant;
        _links.Add(new LinkDeclaration(hostA, hostB, forward, reverse ?? forward));
        return this;
    }

    /// <summary>Adds a static route on <paramref name="host"/>: <paramref name="prefix"/> through its link to <paramref name="neighbour"/>.</summary>
    public TopologyBuilder Route(string host, string prefix, string neighbour)
    {
        var parsed = IPv4Prefix.TryParse(prefix, out var p) ? p : throw new TopologyException($"route on '{host}': '{prefix}' is not a prefix");
        _routes.Add((host, parsed, neighbour));
        return this;
    }

    /// <summary>Installs a protocol (such as TCP) on every host.</summary>
    public TopologyBuilder AddModule(HostModule module)
    {
        _modules.Add(module);
        return this;
    }

    public Topology Build()
    {
        var hosts = _hosts.Select((declaration, index) => CreateHost(declaration, index)).ToList();
        var byName = hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
        var links = _links.Select(declaration => CreateLink(declaration, byName)).ToList();
        foreach (var (host, declaration) in hosts.Zip(_hosts))
        {
            AssignAddresses(host, declaration.Options);
        }

        DeriveRoutes(hosts, links);
        foreach (var (hostName, prefix, via) in _routes)
        {
            var host = byName.TryGetValue(hostName, out var h) ? h : throw new TopologyException($"route on unknown host '{hostName}'");
            var link = links.Find(l => l.Joins(hostName, via)) ?? throw new TopologyException($"route on '{hostName}' via '{via}': they are not linked");
            host.Routes.Add(new Route(prefix, link.A.Host == host ? link.A : link.B));
        }

        foreach (var host in hosts)
        {
            var modules = _modules.ToList();
            system.ActorOf(Props.Create(() => new HostActor(host, modules)), host.Name);
        }

        return new Topology(system, hosts, links);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex HostNamePattern();

    private Host CreateHost(HostDeclaration declaration, int index)
    {
        var sysctls = new Sysctls();
        foreach (var (name, value) in declaration.Options.Sysctls)
        {
            try
            {
                SysctlRegistry.Set(sysctls, name, value);
            }
            catch (SysctlException error)
            {
                throw new TopologyException($"host '{declaration.Name}': {error.Message}", error);
            }
        }

        if (declaration.Options.Addresses.Count == 0 && !declaration.Options.IsLoopbackOnly)
        {
            // 10.0.0.1, 10.0.0.2, … 10.0.0.250, 10.0.1.1, …: no .0 or .255 host parts.
            uint automatic = (10u << 24) | ((uint)(index / 250) << 8) | (uint)((index % 250) + 1);
            declaration.Options.Addresses.Add(new InterfaceAddress(new IPv4Address(automatic), 8));
        }

        return new Host(system, declaration.Name, sysctls) { IsSwitch = declaration.Options.IsSwitch };
    }

    private static Link CreateLink(LinkDeclaration declaration, Dictionary<string, Host> hosts)
    {
        var a = hosts[declaration.HostA];
        var b = hosts[declaration.HostB];
        var interfaceA = a.AddInterface(NextEthernetName(a), isLoopback: false, declaration.Forward.Mtu);
        var interfaceB = b.AddInterface(NextEthernetName(b), isLoopback: false, declaration.Backward.Mtu);
        interfaceA.GsoMaxSegs = declaration.Forward.GsoMaxSegs ?? interfaceA.GsoMaxSegs;
        interfaceB.GsoMaxSegs = declaration.Backward.GsoMaxSegs ?? interfaceB.GsoMaxSegs;
        interfaceA.Wire = (interfaceB, declaration.Forward);
        interfaceB.Wire = (interfaceA, declaration.Backward);
        return new Link(interfaceA, interfaceB);
    }

    private static string NextEthernetName(Host host) => "eth" + host.Interfaces.Count(i => !i.IsLoopback);

    private static void AssignAddresses(Host host, HostOptions options)
    {
        if (options.Addresses.Count == 0)
        {
            return;
        }

        // A host without links keeps its addresses on a dummy interface, as Linux's dummy0 does.
        var target = host.Interfaces.FirstOrDefault(i => !i.IsLoopback) ?? host.AddInterface("dummy0", isLoopback: false, mtu: 1500);
        foreach (var address in options.Addresses)
        {
            try
            {
                host.AssignAddress(target, address.Address, address.PrefixLength);
            }
            catch (InvalidOperationException error)
            {
                throw new TopologyException($"host '{host.Name}': {error.Message}", error);
            }
        }
    }

    private static void DeriveRoutes(List<Host> hosts, List<Link> links)
    {
        var neighbours = hosts.ToDictionary(h => h, _ => new List<(Host Peer, NetworkInterface Via)>());
        foreach (var link in links)
        {
            neighbours[link.A.Host].Add((link.B.Host, link.A));
            neighbours[link.B.Host].Add((link.A.Host, link.B));
        }

        foreach (var host in hosts)
        {
            var adjacent = neighbours[host];
            if (adjacent.Count == 1)
            {
                host.Routes.Add(new Route(IPv4Prefix.Any, adjacent[0].Via, adjacent[0].Peer.PrimaryAddress));
                continue;
            }

            foreach (var (target, via) in ShortestFirstHops(host, neighbours))
            {
                foreach (var address in target.Addresses.Where(a => !a.IsLoopback))
                {
                    if (host.Routes.Lookup(address) is not { Destination.Length: 32 })
                    {
                        host.Routes.Add(new Route(new IPv4Prefix(address, 32), via));
                    }
                }
            }
        }
    }

    /// <summary>For every host reachable from <paramref name="origin"/>, the interface of the first hop (breadth-first).</summary>
    private static List<(Host Target, NetworkInterface Via)> ShortestFirstHops(Host origin, Dictionary<Host, List<(Host Peer, NetworkInterface Via)>> neighbours)
    {
        var firstHop = new Dictionary<Host, NetworkInterface>();
        var frontier = new Queue<Host>();
        var ordered = new List<(Host, NetworkInterface)>();
        foreach (var (peer, via) in neighbours[origin])
        {
            if (firstHop.TryAdd(peer, via))
            {
                frontier.Enqueue(peer);
            }
        }

        while (frontier.Count > 0)
        {
            var current = frontier.Dequeue();
            ordered.Add((current, firstHop[current]));
            foreach (var (peer, _) in neighbours[current])
            {
                if (peer != origin && firstHop.TryAdd(peer, firstHop[current]))
                {
                    frontier.Enqueue(peer);
                }
            }
        }

        return ordered;
    }

    /// <summary>Per-host declarations: addresses and sysctls.</summary>
    public sealed class HostOptions
    {
        internal List<InterfaceAddress> Addresses { get; } = [];

        internal List<(string Name, string Value)> Sysctls { get; } = [];

        internal bool IsLoopbackOnly { get; private set; }

        internal bool IsSwitch { get; set; }

        /// <summary>Assigns an address: <c>10.0.0.1</c> (a /32) or <c>10.0.0.1/24</c>.</summary>
        public HostOptions Address(string address)
        {
            Addresses.Add(InterfaceAddress.TryParse(address, out var parsed)
                ? parsed
                : throw new TopologyException($"'{address}' is not an IPv4 address or address/prefix-length (e.g. 10.0.0.1/24)"));
            return this;
        }

        public HostOptions Sysctl(string name, string value)
        {
            Sysctls.Add((name, value));
            return this;
        }

        /// <summary>No address but 127.0.0.1 (for single-host experiments on loopback, like the seed posts').</summary>
        public HostOptions LoopbackOnly()
        {
            IsLoopbackOnly = true;
            return this;
        }
    }

    private sealed record HostDeclaration(string Name, HostOptions Options);

    private sealed record LinkDeclaration(string HostA, string HostB, LinkSettings Forward, LinkSettings Backward);
}
