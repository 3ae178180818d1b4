namespace TcpActors.Chaos;

/// <summary>How <c>iptables -L</c> prints: <c>-v</c> (counters and interfaces), <c>-n</c> (numbers, not names), <c>-x</c> (exact counters), <c>--line-numbers</c>.</summary>
public readonly record struct ListingOptions(bool Verbose, bool Numeric, bool Exact, bool LineNumbers);

/// <summary>One parsed iptables command line (the filter table only). Rule positions are 1-based, as iptables counts.</summary>
public abstract record IptablesCommand : ChaosCommand
{
    private protected IptablesCommand()
    {
    }

    /// <summary><c>-A CHAIN rule</c>.</summary>
    public sealed record Append(FirewallChain Chain, FirewallRule Rule) : IptablesCommand;

    /// <summary><c>-I CHAIN [POSITION] rule</c> (position 1 when omitted).</summary>
    public sealed record Insert(FirewallChain Chain, int Position, FirewallRule Rule) : IptablesCommand;

    /// <summary><c>-R CHAIN POSITION rule</c>.</summary>
    public sealed record Replace(FirewallChain Chain, int Position, FirewallRule Rule) : IptablesCommand;

    /// <summary><c>-D CHAIN rule</c>: deletes the first rule with the same specification.</summary>
    public sealed record Delete(FirewallChain Chain, FirewallRule Rule) : IptablesCommand;

    /// <summary><c>-D CHAIN POSITION</c>.</summary>
    public sealed record DeleteNumber(FirewallChain Chain, int Position) : IptablesCommand;

    /// <summary><c>-C CHAIN rule</c>: succeeds when a rule with the same specification exists.</summary>
    public sealed record Check(FirewallChain Chain, FirewallRule Rule) : IptablesCommand;

    /// <summary><c>-F [CHAIN]</c>: removes every rule of the chain, or of all chains.</summary>
    public sealed record Flush(FirewallChain? Chain) : IptablesCommand;

    /// <summary><c>-Z [CHAIN [POSITION]]</c>: zeroes counters.</summary>
    public sealed record Zero(FirewallChain? Chain, int? Position) : IptablesCommand;

    /// <summary><c>-P CHAIN ACCEPT|DROP</c>.</summary>
    public sealed record SetPolicy(FirewallChain Chain, RuleTarget Policy) : IptablesCommand;

    /// <summary><c>-L [CHAIN [POSITION]] [-v] [-n] [-x] [--line-numbers]</c>.</summary>
    public sealed record List(FirewallChain? Chain, int? Position, ListingOptions Options) : IptablesCommand;

    /// <summary><c>-S [CHAIN [POSITION]]</c>: the rules as commands.</summary>
    public sealed record ListRules(FirewallChain? Chain, int? Position) : IptablesCommand;
}
