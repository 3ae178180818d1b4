using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>Changes to the tables, with iptables' messages when a change is impossible.</summary>
public sealed partial class HostFirewall
{
    private const string BadRule = "iptables: Bad rule (does a matching rule exist in that chain?).";

    /// <summary>Applies a parsed command; listings print through <paramref name="addressNames"/> when not numeric.</summary>
    /// <param name="command">The command.</param>
    /// <param name="addressNames">Names for addresses in listings without <c>-n</c> (a simulation passes its host names); 127.0.0.1 is always <c>localhost</c>.</param>
    public CommandResult Apply(IptablesCommand command, Func<IPv4Address, string?>? addressNames = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            IptablesCommand.Append append => Insert(append.Chain, Chain(append.Chain).Rules.Length + 1, append.Rule),
            IptablesCommand.Insert insert => Insert(insert.Chain, insert.Position, insert.Rule),
            IptablesCommand.Replace replace => Replace(replace.Chain, replace.Position, replace.Rule),
            IptablesCommand.Delete delete => Delete(delete.Chain, IndexOf(delete.Chain, delete.Rule) + 1, BadRule),
            IptablesCommand.DeleteNumber delete => Delete(delete.Chain, delete.Position, "iptables: Index of deletion too big."),
            IptablesCommand.Check check => IndexOf(check.Chain, check.Rule) >= 0 ? CommandResult.Success() : CommandResult.Failure(BadRule),
            IptablesCommand.Flush flush => Flush(flush.Chain),
            IptablesCommand.Zero zero => Zero(zero.Chain, zero.Position),
            IptablesCommand.SetPolicy policy => SetPolicy(policy.Chain, policy.Policy),
            IptablesCommand.List list => CommandResult.Success(IptablesListing.List(Snapshot(), list.Chain, list.Position, list.Options, addressNames)),
            IptablesCommand.ListRules rules => CommandResult.Success(IptablesListing.ListRules(Snapshot(), rules.Chain, rules.Position)),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown iptables command"),
        };
    }

    /// <summary>Parses and applies one iptables line (parse errors propagate as <see cref="ChaosParseException"/>).</summary>
    public CommandResult Apply(string line) => Apply(IptablesParser.Parse(line));

    /// <summary>Removes every rule carrying <c>-m comment --comment <paramref name="comment"/></c> (how the nemeses undo themselves); returns how many.</summary>
    public int RemoveRulesWithComment(string comment)
    {
        int removed = 0;
        foreach (var chain in _chains)
        {
            var kept = chain.Rules.Where(r => !r.Rule.Matches.OfType<CommentMatch>().Any(c => c.Text == comment)).ToList();
            removed += chain.Rules.Length - kept.Count;
            chain.SetRules(kept);
        }

        return removed;
    }

    private CommandResult Insert(FirewallChain chain, int position, FirewallRule rule)
    {
        var state = Chain(chain);
        if (position < 1 || position > state.Rules.Length + 1)
        {
            return CommandResult.Failure("iptables: Index of insertion too big.");
        }

        var rules = state.Rules.ToList();
        rules.Insert(position - 1, new FirewallRuleEntry(chain, rule));
        state.SetRules(rules);
        return CommandResult.Success();
    }

    private CommandResult Replace(FirewallChain chain, int position, FirewallRule rule)
    {
        var state = Chain(chain);
        if (position < 1 || position > state.Rules.Length)
        {
            return CommandResult.Failure("iptables: Index of replacement too big.");
        }

        var rules = state.Rules.ToList();
        rules[position - 1] = new FirewallRuleEntry(chain, rule);
        state.SetRules(rules);
        return CommandResult.Success();
    }

    private CommandResult Delete(FirewallChain chain, int position, string failure)
    {
        var state = Chain(chain);
        if (position < 1 || position > state.Rules.Length)
        {
            return CommandResult.Failure(failure);
        }

        var rules = state.Rules.ToList();
        rules.RemoveAt(position - 1);
        state.SetRules(rules);
        return CommandResult.Success();
    }

    private int IndexOf(FirewallChain chain, FirewallRule rule) =>
        Array.FindIndex(Chain(chain).Rules, entry => entry.Rule.SameSpecification(rule));

    private CommandResult Flush(FirewallChain? chain)
    {
        foreach (var state in Selected(chain))
        {
            state.SetRules([]);
        }

        return CommandResult.Success();
    }

    private CommandResult Zero(FirewallChain? chain, int? position)
    {
        foreach (var state in Selected(chain))
        {
            if (position is { } number)
            {
                // Like iptables, a rule number past the end zeroes nothing and is no error.
                state.Rules.ElementAtOrDefault(number - 1)?.ResetCounters();
                continue;
            }

            Array.ForEach(state.Rules, r => r.ResetCounters());
            state.PolicyPackets = 0;
            state.PolicyBytes = 0;
        }

        return CommandResult.Success();
    }

    private CommandResult SetPolicy(FirewallChain chain, RuleTarget policy)
    {
        Chain(chain).SetPolicy(policy);
        return CommandResult.Success();
    }

    private ChainState[] Selected(FirewallChain? chain) => chain is { } one ? [Chain(one)] : _chains;
}
