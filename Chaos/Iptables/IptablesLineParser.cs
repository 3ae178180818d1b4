using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>
/// The state of parsing one iptables line: the command, the rule being built and the option tables
/// loaded so far. Words are consumed left to right as getopt_long does; checks that need the whole line
/// (options legal with the command, a complete statistic match) run at the end, as in iptables.
/// </summary>
internal sealed partial class IptablesLineParser(WordCursor cursor, Func<string, IPv4Address?> resolveHost)
{
    private readonly List<(OptionSpec Spec, CommandWord Word)> _seen = [];
    private readonly List<IMatchBuilder> _matches = [];
    private IptablesOption? _command;
    private CommandWord _commandWord;
    private FirewallChain _chain;
    private bool _hasChain;
    private int? _position;
    private bool _deleteByNumber;
    private RuleTarget _policy;
    private AddressMatch? _source;
    private AddressMatch? _destination;
    private InterfaceMatch? _inInterface;
    private InterfaceMatch? _outInterface;
    private ProtocolMatch? _protocol;
    private RuleTarget _target;
    private bool _hasTarget;
    private RejectWith _rejectWith = RejectWith.IcmpPortUnreachable;
    private CommandWord? _rejectWithWord;
    private RuleCounters _counters;
    private ListingOptions _listing;
    private TcpMatchBuilder? _tcp;
    private StatisticMatchBuilder? _statistic;
    private CommentMatchBuilder? _comment;
    private LengthMatchBuilder? _length;
    private MultiportMatchBuilder? _multiport;
    private bool _rejectLoaded;
    private bool _invert;
    private CommandWord _invertWord;

    public IptablesCommand Parse()
    {
        int start = cursor.Position;
        while (!cursor.AtEnd)
        {
            ParseWord(cursor.Next());
        }

        if (_invert)
        {
            throw cursor.ErrorAtEnd("nothing appropriate following !");
        }

        if (_command is null)
        {
            const string NoCommand = "no command specified (expected -A, -I, -D, -R, -C, -F, -Z, -P, -L or -S)";
            throw cursor.Count == start ? cursor.ErrorAtEnd(NoCommand) : cursor.ErrorAt(cursor.WordAt(start), NoCommand);
        }

        CheckOptionsAgainstCommand();
        CheckWholeRule();
        return BuildCommand();
    }

    private void ParseWord(CommandWord word)
    {
        string text = word.Text;
        if (text == "!")
        {
            TakeBang(word);
        }
        else if (text.Length > 2 && text.StartsWith("--", StringComparison.Ordinal))
        {
            ParseLongOption(word);
        }
        else if (text.Length > 1 && text[0] == '-')
        {
            ParseShortOptions(word);
        }
        else
        {
            throw cursor.ErrorAt(word, $"Bad argument `{InputText.Escape(text)}'");
        }
    }

    private void TakeBang(CommandWord word)
    {
        if (_invert)
        {
            throw cursor.ErrorAt(word, "multiple consecutive ! not allowed");
        }

        _invert = true;
        _invertWord = word;
    }

    private void ParseLongOption(CommandWord word)
    {
        string body = word.Text[2..];
        int equals = body.IndexOf('=', StringComparison.Ordinal);
        string name = equals < 0 ? body : body[..equals];
        var spec = ResolveLongOption(word, name);
        CommandWord? value = null;
        if (equals >= 0)
        {
            value = new CommandWord(body[(equals + 1)..], word.Index, word.Column + 3 + equals);
        }
        else if (spec.Argument == OptionArgument.Required)
        {
            value = NextValue(word.Text, spec);
        }

        Apply(spec, word, value);
    }

    private OptionSpec ResolveLongOption(CommandWord word, string name)
    {
        var lookup = OptionLookup.Resolve(name, ActiveTables());
        if (lookup.Found is null && CanLoadTcpImplicitly())
        {
            // iptables loads the protocol's match at the first option nothing else knows, then retries.
            LoadTcp(word, explicitly: false);
            lookup = OptionLookup.Resolve(name, ActiveTables());
        }

        if (lookup.IsAmbiguous)
        {
            var names = lookup.Candidates.Select(c => "--" + c.LongName).ToList();
            string list = string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
            throw cursor.ErrorAt(word, $"option {word.Quoted} is ambiguous (it could be {list})");
        }

        return lookup.Found ?? throw cursor.ErrorAt(word, $"unknown option {word.Quoted}{UnloadedOptionHint(name)}");
    }

    private void ParseShortOptions(CommandWord word)
    {
        string text = word.Text;
        for (int i = 1; i < text.Length; i++)
        {
            var spec = IptablesOptionTables.ShortOption(text[i])
                ?? throw cursor.ErrorAt(word, $"unknown option {InputText.Quote("-" + text[i], '"')}");
            if (spec.Argument == OptionArgument.None)
            {
                Apply(spec, word, null);
                continue;
            }

            // An option with a value takes the rest of the word (-AINPUT) or, for a required value, the next word.
            string rest = text[(i + 1)..];
            CommandWord? value = rest.Length > 0 ? new CommandWord(rest, word.Index, word.Column + i + 1) : null;
            if (value is null && spec.Argument == OptionArgument.Required)
            {
                value = NextValue("-" + text[i], spec);
            }

            Apply(spec, word, value);
            return;
        }
    }

    private CommandWord NextValue(string optionText, OptionSpec spec)
    {
        if (cursor.AtEnd)
        {
            throw cursor.ErrorAtEnd($"option {InputText.Quote(optionText, '"')} requires an argument");
        }

        var value = cursor.Next();
        if (value.Text == "!" && spec.Option is IptablesOption.Source or IptablesOption.Destination or IptablesOption.Protocol
            or IptablesOption.InInterface or IptablesOption.OutInterface or IptablesOption.SourcePort or IptablesOption.DestinationPort)
        {
            // Old iptables took "-s ! ADDRESS"; iptables 1.8 refuses it (with "Bad argument"), so say where the ! goes.
            throw cursor.ErrorAt(value, $"a ! after {InputText.Escape(optionText)} is no longer allowed (expected ! {InputText.Escape(optionText)} VALUE)");
        }

        return value;
    }

    /// <summary>The next word if it can be an optional value: present and not starting with '-' or '!'.</summary>
    private CommandWord? OptionalNextValue()
    {
        if (cursor.TryPeek(out var next) && next.Text.Length > 0 && next.Text[0] is not ('-' or '!'))
        {
            return cursor.Next();
        }

        return null;
    }

    private IEnumerable<IReadOnlyList<OptionSpec>> ActiveTables()
    {
        yield return IptablesOptionTables.Main;
        if (_tcp is not null)
        {
            yield return IptablesOptionTables.Tcp;
        }

        if (_statistic is not null)
        {
            yield return IptablesOptionTables.Statistic;
        }

        if (_comment is not null)
        {
            yield return IptablesOptionTables.Comment;
        }

        if (_length is not null)
        {
            yield return IptablesOptionTables.Length;
        }

        if (_multiport is not null)
        {
            yield return IptablesOptionTables.Multiport;
        }

        if (_rejectLoaded)
        {
            yield return IptablesOptionTables.Reject;
        }
    }

    private bool CanLoadTcpImplicitly() => _tcp is null && _protocol is { IsTcp: true };

    private string UnloadedOptionHint(string name)
    {
        (IReadOnlyList<OptionSpec> Table, bool Loaded, string Needs)[] tables =
        [
            (IptablesOptionTables.Tcp, _tcp is not null, "-p tcp"),
            (IptablesOptionTables.Statistic, _statistic is not null, "-m statistic"),
            (IptablesOptionTables.Comment, _comment is not null, "-m comment"),
            (IptablesOptionTables.Length, _length is not null, "-m length"),
            (IptablesOptionTables.Multiport, _multiport is not null, "-m multiport"),
            (IptablesOptionTables.Reject, _rejectLoaded, "-j REJECT"),
        ];
        foreach (var (table, loaded, needs) in tables)
        {
            var lookup = OptionLookup.Resolve(name, [table]);
            if (!loaded && lookup.Found is not null)
            {
                return $" (--{lookup.Found.LongName} needs {needs} before it)";
            }
        }

        return "";
    }
}
