namespace TcpActors.Network;

/// <summary>
/// A connection's identity as seen from one host: (local address, local port, remote address, remote port).
/// The key of the established and TIME_WAIT tables, so equality and hashing are hand-written and cheap.
/// </summary>
public readonly struct FourTuple : IEquatable<FourTuple>
{
    public FourTuple(SocketAddress local, SocketAddress remote)
    {
        LocalAddress = local.Address;
        RemoteAddress = remote.Address;
        LocalPort = local.Port;
        RemotePort = remote.Port;
    }

    public FourTuple(IPv4Address localAddress, ushort localPort, IPv4Address remoteAddress, ushort remotePort)
    {
        LocalAddress = localAddress;
        LocalPort = localPort;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
    }

    public IPv4Address LocalAddress { get; }

    public IPv4Address RemoteAddress { get; }

    public ushort LocalPort { get; }

    public ushort RemotePort { get; }

    public SocketAddress Local => new(LocalAddress, LocalPort);

    public SocketAddress Remote => new(RemoteAddress, RemotePort);

    /// <summary>The same connection seen from the other end.</summary>
    public FourTuple Reversed => new(RemoteAddress, RemotePort, LocalAddress, LocalPort);

    public static bool operator ==(FourTuple left, FourTuple right) => left.Equals(right);

    public static bool operator !=(FourTuple left, FourTuple right) => !left.Equals(right);

    public bool Equals(FourTuple other) =>
        LocalAddress.Value == other.LocalAddress.Value && RemoteAddress.Value == other.RemoteAddress.Value
        && LocalPort == other.LocalPort && RemotePort == other.RemotePort;

    public override bool Equals(object? obj) => obj is FourTuple other && Equals(other);

    public override int GetHashCode()
    {
        // A cheap deterministic mix (no per-process random seed, unlike HashCode.Combine).
        ulong x = ((ulong)LocalAddress.Value << 32) ^ RemoteAddress.Value;
        x ^= ((ulong)LocalPort << 16 | RemotePort) * 0x9E3779B97F4A7C15UL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        return (int)(x ^ (x >> 32));
    }

    public override string ToString() => $"{Local} -> {Remote}";
}
