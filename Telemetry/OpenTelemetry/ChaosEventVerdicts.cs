using TcpActors.Chaos;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Chaos verdicts read from the Chaos project's own events: every iptables decision (<see cref="PacketFiltered"/>:
/// DROP, REJECT or a matching ACCEPT, with the rule as <c>iptables -S</c> prints it) and every netem action
/// (<see cref="PacketImpaired"/>: delay, reorder, loss, queue overflow, duplicate, corruption).
/// </summary>
public sealed class ChaosEventVerdicts(EventStream events) : IChaosVerdictSource
{
    public IDisposable Subscribe(Action<ChaosVerdict> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var filtered = events.Subscribe<PacketFiltered>(e => handler(new ChaosVerdict(e.Time, e.HostName, $"{e.Chain} rule {e.RuleNumber}: {e.Rule}", KindOf(e.Action), e.Packet)));
        var impaired = events.Subscribe<PacketImpaired>(e =>
        {
            string rule = $"netem on {e.InterfaceName}";
            handler(new ChaosVerdict(e.Time, e.HostName, rule, KindOf(e.Outcome), e.Packet));
            if (e.Duplicate)
            {
                handler(new ChaosVerdict(e.Time, e.HostName, rule, ChaosVerdictKind.Duplicate, e.Packet));
            }

            if (e.Corrupted)
            {
                handler(new ChaosVerdict(e.Time, e.HostName, rule, ChaosVerdictKind.Corrupt, e.Packet));
            }
        });
        return new CompositeDisposable(filtered, impaired);
    }

    private static ChaosVerdictKind KindOf(FilterAction action) => action switch
    {
        FilterAction.Drop => ChaosVerdictKind.Drop,
        FilterAction.Reject => ChaosVerdictKind.Reject,
        _ => ChaosVerdictKind.Accept,
    };

    private static ChaosVerdictKind KindOf(NetemOutcome outcome) => outcome switch
    {
        NetemOutcome.Lost => ChaosVerdictKind.Loss,
        NetemOutcome.QueueFull => ChaosVerdictKind.QueueFull,
        NetemOutcome.Reordered => ChaosVerdictKind.Reorder,
        _ => ChaosVerdictKind.Delay,
    };
}
