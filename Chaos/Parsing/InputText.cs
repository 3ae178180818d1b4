using System.Globalization;
using System.Text;

namespace TcpActors.Chaos;

/// <summary>
/// How error messages show text a user gave (a scenario value, a rule line's word, an option's value): escaped,
/// so that a line break, a CR from a CRLF file, an ANSI escape or a direction override cannot break the message
/// into lines or reach the terminal, and cut, so that a 100 kB value gives a short message. The one place every
/// reader of user input quotes it.
/// </summary>
public static class InputText
{
    /// <summary>Characters of the input shown before the rest is cut.</summary>
    public const int ShownLengthMax = 60;

    /// <summary>The longest message <see cref="OneLine"/> lets through whole.</summary>
    public const int MessageLengthMax = 900;

    /// <summary>
    /// <paramref name="text"/> between quotes, escaped and cut after <see cref="ShownLengthMax"/> characters:
    /// <c>'1%\r'</c>, <c>'xxxx...' (100000 characters)</c>.
    /// </summary>
    public static string Quote(string? text, char quote = '\'')
    {
        text ??= "";
        string shown = quote + Escape(text) + quote;
        return text.Length > ShownLengthMax
            ? shown + string.Create(CultureInfo.InvariantCulture, $" ({text.Length} characters)")
            : shown;
    }

    /// <summary>
    /// <paramref name="text"/> escaped (<c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\u001b</c>… for controls, line separators,
    /// invisible format characters and lone surrogates) and cut after <see cref="ShownLengthMax"/> characters with <c>...</c>.
    /// </summary>
    public static string Escape(string? text)
    {
        text ??= "";
        int length = Math.Min(text.Length, ShownLengthMax);
        if (length < text.Length && char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length]))
        {
            length--;
        }

        var shown = new StringBuilder(length + 8);
        Append(shown, text.AsSpan(0, length));
        if (length < text.Length)
        {
            shown.Append("...");
        }

        return shown.ToString();
    }

    /// <summary>
    /// A safety net for messages built elsewhere (a library's exception, a path): the whole message escaped as by
    /// <see cref="Escape"/> but not cut before <see cref="MessageLengthMax"/> characters, so it is one line of
    /// reasonable length whatever it quotes.
    /// </summary>
    public static string OneLine(string? message)
    {
        message ??= "";
        if (!NeedsEscape(message) && message.Length <= MessageLengthMax)
        {
            return message;
        }

        var line = new StringBuilder(Math.Min(message.Length, MessageLengthMax) + 32);
        int length = Math.Min(message.Length, MessageLengthMax);
        if (length < message.Length && char.IsHighSurrogate(message[length - 1]))
        {
            length--;
        }

        Append(line, message.AsSpan(0, length));
        if (length < message.Length)
        {
            line.Append(CultureInfo.InvariantCulture, $"... ({message.Length} characters)");
        }

        return line.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (MustEscape(text, i))
            {
                return true;
            }
        }

        return false;
    }

    private static void Append(StringBuilder shown, ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!MustEscape(text, i))
            {
                shown.Append(c);
                continue;
            }

            shown.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
        }
    }

    /// <summary>Controls (C0, DEL, C1 with NEL), line and paragraph separators, format characters (BOM, zero-width, direction overrides), lone surrogates.</summary>
    private static bool MustEscape(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return i == 0 || !char.IsHighSurrogate(text[i - 1]);
        }

        return char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }

    private static bool MustEscape(string text, int i) => MustEscape(text.AsSpan(), i);
}
