using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>What each option does to the command being built.</summary>
internal sealed partial class IptablesLineParser
{
    private void Apply(OptionSpec spec, CommandWord word, CommandWord? value)
    {
        _seen.Add((spec, word));
        bool inverted = TakeInversion(spec, word);
        switch (spec.Option)
        {
            case IptablesOption.Append or IptablesOption.Delete or IptablesOption.Insert or IptablesOption.Replace
                or IptablesOption.Check or IptablesOption.List or IptablesOption.ListRules or IptablesOption.Flush
                or IptablesOption.Zero or IptablesOption.Policy:
                ApplyCommand(spec, word, value);
                break;
            case IptablesOption.Source or IptablesOption.Destination:
                ApplyAddress(spec, word, value!.Value, inverted);
                break;
            case IptablesOption.InInterface or IptablesOption.OutInterface:
                ApplyInterface(spec, word, value!.Value, inverted);
                break;
            case IptablesOption.Protocol:
                ApplyProtocol(word, value!.Value, inverted);
                break;
            case IptablesOption.Jump:
                ApplyJump(word, value!.Value);
                break;
            case IptablesOption.Match:
                ApplyMatch(word, value!.Value);
                break;
            default:
                ApplyOther(spec, word, value, inverted);
                break;
        }
    }

    private void ApplyOther(OptionSpec spec, CommandWord word, CommandWord? value, bool inverted)
    {
        switch (spec.Option)
        {
            case IptablesOption.Numeric:
                _listing = _listing with { Numeric = true };
                break;
            case IptablesOption.Verbose:
                _listing = _listing with { Verbose = true };
                break;
            case IptablesOption.Exact:
                _listing = _listing with { Exact = true };
                break;
            case IptablesOption.LineNumbers:
                _listing = _listing with { LineNumbers = true };
                break;
            case IptablesOption.Table:
                ApplyTable(value!.Value);
                break;
            case IptablesOption.Wait:
                SkipWaitSeconds(value);
                break;
            case IptablesOption.WaitInterval:
                break;
            case IptablesOption.SetCounters:
                ApplyCounters(word, value!.Value);
                break;
            case IptablesOption.NewChain or IptablesOption.DeleteChain or IptablesOption.RenameChain or IptablesOption.Goto:
                throw cursor.ErrorAt(word, $"option {word.Quoted} is not supported: user-defined chains are not modelled (expected the built-in INPUT, FORWARD and OUTPUT chains)");
            case IptablesOption.Fragment or IptablesOption.Version or IptablesOption.Help or IptablesOption.Modprobe
                or IptablesOption.Ipv4 or IptablesOption.Ipv6 or IptablesOption.TcpOption:
                throw cursor.ErrorAt(word, $"option {word.Quoted} is not supported by TcpActors");
            default:
                ApplyExtensionOption(spec, word, value, inverted);
                break;
        }
    }

    /// <summary>-w [SECONDS] waits for the xtables lock; a simulation has no lock, so the option and its seconds are skipped.</summary>
    private void SkipWaitSeconds(CommandWord? inlineSeconds)
    {
        if (inlineSeconds is null && cursor.TryPeek(out var next) && next.Text.Length > 0 && next.Text.All(char.IsAsciiDigit))
        {
            cursor.Next();
        }
    }

    private void ApplyExtensionOption(OptionSpec spec, CommandWord word, CommandWord? value, bool inverted)
    {
        switch (spec.Option)
        {
            case IptablesOption.SourcePort or IptablesOption.DestinationPort or IptablesOption.Syn or IptablesOption.TcpFlags:
                _tcp!.Apply(cursor, spec, word, value, inverted);
                break;
            case IptablesOption.Mode or IptablesOption.Probability or IptablesOption.Every or IptablesOption.Packet:
                _statistic!.Apply(cursor, spec, word, value!.Value, inverted);
                break;
            case IptablesOption.Comment:
                _comment!.Apply(cursor, word, value!.Value);
                break;
            case IptablesOption.Length:
                _length!.Apply(cursor, word, value!.Value, inverted);
                break;
            case IptablesOption.SourcePorts or IptablesOption.DestinationPorts or IptablesOption.Ports:
                _multiport!.Apply(cursor, spec, word, value!.Value, inverted, _protocol);
                break;
            case IptablesOption.RejectWith:
                ApplyRejectWith(word, value!.Value);
                break;
            default:
                throw new InvalidOperationException($"option {spec.Option} has no handler");
        }
    }

    /// <summary>Consumes a pending <c>!</c>; options that cannot be inverted refuse it with iptables' words.</summary>
    private bool TakeInversion(OptionSpec spec, CommandWord word)
    {
        if (!_invert)
        {
            return false;
        }

        _invert = false;
        bool invertible = spec.Option is IptablesOption.Source or IptablesOption.Destination or IptablesOption.Protocol
            or IptablesOption.InInterface or IptablesOption.OutInterface or IptablesOption.Fragment
            or IptablesOption.SourcePort or IptablesOption.DestinationPort or IptablesOption.Syn or IptablesOption.TcpFlags
            or IptablesOption.TcpOption or IptablesOption.Probability or IptablesOption.Every or IptablesOption.Length
            or IptablesOption.SourcePorts or IptablesOption.DestinationPorts or IptablesOption.Ports;
        if (invertible)
        {
            return true;
        }

        string owner = spec.Option switch
        {
            IptablesOption.Mode or IptablesOption.Packet => "statistic: ",
            IptablesOption.Comment => "comment: ",
            IptablesOption.RejectWith => "REJECT: ",
            _ => "",
        };
        throw owner.Length == 0
            ? cursor.ErrorAt(_invertWord, $"cannot have ! before {spec.DisplayName}")
            : cursor.ErrorAt(_invertWord, $"{owner}option \"--{spec.LongName}\" cannot be inverted.");
    }

    private void ApplyCommand(OptionSpec spec, CommandWord word, CommandWord? value)
    {
        if (_command is not null)
        {
            throw cursor.ErrorAt(word, $"Cannot use {spec.DisplayName} with {InputText.Escape(_commandWord.Text)}");
        }

        _command = spec.Option;
        _commandWord = word;
        switch (spec.Option)
        {
            case IptablesOption.Append or IptablesOption.Check:
                SetChain(value!.Value);
                break;
            case IptablesOption.Delete:
                SetChain(value!.Value);
                _position = OptionalRuleNumber();
                _deleteByNumber = _position is not null;
                break;
            case IptablesOption.Insert:
                SetChain(value!.Value);
                _position = OptionalRuleNumber() ?? 1;
                break;
            case IptablesOption.Replace:
                SetChain(value!.Value);
                _position = OptionalRuleNumber() ?? throw NeedsRuleNumber(word);
                break;
            case IptablesOption.Policy:
                ApplyPolicy(value!.Value);
                break;
            default:
                ApplyOptionalChain(spec, value);
                break;
        }
    }

    private ChaosParseException NeedsRuleNumber(CommandWord word) =>
        cursor.AtEnd ? cursor.ErrorAtEnd($"{InputText.Escape(word.Text)} requires a rule number") : cursor.ErrorAt(cursor.Peek(), $"{InputText.Escape(word.Text)} requires a rule number");

    /// <summary>-L, -S, -F and -Z take an optional chain; -L, -S and -Z also an optional rule number after it.</summary>
    private void ApplyOptionalChain(OptionSpec spec, CommandWord? value)
    {
        var chainWord = value ?? OptionalNextValue();
        if (chainWord is null)
        {
            return;
        }

        SetChain(chainWord.Value);
        if (spec.Option != IptablesOption.Flush)
        {
            _position = OptionalRuleNumber();
        }
    }

    private int? OptionalRuleNumber()
    {
        var numberWord = OptionalNextValue();
        if (numberWord is null)
        {
            return null;
        }

        return IptablesValues.TryParseRuleNumber(numberWord.Value.Text, out int number)
            ? number
            : throw cursor.ErrorAt(numberWord.Value, $"Invalid rule number `{InputText.Escape(numberWord.Value.Text)}' (expected a positive number)");
    }

    private void SetChain(CommandWord word)
    {
        if (!FirewallChainNames.TryParse(word.Text, out _chain))
        {
            throw cursor.ErrorAt(word, $"No chain/target/match by that name: {word.Quoted} (expected INPUT, FORWARD or OUTPUT)");
        }

        _hasChain = true;
    }

    private void ApplyPolicy(CommandWord chainWord)
    {
        SetChain(chainWord);
        var policyWord = OptionalNextValue()
            ?? throw (cursor.AtEnd ? cursor.ErrorAtEnd("-P requires a chain and a policy") : cursor.ErrorAt(cursor.Peek(), "-P requires a chain and a policy"));
        if (policyWord.Text is not ("ACCEPT" or "DROP"))
        {
            throw cursor.ErrorAt(policyWord, $"Bad policy name {policyWord.Quoted} (expected ACCEPT or DROP)");
        }

        _policy = policyWord.Text == "ACCEPT" ? RuleTarget.Accept : RuleTarget.Drop;
    }

    private void ApplyAddress(OptionSpec spec, CommandWord word, CommandWord value, bool inverted)
    {
        bool isSource = spec.Option == IptablesOption.Source;
        if ((isSource ? _source : _destination) is not null)
        {
            throw cursor.ErrorAt(word, $"multiple -{spec.ShortName} flags not allowed");
        }

        string? error = IptablesValues.TryParsePrefix(value.Text, resolveHost, out var prefix);
        if (error is not null)
        {
            throw cursor.ErrorAt(value, error + " (expected an address or CIDR prefix such as 10.0.0.1 or 10.0.0.0/8)");
        }

        var match = new AddressMatch(prefix, inverted);
        (isSource ? ref _source : ref _destination) = match;
    }

    private void ApplyInterface(OptionSpec spec, CommandWord word, CommandWord value, bool inverted)
    {
        bool isIn = spec.Option == IptablesOption.InInterface;
        if ((isIn ? _inInterface : _outInterface) is not null)
        {
            throw cursor.ErrorAt(word, $"multiple -{spec.ShortName} flags not allowed");
        }

        if (value.Text.Length > IptablesValues.InterfaceNameLengthMax)
        {
            throw cursor.ErrorAt(value, $"interface name `{InputText.Escape(value.Text)}' must be shorter than IFNAMSIZ ({IptablesValues.InterfaceNameLengthMax})");
        }

        if (value.Text.Length == 0 || value.Text.Contains(' ', StringComparison.Ordinal))
        {
            throw cursor.ErrorAt(value, $"Warning: weird character in interface `{InputText.Escape(value.Text)}' (expected an interface name such as eth0 or eth+)");
        }

        (isIn ? ref _inInterface : ref _outInterface) = new InterfaceMatch(value.Text, inverted);
    }

    private void ApplyProtocol(CommandWord word, CommandWord value, bool inverted)
    {
        if (_protocol is not null)
        {
            throw cursor.ErrorAt(word, "multiple -p flags not allowed");
        }

        if (!ProtocolNames.TryParse(value.Text, out byte number))
        {
            throw cursor.ErrorAt(value, $"unknown protocol {value.Quoted} specified (expected tcp, udp, icmp, all or a number 0-255)");
        }

        if (number == 0 && inverted)
        {
            throw cursor.ErrorAt(value, "rule would never match protocol (! -p all)");
        }

        _protocol = new ProtocolMatch(number, inverted);
    }

    private void ApplyJump(CommandWord word, CommandWord value)
    {
        if (_hasTarget)
        {
            throw cursor.ErrorAt(word, "multiple -j flags not allowed");
        }

        if (!FirewallChainNames.TryParseTarget(value.Text, out _target))
        {
            throw cursor.ErrorAt(value, $"Chain {InputText.Quote(value.Text)} does not exist (expected ACCEPT, DROP, REJECT or RETURN; user-defined chains are not modelled)");
        }

        _hasTarget = true;
        _rejectLoaded = _target == RuleTarget.Reject;
    }

    private void ApplyMatch(CommandWord word, CommandWord value)
    {
        switch (value.Text)
        {
            case "tcp" when _tcp is null:
                LoadTcp(word, explicitly: true);
                break;
            case "statistic" when _statistic is null:
                _statistic = new StatisticMatchBuilder(word);
                _matches.Add(_statistic);
                break;
            case "comment" when _comment is null:
                _comment = new CommentMatchBuilder(word);
                _matches.Add(_comment);
                break;
            case "length" when _length is null:
                _length = new LengthMatchBuilder(word);
                _matches.Add(_length);
                break;
            case "multiport" when _multiport is null:
                _multiport = new MultiportMatchBuilder(word);
                _matches.Add(_multiport);
                break;
            case "tcp" or "statistic" or "comment" or "length" or "multiport":
                throw cursor.ErrorAt(value, $"match `{InputText.Escape(value.Text)}' may be given only once per rule in TcpActors");
            default:
                throw cursor.ErrorAt(value, $"Couldn't load match `{InputText.Escape(value.Text)}':No such file or directory (expected tcp, statistic, comment, length or multiport)");
        }
    }

    private void LoadTcp(CommandWord word, bool explicitly)
    {
        _tcp = new TcpMatchBuilder(word, explicitly);
        _matches.Add(_tcp);
    }

    private void ApplyTable(CommandWord value)
    {
        if (value.Text != "filter")
        {
            throw cursor.ErrorAt(value, $"table {InputText.Quote(value.Text)} is not supported (TcpActors models the filter table only)");
        }
    }

    private void ApplyCounters(CommandWord word, CommandWord packets)
    {
        var bytes = OptionalNextValue()
            ?? throw cursor.ErrorAt(word, "-c requires packet and byte counter");
        if (!IptablesValues.TryParseCounter(packets.Text, out long packetCount))
        {
            throw cursor.ErrorAt(packets, "-c packet counter not numeric");
        }

        if (!IptablesValues.TryParseCounter(bytes.Text, out long byteCount))
        {
            throw cursor.ErrorAt(bytes, "-c byte counter not numeric");
        }

        _counters = new RuleCounters(packetCount, byteCount);
    }

    private void ApplyRejectWith(CommandWord word, CommandWord value)
    {
        if (_rejectWithWord is not null)
        {
            throw cursor.ErrorAt(word, "REJECT: option \"--reject-with\" can only be used once.");
        }

        if (!RejectNames.TryParse(value.Text, out _rejectWith))
        {
            throw cursor.ErrorAt(value, $"unknown reject type {value.Quoted} (expected tcp-reset or an icmp type such as icmp-port-unreachable)");
        }

        _rejectWithWord = value;
    }
}
