using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>The result of applying one command: success with what it printed, or failure with iptables' or tc's message.</summary>
public readonly record struct CommandResult(bool Succeeded, string Text)
{
    public static CommandResult Success(string output = "") => new(true, output);

    public static CommandResult Failure(string message) => new(false, message);
}

/// <summary>
/// One host's iptables filter table: the INPUT, FORWARD and OUTPUT chains with their rules, policies and
/// counters. Hosts call <see cref="Filter"/> synchronously at their hook points (INPUT, FORWARD and
/// OUTPUT are filtered; PREROUTING and POSTROUTING have no filter table and accept). The chaos actor
/// changes the tables with <see cref="Apply"/>; both run on the simulation's single thread.
/// </summary>
public sealed partial class HostFirewall : IPacketFilter
{
    private readonly ChainState[] _chains = [new(FirewallChain.Input), new(FirewallChain.Forward), new(FirewallChain.Output)];
    private readonly RandomStream _random;
    private readonly EventChannel<PacketFiltered>? _filtered;
    private readonly EventChannel<PacketDropped>? _dropped;

    /// <param name="hostName">The host, for events.</param>
    /// <param name="random">The stream <c>-m statistic --mode random</c> draws from (e.g. <c>chaos/HOST/iptables</c>).</param>
    /// <param name="events">Where verdicts are published; null publishes nothing.</param>
    public HostFirewall(string hostName, RandomStream random, EventStream? events)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        ArgumentNullException.ThrowIfNull(random);
        HostName = hostName;
        _random = random;
        _filtered = events?.Channel<PacketFiltered>();
        _dropped = events?.Channel<PacketDropped>();
    }

    public string HostName { get; }

    /// <summary>Rules installed in all chains together.</summary>
    public int RuleCount => _chains.Sum(c => c.Rules.Length);

    public FilterVerdict Filter(Packet packet, in HookContext context)
    {
        var chain = ChainAt(context.Hook);
        if (chain is null)
        {
            return FilterVerdict.Accept;
        }

        var decision = RuleEvaluation.Traverse(chain.Rules, packet, context, _random);
        bool byPolicy = decision.Target == RuleTarget.Return;
        var target = byPolicy ? chain.CountPolicy(packet) : decision.Target;
        if (byPolicy && target == RuleTarget.Accept)
        {
            return FilterVerdict.Accept;
        }

        return Decide(packet, context, chain, target, byPolicy ? null : decision.Rule);
    }

    /// <summary>What the tables hold now: rules, policies and counters, for listings, tests and telemetry.</summary>
    public FirewallSnapshot Snapshot() => new(HostName, [.. _chains.Select(c => c.Snapshot())]);

    private ChainState? ChainAt(HookPoint hook) => hook switch
    {
        HookPoint.Input => _chains[(int)FirewallChain.Input],
        HookPoint.Forward => _chains[(int)FirewallChain.Forward],
        HookPoint.Output => _chains[(int)FirewallChain.Output],
        _ => null,
    };

    private ChainState Chain(FirewallChain chain) => _chains[(int)chain];

    private FilterVerdict Decide(Packet packet, in HookContext context, ChainState chain, RuleTarget target, FirewallRuleEntry? rule)
    {
        var action = target switch
        {
            RuleTarget.Drop => FilterAction.Drop,
            RuleTarget.Reject => FilterAction.Reject,
            _ => FilterAction.Accept,
        };
        var rejectWith = rule?.RejectWith ?? RejectWith.IcmpPortUnreachable;
        string name = rule?.Name ?? chain.PolicyName;
        Publish(packet, context, chain, rule, action, rejectWith, name);
        return new FilterVerdict(action, rejectWith, name);
    }

    private void Publish(Packet packet, in HookContext context, ChainState chain, FirewallRuleEntry? rule, FilterAction action, RejectWith rejectWith, string name)
    {
        if (_filtered is { HasSubscribers: true })
        {
            string text = rule is null ? $"-P {chain.Chain.Name()} {chain.Policy.Name()}" : rule.Rule.ToString();
            RejectWith? answer = action == FilterAction.Reject ? rejectWith : null;
            _filtered.Publish(new PacketFiltered(context.Now, HostName, context.Hook, chain.Chain, rule?.Number ?? 0, text, action, answer, packet));
        }

        if (action != FilterAction.Accept && _dropped is { HasSubscribers: true })
        {
            _dropped.Publish(new PacketDropped(context.Now, HostName, DropReason.FilterRule, name, packet));
        }
    }

    /// <summary>A chain: its rules (an array replaced on every change, so that matching walks a plain array), policy and policy counters.</summary>
    private sealed class ChainState(FirewallChain chain)
    {
        public FirewallChain Chain { get; } = chain;

        public FirewallRuleEntry[] Rules { get; private set; } = [];

        public RuleTarget Policy { get; private set; } = RuleTarget.Accept;

        public string PolicyName { get; private set; } = $"{chain.Name()} policy ACCEPT";

        public long PolicyPackets { get; set; }

        public long PolicyBytes { get; set; }

        public RuleTarget CountPolicy(Packet packet)
        {
            PolicyPackets++;
            PolicyBytes += packet.IpLength;
            return Policy;
        }

        public void SetPolicy(RuleTarget policy)
        {
            Policy = policy;
            PolicyName = $"{Chain.Name()} policy {policy.Name()}";
        }

        public void SetRules(List<FirewallRuleEntry> rules)
        {
            for (int i = 0; i < rules.Count; i++)
            {
                if (rules[i].Chain != Chain)
                {
                    throw new InvalidOperationException($"a rule of {rules[i].Chain.Name()} cannot go into {Chain.Name()}");
                }

                rules[i].Renumber(i + 1);
            }

            Rules = [.. rules];
        }

        public ChainSnapshot Snapshot() => new(
            Chain,
            Policy,
            new RuleCounters(PolicyPackets, PolicyBytes),
            [.. Rules.Select(r => new RuleSnapshot(r.Number, r.Rule, r.Counters))]);
    }
}

/// <summary>A host's filter table at one moment.</summary>
public sealed record FirewallSnapshot(string HostName, IReadOnlyList<ChainSnapshot> Chains)
{
    public ChainSnapshot this[FirewallChain chain] => Chains.First(c => c.Chain == chain);
}

/// <summary>A chain at one moment: policy, policy counters and rules in order.</summary>
public sealed record ChainSnapshot(FirewallChain Chain, RuleTarget Policy, RuleCounters PolicyCounters, IReadOnlyList<RuleSnapshot> Rules);

/// <summary>A rule at one moment, with its 1-based number in the chain and its counters.</summary>
public sealed record RuleSnapshot(int Number, FirewallRule Rule, RuleCounters Counters);
