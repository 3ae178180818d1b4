using TcpActors.Runtime;

namespace TcpActors.Network;

/// <summary>A built network: its hosts (in declaration order) and links.</summary>
public sealed class Topology
{
    private readonly Dictionary<string, Host> _byName;

    internal Topology(ActorSystem system, IReadOnlyList<Host> hosts, IReadOnlyList<Link> links)
    {
        System = system;
        Hosts = hosts;
        Links = links;
        _byName = hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
    }

    public ActorSystem System { get; }

    public IReadOnlyList<Host> Hosts { get; }

    public IReadOnlyList<Link> Links { get; }

    public Host this[string name] =>
        _byName.TryGetValue(name, out var host) ? host : throw new TopologyException($"no host named '{name}' (hosts: {string.Join(", ", Hosts.Select(h => h.Name))})");

    public bool TryGetHost(string name, out Host host) => _byName.TryGetValue(name, out host!);

    /// <summary>The host that owns <paramref name="address"/>, if any (loopback addresses excluded).</summary>
    public Host? HostOwning(IPv4Address address) =>
        Hosts.FirstOrDefault(h => !address.IsLoopback && h.Interfaces.Any(i => i.Addresses.Contains(address)));

    public Link? FindLink(string hostA, string hostB) => Links.FirstOrDefault(l => l.Joins(hostA, hostB));
}

/// <summary>A topology declaration was invalid; the message says what and where.</summary>
public sealed class TopologyException : Exception
{
    public TopologyException()
    {
    }

    public TopologyException(string message)
        : base(message)
    {
    }

    public TopologyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
