using System.Globalization;

namespace TcpActors.Chaos;

/// <summary>
/// The one error a chaos parser throws: what is wrong, in the words iptables or tc would use, and
/// where, so that a caller can print <c>file:line:col: message</c> (see <see cref="Format"/>).
/// </summary>
public sealed class ChaosParseException : Exception
{
    public ChaosParseException()
        : this("invalid chaos command", 0, 1, null)
    {
    }

    public ChaosParseException(string message)
        : this(message, 0, 1, null)
    {
    }

    public ChaosParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Column = 1;
    }

    public ChaosParseException(string message, int wordIndex, int column, string? word)
        : base(message)
    {
        WordIndex = wordIndex;
        Column = column;
        Word = word;
    }

    /// <summary>The 0-based index of the offending word in the line; the word count when the line ended too early.</summary>
    public int WordIndex { get; }

    /// <summary>The 1-based character column where the offending word starts (one past the end when the line ended too early).</summary>
    public int Column { get; }

    /// <summary>The 0-based character offset of <see cref="Column"/> in the line.</summary>
    public int Offset => Column - 1;

    /// <summary>The offending word, or null when the line ended too early.</summary>
    public string? Word { get; }

    /// <summary>The compiler-style form <c>source:line:col: message</c>.</summary>
    public string Format(string source, int line) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{Column}: {Message}");

    public override string ToString() => Word is null
        ? string.Create(CultureInfo.InvariantCulture, $"column {Column} (end of line): {Message}")
        : string.Create(CultureInfo.InvariantCulture, $"column {Column} (word {WordIndex + 1} {InputText.Quote(Word, '"')}): {Message}");
}
