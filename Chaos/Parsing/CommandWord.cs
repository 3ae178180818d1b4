namespace TcpActors.Chaos;

/// <summary>One word of a command line and where it starts (1-based column), for error messages.</summary>
public readonly record struct CommandWord(string Text, int Index, int Column)
{
    /// <summary>The word as error messages show it: in double quotes, escaped and cut (<see cref="InputText.Quote"/>).</summary>
    public string Quoted => InputText.Quote(Text, '"');

    public override string ToString() => Text;
}

/// <summary>
/// Splits a command line into words the way a shell would for the lines users paste: runs of spaces
/// or tabs separate words; single or double quotes group a word (<c>--comment "no entry"</c>) and are
/// removed. There are no escapes or expansions: chaos lines are data, not scripts.
/// </summary>
public static class CommandLineSplitter
{
    /// <summary>The words of <paramref name="line"/>; throws <see cref="ChaosParseException"/> for an unterminated quote.</summary>
    public static IReadOnlyList<CommandWord> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<CommandWord>();
        int at = 0;
        while (at < line.Length)
        {
            if (line[at] is ' ' or '\t')
            {
                at++;
                continue;
            }

            int start = at;
            var text = new System.Text.StringBuilder();
            while (at < line.Length && line[at] is not (' ' or '\t'))
            {
                at = line[at] is '\'' or '"' ? ReadQuoted(line, at, text, words.Count) : AppendOne(line, at, text);
            }

            words.Add(new CommandWord(text.ToString(), words.Count, start + 1));
        }

        return words;
    }

    private static int AppendOne(string line, int at, System.Text.StringBuilder text)
    {
        text.Append(line[at]);
        return at + 1;
    }

    private static int ReadQuoted(string line, int at, System.Text.StringBuilder text, int wordIndex)
    {
        char quote = line[at];
        int close = line.IndexOf(quote, at + 1);
        if (close < 0)
        {
            throw new ChaosParseException($"unterminated {(quote == '"' ? "double" : "single")} quote (expected a closing {quote})", wordIndex, at + 1, line[at..]);
        }

        text.Append(line, at + 1, close - at - 1);
        return close + 1;
    }
}
