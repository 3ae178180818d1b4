namespace TcpActors.Chaos;

/// <summary>
/// Parses netem's options as tc 6.1 does (<c>delay 20ms 5ms 25% distribution normal loss 0.5%</c>): keywords
/// may be abbreviated to any prefix, tried in tc's order (so <c>d</c> is delay and <c>r</c> is reorder);
/// optional values (jitter, correlations, gemodel's R, 1-H, 1-K) are taken only when the next word
/// starts with a digit. Errors use tc's words and add what was expected.
/// </summary>
public static class NetemParser
{
    /// <summary>The netem part alone, as the <c>--netem</c> command-line option takes it; throws <see cref="ChaosParseException"/>.</summary>
    public static NetemSettings Parse(string options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cursor = new WordCursor(CommandLineSplitter.Split(options), options.Length);
        if (cursor.TryPeek(out var first) && first.Text == "netem")
        {
            cursor.Next();
        }

        return Parse(cursor);
    }

    internal static NetemSettings Parse(WordCursor cursor) => new NetemOptionsParser(cursor).Parse();
}

/// <summary>The state of parsing one netem option list.</summary>
internal sealed class NetemOptionsParser(WordCursor cursor)
{
    private const string Incomplete = "Command line is not complete. Try option \"help\"";

    private NetemSettings _settings = new();
    private CommandWord? _reorderWord;
    private CommandWord? _gapWord;
    private CommandWord? _distributionWord;
    private bool _lossGiven;
    private bool _correlationGiven;
    private NetemProbability _duplicateCorrelation;

    public NetemSettings Parse()
    {
        while (!cursor.AtEnd)
        {
            ParseKeyword(cursor.Next());
        }

        return Finish();
    }

    private void ParseKeyword(CommandWord word)
    {
        string text = word.Text;
        if (TcValues.Matches(text, "limit"))
        {
            var value = NextValue(word, "PACKETS");
            _settings = _settings with { Limit = TcValues.TryParseSize(value.Text, out uint limit) ? limit : throw Illegal(value, "limit", "a number of packets") };
        }
        else if (TcValues.Matches(text, "latency") || TcValues.Matches(text, "delay"))
        {
            ParseDelay(word);
        }
        else if (TcValues.Matches(text, "loss") || TcValues.Matches(text, "drop"))
        {
            ParseLoss(word);
        }
        else
        {
            ParseOtherKeyword(word);
        }
    }

    private void ParseOtherKeyword(CommandWord word)
    {
        string text = word.Text;
        if (TcValues.Matches(text, "ecn"))
        {
            throw cursor.ErrorAt(word, "ecn is not supported by TcpActors (its segments carry no ECN codepoint)");
        }

        if (TcValues.Matches(text, "reorder"))
        {
            _reorderWord = word;
            var (probability, correlation) = ProbabilityWithCorrelation(word, "reorder");
            _settings = _settings with { Reorder = probability, ReorderCorrelation = correlation, Attributes = _settings.Attributes | NetemAttributes.Reorder };
        }
        else if (TcValues.Matches(text, "corrupt"))
        {
            var (probability, correlation) = ProbabilityWithCorrelation(word, "corrupt");
            _settings = _settings with { Corrupt = probability, CorruptCorrelation = correlation, Attributes = _settings.Attributes | NetemAttributes.Corrupt };
        }
        else if (TcValues.Matches(text, "gap"))
        {
            _gapWord = word;
            var value = NextValue(word, "DISTANCE");
            _settings = _settings with { Gap = TcValues.TryParseUnsigned(value.Text, out uint gap) ? gap : throw Illegal(value, "gap", "a number of packets") };
        }
        else
        {
            ParseLaterKeyword(word);
        }
    }

    private void ParseLaterKeyword(CommandWord word)
    {
        string text = word.Text;
        if (TcValues.Matches(text, "duplicate"))
        {
            ParseDuplicate(word);
        }
        else if (TcValues.Matches(text, "distribution"))
        {
            ParseDistribution(word);
        }
        else if (TcValues.Matches(text, "rate"))
        {
            ParseRate(word);
        }
        else if (TcValues.Matches(text, "slot"))
        {
            throw cursor.ErrorAt(word, "slot is not supported by TcpActors (expected delay, loss, duplicate, reorder, corrupt or rate)");
        }
        else
        {
            throw cursor.ErrorAt(word, $"What is {InputText.Quote(text, '"')}? (expected a netem option: limit, delay, distribution, loss, duplicate, reorder, gap, corrupt or rate)");
        }
    }

    private void ParseDelay(CommandWord word)
    {
        var latency = Ticks(NextValue(word, "TIME"));
        var jitter = 0L;
        var correlation = _settings.DelayCorrelation;
        if (NextStartsWithDigit())
        {
            jitter = Ticks(cursor.Next());
            if (NextStartsWithDigit())
            {
                _correlationGiven = true;
                correlation = Percent(cursor.Next(), "latency");
            }
        }

        // The kernel caps jitter at INT_MAX nanoseconds, the range tabledist works in.
        _settings = _settings with
        {
            Latency = new Runtime.Duration(latency),
            Jitter = new Runtime.Duration(Math.Min(jitter, int.MaxValue)),
            DelayCorrelation = correlation,
        };
    }

    private long Ticks(CommandWord value)
    {
        if (TcValues.TryParseTicks(value.Text, out long nanoseconds, out bool tooLarge))
        {
            return nanoseconds;
        }

        throw tooLarge
            ? cursor.ErrorAt(value, $"Illegal \"latency\": {InputText.Escape(value.Text)} is too large (expected at most about 274s)")
            : Illegal(value, "latency", "a time such as 20ms, 1.5s or 100us");
    }

    private void ParseLoss(CommandWord word)
    {
        if (_lossGiven && !(_settings.Loss is RandomLoss { Probability.IsZero: true }))
        {
            throw cursor.ErrorAt(word, "Illegal \"duplicate loss argument\" (expected loss once)");
        }

        _lossGiven = true;
        var model = NextValue(word, "random PERCENT, state P13 or gemodel PERCENT");
        if (TcValues.StartsWithDigit(model.Text))
        {
            ParseRandomLoss(model);
        }
        else if (model.Text == "random")
        {
            ParseRandomLoss(NextValue(model, "PERCENT"));
        }
        else if (model.Text == "state")
        {
            _settings = _settings with { Loss = ParseFourState(model) };
        }
        else if (model.Text == "gemodel")
        {
            _settings = _settings with { Loss = ParseGilbertElliott(model) };
        }
        else
        {
            throw cursor.ErrorAt(model, $"Unknown loss parameter: {InputText.Escape(model.Text)} (expected random, state, gemodel or a percentage)");
        }
    }

    private void ParseRandomLoss(CommandWord value)
    {
        var probability = Percent(value, "loss percent");
        var correlation = _settings.LossCorrelation;
        if (NextStartsWithDigit())
        {
            _correlationGiven = true;
            correlation = Percent(cursor.Next(), "loss correlation");
        }

        _settings = _settings with { Loss = new RandomLoss(probability), LossCorrelation = correlation };
    }

    /// <summary>P13 [P31 [P32 [P23 P14]]], with tc's defaults P31 = 1 − P13, P32 = 0, P23 = 1, P14 = 0.</summary>
    private FourStateLoss ParseFourState(CommandWord keyword)
    {
        var p13 = Percent(NextValue(keyword, "P13"), "loss p13");
        var loss = new FourStateLoss(p13, NetemProbability.FromFraction(1.0 - p13.Fraction), NetemProbability.Zero, NetemProbability.Always, NetemProbability.Zero);
        if (NextStartsWithDigit())
        {
            loss = loss with { P31 = Percent(cursor.Next(), "loss p31") };
            if (NextStartsWithDigit())
            {
                loss = loss with { P32 = Percent(cursor.Next(), "loss p32") };
                if (NextStartsWithDigit())
                {
                    loss = loss with { P23 = Percent(cursor.Next(), "loss p23") };
                    loss = NextStartsWithDigit() ? loss with { P14 = Percent(cursor.Next(), "loss p14") } : loss;
                }
            }
        }

        return loss;
    }

    /// <summary>P [R [1-H [1-K]]], with tc 6.1's defaults R = 1 − P, 1-H = 100% (H = 0), 1-K = 0.</summary>
    private GilbertElliottLoss ParseGilbertElliott(CommandWord keyword)
    {
        var p = Percent(NextValue(keyword, "PERCENT"), "loss gemodel p");
        var loss = new GilbertElliottLoss(p, NetemProbability.FromFraction(1.0 - p.Fraction), NetemProbability.Zero, NetemProbability.Zero);
        if (NextStartsWithDigit())
        {
            loss = loss with { R = Percent(cursor.Next(), "loss gemodel r") };
            if (NextStartsWithDigit())
            {
                // The option is 1-H; the kernel wants H.
                var oneMinusH = Percent(cursor.Next(), "loss gemodel h");
                loss = loss with { H = new NetemProbability(uint.MaxValue - oneMinusH.Scaled) };
                loss = NextStartsWithDigit() ? loss with { K1 = Percent(cursor.Next(), "loss gemodel k") } : loss;
            }
        }

        return loss;
    }

    private void ParseDuplicate(CommandWord word)
    {
        var probability = Percent(NextValue(word, "PERCENT"), "duplicate");
        if (NextStartsWithDigit())
        {
            // tc 6.1 reads this correlation but sends it only when another correlation is given (see Finish).
            _duplicateCorrelation = Percent(cursor.Next(), "duplicate");
        }

        _settings = _settings with { Duplicate = probability };
    }

    private void ParseDistribution(CommandWord word)
    {
        _distributionWord = word;
        var name = NextValue(word, "normal, pareto, paretonormal or uniform");
        var distribution = name.Text switch
        {
            "normal" => NetemDistribution.Normal,
            "pareto" => NetemDistribution.Pareto,
            "paretonormal" => NetemDistribution.ParetoNormal,
            "uniform" => NetemDistribution.Uniform,
            _ => throw cursor.ErrorAt(name, $"No distribution data for {InputText.Escape(name.Text)} (expected normal, pareto, paretonormal or uniform)"),
        };
        _settings = _settings with { Distribution = distribution, Attributes = _settings.Attributes | NetemAttributes.Distribution };
    }

    private void ParseRate(CommandWord word)
    {
        var value = NextValue(word, "RATE");
        if (value.Text.Contains('%', StringComparison.Ordinal))
        {
            throw cursor.ErrorAt(value, "Illegal \"rate\": a percentage of the device speed is not supported (expected a rate such as 1mbit)");
        }

        ulong rate = TcValues.TryParseRate(value.Text, out ulong bytes) ? bytes : throw Illegal(value, "rate", "a rate such as 100kbit, 1mbit or 1gbit");
        _settings = _settings with { RateBytesPerSecond = rate, PacketOverhead = 0, CellSize = 0, CellOverhead = 0, Attributes = _settings.Attributes | NetemAttributes.Rate };
        if (NextStartsWith(signed: true))
        {
            var overhead = cursor.Next();
            _settings = _settings with { PacketOverhead = TcValues.TryParseSigned(overhead.Text, out int bytesAdded) ? bytesAdded : throw Illegal(overhead, "rate", "a packet overhead in bytes") };
            ParseCells();
        }
    }

    private void ParseCells()
    {
        if (!NextStartsWithDigit())
        {
            return;
        }

        var size = cursor.Next();
        _settings = _settings with { CellSize = TcValues.TryParseUnsigned(size.Text, out uint cell) ? cell : throw Illegal(size, "rate", "a cell size in bytes") };
        if (NextStartsWith(signed: true))
        {
            var overhead = cursor.Next();
            _settings = _settings with { CellOverhead = TcValues.TryParseSigned(overhead.Text, out int cellOverhead) ? cellOverhead : throw Illegal(overhead, "rate", "a cell overhead in bytes") };
        }
    }

    private (NetemProbability Probability, NetemProbability Correlation) ProbabilityWithCorrelation(CommandWord word, string name)
    {
        var probability = Percent(NextValue(word, "PERCENT"), name);
        var correlation = NetemProbability.Zero;
        if (NextStartsWithDigit())
        {
            _correlationGiven = true;
            correlation = Percent(cursor.Next(), name);
        }

        return (probability, correlation);
    }

    /// <summary>tc's checks after the loop: reorder needs a delay (and gets gap 1), gap needs reorder, a distribution needs jitter.</summary>
    private NetemSettings Finish()
    {
        if (!_settings.Reorder.IsZero)
        {
            if (_settings.Latency == Runtime.Duration.Zero)
            {
                throw cursor.ErrorAt(_reorderWord!.Value, "reordering not possible without specifying some delay (expected delay TIME before or after reorder)");
            }

            _settings = _settings.Gap == 0 ? _settings with { Gap = 1 } : _settings;
        }
        else if (_settings.Gap > 0)
        {
            throw cursor.ErrorAt(_gapWord!.Value, "gap specified without reorder probability (expected reorder PERCENT)");
        }

        if (_distributionWord is { } distribution && (_settings.Latency == Runtime.Duration.Zero || _settings.Jitter == Runtime.Duration.Zero))
        {
            throw cursor.ErrorAt(distribution, "distribution specified but no latency and jitter values (expected delay TIME JITTER)");
        }

        // tc marks the correlation attribute present for delay, loss, reorder and corrupt correlations but not for
        // duplicate's own, so "duplicate 10% 50%" alone leaves the kernel's duplicate correlation at 0.
        return _correlationGiven
            ? _settings with { DuplicateCorrelation = _duplicateCorrelation, Attributes = _settings.Attributes | NetemAttributes.Correlation }
            : _settings;
    }

    private CommandWord NextValue(CommandWord keyword, string expected) =>
        cursor.AtEnd ? throw cursor.ErrorAtEnd($"{Incomplete} (expected {expected} after {keyword.Quoted})") : cursor.Next();

    private bool NextStartsWithDigit() => NextStartsWith(signed: false);

    private bool NextStartsWith(bool signed) =>
        cursor.TryPeek(out var next) && (TcValues.StartsWithDigit(next.Text) || (signed && next.Text.StartsWith('-')));

    private NetemProbability Percent(CommandWord value, string name) =>
        TcValues.TryParsePercent(value.Text, out var probability) ? probability : throw Illegal(value, name, "a percentage from 0% to 100%");

    private ChaosParseException Illegal(CommandWord value, string name, string expected) =>
        cursor.ErrorAt(value, $"Illegal \"{name}\" (expected {expected}, got {value.Quoted})");
}
