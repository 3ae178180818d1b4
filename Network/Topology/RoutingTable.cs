namespace TcpActors.Network;

/// <summary>A route: packets for <see cref="Destination"/> leave by <see cref="Interface"/>.</summary>
/// <param name="Destination">The prefix this route covers.</param>
/// <param name="Interface">The interface packets leave by.</param>
/// <param name="Gateway">The next hop, or null for a directly connected network (informational: links are point to point).</param>
public sealed record Route(IPv4Prefix Destination, NetworkInterface Interface, IPv4Address? Gateway = null)
{
    public override string ToString() =>
        Gateway is { } via ? $"{Destination} via {via} dev {Interface.Name}" : $"{Destination} dev {Interface.Name}";
}

/// <summary>
/// Longest-prefix-match routing. Host routes (/32) are kept in a dictionary because a router in a load
/// run has one per attached host (thousands); shorter prefixes are few and scanned longest first.
/// </summary>
public sealed class RoutingTable
{
    private readonly Dictionary<uint, Route> _hostRoutes = [];
    private readonly List<Route> _prefixRoutes = [];

    /// <summary>Every route, host routes first (sorted by address), then by decreasing prefix length.</summary>
    public IEnumerable<Route> Routes =>
        _hostRoutes.Values.OrderBy(route => route.Destination.Address).Concat(_prefixRoutes);

    public void Add(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Destination.Length == 32)
        {
            _hostRoutes[route.Destination.Address.Value] = route;
            return;
        }

        _prefixRoutes.RemoveAll(existing => existing.Destination == route.Destination);
        int at = _prefixRoutes.FindIndex(existing => existing.Destination.Length < route.Destination.Length);
        _prefixRoutes.Insert(at < 0 ? _prefixRoutes.Count : at, route);
    }

    public Route? Lookup(IPv4Address destination)
    {
        if (_hostRoutes.TryGetValue(destination.Value, out var hostRoute))
        {
            return hostRoute;
        }

        foreach (var route in _prefixRoutes)
        {
            if (route.Destination.Contains(destination))
            {
                return route;
            }
        }

        return null;
    }
}
