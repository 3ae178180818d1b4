namespace TcpActors.Chaos;

/// <summary>Collects <c>--length</c>, read as libxtables reads an XTTYPE_UINT16RC value: <c>N</c>, <c>N:M</c>, <c>:M</c> or <c>N:</c>.</summary>
internal sealed class LengthMatchBuilder(CommandWord loadedBy) : IMatchBuilder
{
    private LengthMatch? _length;

    public CommandWord LoadedBy => loadedBy;

    public void Apply(WordCursor cursor, CommandWord word, CommandWord value, bool inverted)
    {
        if (_length is not null)
        {
            throw cursor.ErrorAt(word, "length: option \"--length\" can only be used once.");
        }

        string text = value.Text;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string minimumText = colon < 0 ? text : text[..colon];
        string maximumText = colon < 0 ? text : text[(colon + 1)..];
        if (colon >= 0 && maximumText.Contains(':', StringComparison.Ordinal))
        {
            string rest = maximumText[maximumText.IndexOf(':', StringComparison.Ordinal)..];
            throw cursor.ErrorAt(value, $"length: Argument to \"--length\" has unexpected characters near \"{InputText.Escape(rest)}\".");
        }

        ushort minimum = ParseBound(cursor, value, minimumText, 0);
        ushort maximum = ParseBound(cursor, value, maximumText, ushort.MaxValue);
        _length = new LengthMatch(minimum, maximum, inverted);
    }

    public RuleMatch Build(WordCursor cursor) =>
        _length ?? throw cursor.ErrorAt(loadedBy, "length: option \"--length\" must be specified");

    /// <summary>An empty side of the colon takes its default (0 or 65535), as libxtables fills a range.</summary>
    private static ushort ParseBound(WordCursor cursor, CommandWord value, string text, ushort absent)
    {
        if (text.Length == 0 && value.Text.Length > 0 && value.Text != ":")
        {
            return absent;
        }

        return IptablesValues.TryParseDecimal(text, ushort.MaxValue, out ulong number)
            ? (ushort)number
            : throw cursor.ErrorAt(value, $"length: bad value for option \"--length\" near \"{InputText.Escape(text)}\", or out of range (0-65535).");
    }
}
