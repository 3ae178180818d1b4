using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>The whole-line checks iptables makes after reading every option, and the command they yield.</summary>
internal sealed partial class IptablesLineParser
{
    /// <summary>The commands that take a rule specification.</summary>
    private bool TakesRule => _command is IptablesOption.Append or IptablesOption.Insert or IptablesOption.Replace
        or IptablesOption.Check || (_command == IptablesOption.Delete && !_deleteByNumber);

    /// <summary>iptables' table of legal option and command combinations, reduced to the options TcpActors supports.</summary>
    private void CheckOptionsAgainstCommand()
    {
        foreach (var (spec, word) in _seen)
        {
            bool legal = spec.Option switch
            {
                IptablesOption.Source or IptablesOption.Destination or IptablesOption.Protocol or IptablesOption.Jump
                    or IptablesOption.InInterface or IptablesOption.OutInterface or IptablesOption.Match => TakesRule,
                IptablesOption.SetCounters => _command is IptablesOption.Append or IptablesOption.Insert or IptablesOption.Replace,
                IptablesOption.Numeric or IptablesOption.Exact or IptablesOption.LineNumbers => _command == IptablesOption.List,
                _ => true,
            };
            if (!legal)
            {
                string shown = spec.Option == IptablesOption.LineNumbers ? "--line-numbers" : spec.DisplayName;
                throw cursor.ErrorAt(word, $"Illegal option `{shown}' with this command");
            }
        }
    }

    private void CheckWholeRule()
    {
        if (!TakesRule)
        {
            return;
        }

        CheckInterfacesAgainstChain();
        if (_tcp is { Explicitly: true } && _protocol is not { IsTcp: true })
        {
            throw cursor.ErrorAt(_tcp.LoadedBy, "TCP match requires '-p tcp'");
        }

        if (_target == RuleTarget.Reject && _rejectWith == RejectWith.TcpReset && _protocol is not { IsTcp: true })
        {
            // The kernel refuses this (RULE_APPEND failed (Invalid argument)): a TCP reset needs a TCP segment.
            throw cursor.ErrorAt(_rejectWithWord!.Value, "--reject-with tcp-reset is only valid with -p tcp (the kernel refuses the rule: Invalid argument)");
        }
    }

    private void CheckInterfacesAgainstChain()
    {
        if (_chain == FirewallChain.Input && _outInterface is not null)
        {
            throw cursor.ErrorAt(WordOf(IptablesOption.OutInterface), "Can't use -o with INPUT");
        }

        if (_chain == FirewallChain.Output && _inInterface is not null)
        {
            throw cursor.ErrorAt(WordOf(IptablesOption.InInterface), "Can't use -i with OUTPUT");
        }
    }

    private CommandWord WordOf(IptablesOption option) => _seen.First(s => s.Spec.Option == option).Word;

    private FirewallRule BuildRule() => new()
    {
        Source = _source,
        Destination = _destination,
        InInterface = _inInterface,
        OutInterface = _outInterface,
        Protocol = _protocol,
        Matches = [.. _matches.Select(m => m.Build(cursor))],
        Target = _target,
        RejectWith = _rejectWith,
        InitialCounters = _counters,
    };

    private IptablesCommand BuildCommand()
    {
        FirewallChain? chain = _hasChain ? _chain : null;
        return _command switch
        {
            IptablesOption.Append => new IptablesCommand.Append(_chain, BuildRule()),
            IptablesOption.Insert => new IptablesCommand.Insert(_chain, _position!.Value, BuildRule()),
            IptablesOption.Replace => new IptablesCommand.Replace(_chain, _position!.Value, BuildRule()),
            IptablesOption.Check => new IptablesCommand.Check(_chain, BuildRule()),
            IptablesOption.Delete when _deleteByNumber => new IptablesCommand.DeleteNumber(_chain, _position!.Value),
            IptablesOption.Delete => new IptablesCommand.Delete(_chain, BuildRule()),
            IptablesOption.Flush => new IptablesCommand.Flush(chain),
            IptablesOption.Zero => new IptablesCommand.Zero(chain, _position),
            IptablesOption.Policy => new IptablesCommand.SetPolicy(_chain, _policy),
            IptablesOption.List => new IptablesCommand.List(chain, _position, _listing),
            IptablesOption.ListRules => new IptablesCommand.ListRules(chain, _position),
            _ => throw new InvalidOperationException($"command {_command} has no builder"),
        };
    }
}
