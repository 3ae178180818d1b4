namespace TcpActors.Chaos;

/// <summary>Walks the words of one command line and builds errors that point at a word or at the end of the line.</summary>
internal sealed class WordCursor(IReadOnlyList<CommandWord> words, int lineLength)
{
    public int Position { get; set; }

    public bool AtEnd => Position >= words.Count;

    public int Count => words.Count;

    public CommandWord Peek() => words[Position];

    public bool TryPeek(out CommandWord word)
    {
        word = AtEnd ? default : words[Position];
        return !AtEnd;
    }

    public CommandWord Next() => words[Position++];

    public CommandWord WordAt(int index) => words[index];

#pragma warning disable CA1822 // An instance method, so that every error is raised through the cursor of the line.
    public ChaosParseException ErrorAt(CommandWord word, string message) => new(message, word.Index, word.Column, word.Text);
#pragma warning restore CA1822

    /// <summary>An error for a line that ended where more was needed; it points one column past the end.</summary>
    public ChaosParseException ErrorAtEnd(string message) => new(message, words.Count, lineLength + 1, null);
}
