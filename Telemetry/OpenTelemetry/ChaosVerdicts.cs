using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>What a chaos rule did to a packet.</summary>
public enum ChaosVerdictKind : byte
{
    /// <summary>An iptables rule (or policy) with target DROP.</summary>
    Drop,

    /// <summary>An iptables rule with target REJECT (dropped and answered).</summary>
    Reject,

    /// <summary>An iptables rule with target ACCEPT matched (counted, nothing happened).</summary>
    Accept,

    /// <summary>Lost by a netem loss model.</summary>
    Loss,

    /// <summary>Dropped because a netem queue held its limit.</summary>
    QueueFull,

    /// <summary>Held back by netem delay, jitter or rate.</summary>
    Delay,

    /// <summary>Sent ahead of the queue by netem reorder.</summary>
    Reorder,

    /// <summary>Copied by netem duplicate.</summary>
    Duplicate,

    /// <summary>A bit flipped by netem corrupt.</summary>
    Corrupt,
}

/// <summary>One decision of a chaos rule about one packet, as telemetry records it.</summary>
/// <param name="Rule">The rule as its owner names it (<c>INPUT rule 1: -A INPUT -p tcp --dport 80 -j DROP</c>, <c>netem loss 10% on eth0</c>).</param>
public sealed record ChaosVerdict(SimTime Time, string HostName, string Rule, ChaosVerdictKind Kind, Packet Packet);

/// <summary>
/// Where chaos verdicts come from. The Chaos project's firewall and netem publish richer events of their
/// own; an adapter over them implements this. Until one is passed, <see cref="DroppedPacketVerdicts"/>
/// derives the verdicts that discard packets from Network's <see cref="PacketDropped"/> events.
/// </summary>
public interface IChaosVerdictSource
{
    /// <summary>Calls <paramref name="handler"/> for every verdict, on the simulation's thread, until the result is disposed.</summary>
    IDisposable Subscribe(Action<ChaosVerdict> handler);
}

/// <summary>
/// Chaos verdicts read from <see cref="PacketDropped"/>: <see cref="DropReason.FilterRule"/> is a DROP or
/// REJECT rule (the two cannot be told apart there, so both count as <see cref="ChaosVerdictKind.Drop"/>),
/// <see cref="DropReason.NetemLoss"/> a netem loss, <see cref="DropReason.NetemQueueFull"/> a netem limit.
/// The rule is the drop's detail. Verdicts that keep the packet (ACCEPT rules, netem delay, duplicate,
/// reorder, corrupt) are not visible in drops and need the Chaos project's events.
/// </summary>
public sealed class DroppedPacketVerdicts(EventStream events) : IChaosVerdictSource
{
    /// <summary>Whether a drop of this reason is a chaos rule's doing (and so reported as a verdict rather than a plain drop).</summary>
    public static bool IsChaosReason(DropReason reason) =>
        reason is DropReason.FilterRule or DropReason.NetemLoss or DropReason.NetemQueueFull;

    public IDisposable Subscribe(Action<ChaosVerdict> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return events.Subscribe<PacketDropped>(dropped =>
        {
            if (IsChaosReason(dropped.Reason))
            {
                handler(new ChaosVerdict(dropped.Time, dropped.HostName, dropped.Detail ?? TelemetryValues.Reason(dropped.Reason), KindOf(dropped.Reason), dropped.Packet));
            }
        });
    }

    private static ChaosVerdictKind KindOf(DropReason reason) => reason switch
    {
        DropReason.NetemLoss => ChaosVerdictKind.Loss,
        DropReason.NetemQueueFull => ChaosVerdictKind.QueueFull,
        _ => ChaosVerdictKind.Drop,
    };
}
