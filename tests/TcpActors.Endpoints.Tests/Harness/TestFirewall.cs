using TcpActors.Chaos;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>A rule line for one chain: <see cref="Text"/> is what follows <c>iptables -A</c>, e.g. <c>INPUT -s 10.0.1.2 -m length --length 53:65535 -j DROP</c>.</summary>
internal sealed record DropRule(HookPoint Chain, string Text);

/// <summary>
/// A host's firewall for the kernel experiments: the Chaos project's <see cref="HostFirewall"/>, driven by
/// the same iptables lines the experiments ran. Counts matches per rule, keeping the count of a deleted rule.
/// </summary>
internal sealed class TestFirewall(string hostName) : IPacketFilter
{
    private readonly HostFirewall _firewall = new(hostName, new RandomStream(1), events: null);
    private readonly List<DropRule> _rules = [];
    private readonly Dictionary<DropRule, long> _deletedMatches = [];

    public void Append(DropRule rule)
    {
        Run("iptables -A " + rule.Text);
        _rules.Add(rule);
    }

    public void Delete(DropRule rule)
    {
        long matches = LiveMatchCount(rule);
        Run("iptables -D " + rule.Text);
        _rules.Remove(rule);
        _deletedMatches[rule] = _deletedMatches.GetValueOrDefault(rule) + matches;
    }

    public int MatchCount(DropRule rule) => (int)(LiveMatchCount(rule) + _deletedMatches.GetValueOrDefault(rule));

    public FilterVerdict Filter(Packet packet, in HookContext context) => _firewall.Filter(packet, context);

    private long LiveMatchCount(DropRule rule)
    {
        int position = _rules.Where(r => r.Chain == rule.Chain).ToList().IndexOf(rule);
        return position < 0 ? 0 : _firewall.Snapshot()[ChainOf(rule.Chain)].Rules[position].Counters.Packets;
    }

    private void Run(string line)
    {
        var result = _firewall.Apply(line);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{line}: {result.Text}");
        }
    }

    private static FirewallChain ChainOf(HookPoint hook) => hook switch
    {
        HookPoint.Input => FirewallChain.Input,
        HookPoint.Output => FirewallChain.Output,
        HookPoint.Forward => FirewallChain.Forward,
        _ => throw new ArgumentOutOfRangeException(nameof(hook), hook, "iptables' filter table has INPUT, FORWARD and OUTPUT only"),
    };
}
