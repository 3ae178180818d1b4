namespace TcpActors.Chaos;

/// <summary>The built-in chains of iptables' filter table (user-defined chains are not modelled).</summary>
public enum FirewallChain : byte
{
    Input,
    Forward,
    Output,
}

/// <summary>What a rule does when it matches; <see cref="None"/> is a rule without <c>-j</c>, which only counts.</summary>
public enum RuleTarget : byte
{
    None,
    Accept,
    Drop,
    Reject,
    Return,
}

public static class FirewallChainNames
{
    /// <summary>The chains in the order iptables lists them.</summary>
    public static IReadOnlyList<FirewallChain> All { get; } = [FirewallChain.Input, FirewallChain.Forward, FirewallChain.Output];

    public static string Name(this FirewallChain chain) => chain switch
    {
        FirewallChain.Input => "INPUT",
        FirewallChain.Forward => "FORWARD",
        FirewallChain.Output => "OUTPUT",
        _ => throw new ArgumentOutOfRangeException(nameof(chain), chain, null),
    };

    /// <summary>Chain names are case-sensitive, as in iptables.</summary>
    public static bool TryParse(string text, out FirewallChain chain)
    {
        (bool found, chain) = text switch
        {
            "INPUT" => (true, FirewallChain.Input),
            "FORWARD" => (true, FirewallChain.Forward),
            "OUTPUT" => (true, FirewallChain.Output),
            _ => (false, FirewallChain.Input),
        };
        return found;
    }

    public static string Name(this RuleTarget target) => target switch
    {
        RuleTarget.None => "",
        RuleTarget.Accept => "ACCEPT",
        RuleTarget.Drop => "DROP",
        RuleTarget.Reject => "REJECT",
        RuleTarget.Return => "RETURN",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    };

    /// <summary>Target names are case-sensitive, as in iptables (<c>-j drop</c> names a chain that does not exist).</summary>
    public static bool TryParseTarget(string text, out RuleTarget target)
    {
        (bool found, target) = text switch
        {
            "ACCEPT" => (true, RuleTarget.Accept),
            "DROP" => (true, RuleTarget.Drop),
            "REJECT" => (true, RuleTarget.Reject),
            "RETURN" => (true, RuleTarget.Return),
            _ => (false, RuleTarget.None),
        };
        return found;
    }
}
