using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>Which side closes a connection first (and so keeps the TIME_WAIT).</summary>
public enum Closer
{
    Client,
    Server,
}

/// <summary>
/// A load run: many client hosts opening short or keep-alive connections to a few server hosts behind
/// one switch, at a rate (open loop) or with a fixed number of connections in flight (closed loop).
/// </summary>
public sealed record LoadSettings
{
    public int Clients { get; init; } = 1;

    public int Servers { get; init; } = 1;

    /// <summary>New connections per second, over all clients (open loop). Exclusive with <see cref="Concurrency"/>.</summary>
    public double? Rate { get; init; }

    /// <summary>Connections kept in flight, over all clients (closed loop).</summary>
    public int? Concurrency { get; init; }

    /// <summary>constant (evenly spaced) or poisson arrivals for an open loop.</summary>
    public string Arrival { get; init; } = "constant";

    public Duration Duration { get; init; } = Duration.FromSeconds(10);

    /// <summary>How long to keep running after the load stops, so TIME_WAIT can expire (default 61 s).</summary>
    public Duration Drain { get; init; } = Duration.FromSeconds(61);

    public Closer Close { get; init; } = Closer.Client;

    /// <summary>SO_LINGER seconds for the side that closes (0 = abort with RST, no TIME_WAIT), or null.</summary>
    public int? Linger { get; init; }

    public int RequestsPerConnection { get; init; } = 1;

    public Distribution RequestBytes { get; init; } = Distribution.Fixed(100);

    public Distribution ResponseBytes { get; init; } = Distribution.Fixed(1000);

    /// <summary>Think time between a response and the next request on a kept-alive connection, or before reconnecting in a closed loop.</summary>
    public Distribution ThinkTime { get; init; } = Distribution.Fixed(0);

    /// <summary>How long the server takes to answer a request.</summary>
    public Distribution ServiceTime { get; init; } = Distribution.Fixed(0);

    public ushort Port { get; init; } = 80;

    /// <summary>
    /// Clients and servers on one host over <c>lo</c>, as a load generator and a service on one machine (or the
    /// kernel benchmark of docs/PERFORMANCE.md): the host is <c>client-1</c> and also runs the one listening application;
    /// the servers are its addresses 127.0.0.1 to 127.0.0.<see cref="Servers"/>, the clients <see cref="Clients"/>
    /// applications of that host. Loopback connections come under tcp_tw_reuse's default (2). No switch, no links:
    /// <see cref="LinkDelay"/> plays no part, and netem goes on <c>lo</c>.
    /// </summary>
    public bool Loopback { get; init; }

    /// <summary>Propagation delay of every host's link to the switch.</summary>
    public Duration LinkDelay { get; init; } = Duration.FromMicroseconds(25);

    public long LinkBandwidthBitsPerSecond { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>sysctls for every host, then for one side (name, value).</summary>
    public IReadOnlyList<(string Name, string Value)> Sysctls { get; init; } = [];

    public IReadOnlyList<(string Name, string Value)> ClientSysctls { get; init; } = [];

    public IReadOnlyList<(string Name, string Value)> ServerSysctls { get; init; } = [];

    /// <summary>iptables lines, each optionally prefixed with the hosts it applies to (<c>servers:</c>, <c>clients:</c>, <c>switch:</c>, a host name, <c>all:</c>).</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    /// <summary>netem settings (<c>delay 20ms 5ms loss 0.5%</c>) for the egress of every client and server, or prefixed like rules.</summary>
    public IReadOnlyList<string> Netem { get; init; } = [];

    /// <summary>Where each of <see cref="Rules"/> was written, when a workload file gave them (errors then name the file's line).</summary>
    public IReadOnlyList<SourceSpan> RuleSpans { get; init; } = [];

    /// <summary>Where each of <see cref="Netem"/> was written, when a workload file gave them.</summary>
    public IReadOnlyList<SourceSpan> NetemSpans { get; init; } = [];

    /// <summary>Safety bounds.</summary>
    public RunLimits Limits { get; init; } = new(20_000_000_000, SimTime.FromSeconds(30 * 24 * 3600));
}
