using System.Globalization;
using TcpActors.Network;

namespace TcpActors.Chaos;

/// <summary>An extension match being parsed; it checks itself once the whole line is read, as libxtables' final checks do.</summary>
internal interface IMatchBuilder
{
    /// <summary>The <c>-m</c> word (or the option that loaded the match), for errors about the match as a whole.</summary>
    CommandWord LoadedBy { get; }

    RuleMatch Build(WordCursor cursor);
}

/// <summary>Collects <c>--sport</c>, <c>--dport</c>, <c>--syn</c> and <c>--tcp-flags</c>.</summary>
internal sealed class TcpMatchBuilder(CommandWord loadedBy, bool explicitly) : IMatchBuilder
{
    /// <summary>The value of <c>--syn</c>: SYN set, RST, ACK and FIN clear.</summary>
    private static readonly TcpFlags s_synMask = TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Ack | TcpFlags.Fin;

    private PortRange? _sourcePorts;
    private PortRange? _destinationPorts;
    private TcpFlagsMatch? _flags;

    public CommandWord LoadedBy => loadedBy;

    /// <summary>Loaded by <c>-m tcp</c> rather than by <c>-p tcp</c> and a tcp option.</summary>
    public bool Explicitly => explicitly;

    public void Apply(WordCursor cursor, OptionSpec spec, CommandWord word, CommandWord? value, bool inverted)
    {
        switch (spec.Option)
        {
            case IptablesOption.SourcePort:
                _sourcePorts = ParsePorts(cursor, word, value!.Value, inverted, _sourcePorts, "--source-port");
                break;
            case IptablesOption.DestinationPort:
                _destinationPorts = ParsePorts(cursor, word, value!.Value, inverted, _destinationPorts, "--destination-port");
                break;
            case IptablesOption.Syn:
                EnsureNoFlags(cursor, word);
                _flags = new TcpFlagsMatch(s_synMask, TcpFlags.Syn, inverted);
                break;
            default:
                EnsureNoFlags(cursor, word);
                _flags = ParseFlags(cursor, word, value!.Value, inverted);
                break;
        }
    }

    public RuleMatch Build(WordCursor cursor) => new TcpMatch(_sourcePorts, _destinationPorts, _flags);

    private static PortRange ParsePorts(WordCursor cursor, CommandWord word, CommandWord value, bool inverted, PortRange? existing, string longName)
    {
        if (existing is not null)
        {
            throw cursor.ErrorAt(word, $"Only one `{longName}' allowed");
        }

        string? error = IptablesValues.TryParsePortRange(value.Text, inverted, out var range);
        return error is null ? range : throw cursor.ErrorAt(value, error + " (expected a port, a service name or a range FIRST:LAST)");
    }

    private void EnsureNoFlags(WordCursor cursor, CommandWord word)
    {
        if (_flags is not null)
        {
            throw cursor.ErrorAt(word, "Only one of `--syn' or `--tcp-flags' allowed");
        }
    }

    /// <summary>getopt gives --tcp-flags one value; iptables takes the next word as the second unless it looks like an option.</summary>
    private static TcpFlagsMatch ParseFlags(WordCursor cursor, CommandWord word, CommandWord maskWord, bool inverted)
    {
        if (!cursor.TryPeek(out var comparisonWord) || comparisonWord.Text.Length == 0 || comparisonWord.Text[0] is '-' or '!')
        {
            throw cursor.ErrorAt(word, "--tcp-flags requires two args. (expected MASK COMPARISON, e.g. --tcp-flags SYN,ACK SYN)");
        }

        cursor.Next();
        var mask = ParseFlagList(cursor, maskWord);
        var comparison = ParseFlagList(cursor, comparisonWord);
        return new TcpFlagsMatch(mask, comparison, inverted);
    }

    private static TcpFlags ParseFlagList(WordCursor cursor, CommandWord word) =>
        TcpFlagNames.TryParse(word.Text, out var flags, out string bad)
            ? flags
            : throw cursor.ErrorAt(word, $"Unknown TCP flag `{InputText.Escape(bad)}' (expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE, separated by commas)");
}

/// <summary>Collects <c>--mode</c>, <c>--probability</c>, <c>--every</c> and <c>--packet</c>; checks them together at the end.</summary>
internal sealed class StatisticMatchBuilder(CommandWord loadedBy) : IMatchBuilder
{
    private (StatisticMode Mode, CommandWord Word)? _mode;
    private (double Value, CommandWord Word)? _probability;
    private (uint Value, CommandWord Word)? _every;
    private (uint Value, CommandWord Word)? _packet;
    private bool _inverted;

    public CommandWord LoadedBy => loadedBy;

    public void Apply(WordCursor cursor, OptionSpec spec, CommandWord word, CommandWord value, bool inverted)
    {
        _inverted |= inverted;
        switch (spec.Option)
        {
            case IptablesOption.Mode:
                EnsureOnce(cursor, word, _mode is not null, "mode");
                _mode = (ParseMode(cursor, value), word);
                break;
            case IptablesOption.Probability:
                EnsureOnce(cursor, word, _probability is not null, "probability");
                _probability = (ParseProbability(cursor, value), word);
                break;
            case IptablesOption.Every:
                EnsureOnce(cursor, word, _every is not null, "every");
                _every = ((uint)ParseNumber(cursor, value, "every", 1), word);
                break;
            default:
                EnsureOnce(cursor, word, _packet is not null, "packet");
                _packet = ((uint)ParseNumber(cursor, value, "packet", 0), word);
                break;
        }
    }

    public RuleMatch Build(WordCursor cursor)
    {
        var (mode, _) = _mode ?? throw cursor.ErrorAt(loadedBy, "statistic: option \"--mode\" must be specified (expected --mode random or --mode nth)");
        if (_probability is { } probability && _every is not null)
        {
            throw cursor.ErrorAt(probability.Word, "statistic: option \"--probability\" cannot be used together with \"--every\".");
        }

        return mode == StatisticMode.Random ? BuildRandom(cursor) : BuildNth(cursor);
    }

    private StatisticMatch BuildRandom(WordCursor cursor)
    {
        if ((_every ?? _packet) is { } nthOnly)
        {
            throw cursor.ErrorAt(nthOnly.Word, "--every and --packet can only be used in nth mode");
        }

        var (probability, _) = _probability
            ?? throw cursor.ErrorAt(_mode!.Value.Word, "--probability must be specified when using random mode");
        return StatisticMatch.RandomMode(probability, _inverted);
    }

    private StatisticMatch BuildNth(WordCursor cursor)
    {
        if (_probability is { } probability)
        {
            throw cursor.ErrorAt(probability.Word, "--probability can only be used in random mode");
        }

        // iptables 1.8.9 also insists on --packet; TcpActors lets it default to 0, as older iptables did.
        var (every, _) = _every ?? throw cursor.ErrorAt(_mode!.Value.Word, "--every must be specified when using nth mode");
        uint packet = _packet?.Value ?? 0;
        if (packet > every - 1)
        {
            throw cursor.ErrorAt(_packet!.Value.Word, "the --packet p must be 0 <= p <= n-1");
        }

        return StatisticMatch.NthMode(every, packet, _inverted);
    }

    private static void EnsureOnce(WordCursor cursor, CommandWord word, bool alreadySeen, string name)
    {
        if (alreadySeen)
        {
            throw cursor.ErrorAt(word, $"statistic: option \"--{name}\" can only be used once.");
        }
    }

    private static StatisticMode ParseMode(WordCursor cursor, CommandWord value) => value.Text switch
    {
        "random" => StatisticMode.Random,
        "nth" => StatisticMode.Nth,
        _ => throw cursor.ErrorAt(value, $"Bad mode {value.Quoted} (expected random or nth)"),
    };

    private static double ParseProbability(WordCursor cursor, CommandWord value)
    {
        bool ok = double.TryParse(value.Text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double probability)
            && probability is >= 0.0 and <= 1.0;
        return ok ? probability : throw cursor.ErrorAt(value, "statistic: bad value for option \"--probability\", or out of range (0-1).");
    }

    private static ulong ParseNumber(WordCursor cursor, CommandWord value, string name, ulong minimum)
    {
        bool ok = IptablesValues.TryParseDecimal(value.Text, uint.MaxValue, out ulong number) && number >= minimum;
        return ok ? number : throw cursor.ErrorAt(value, $"statistic: bad value for option \"--{name}\", or out of range ({minimum}-4294967295).");
    }
}

/// <summary>Collects <c>--comment</c>.</summary>
internal sealed class CommentMatchBuilder(CommandWord loadedBy) : IMatchBuilder
{
    /// <summary>XT_MAX_COMMENT_LEN (256) less the terminating zero.</summary>
    private const int CommentLengthMax = 255;

    private string? _text;

    public CommandWord LoadedBy => loadedBy;

    public void Apply(WordCursor cursor, CommandWord word, CommandWord value)
    {
        if (_text is not null)
        {
            throw cursor.ErrorAt(word, "comment: option \"--comment\" can only be used once.");
        }

        _text = value.Text.Length <= CommentLengthMax
            ? value.Text
            : throw cursor.ErrorAt(value, $"comment: option \"--comment\" must be at most {CommentLengthMax} characters long");
    }

    public RuleMatch Build(WordCursor cursor) =>
        new CommentMatch(_text ?? throw cursor.ErrorAt(loadedBy, "comment: option \"--comment\" must be specified"));
}
