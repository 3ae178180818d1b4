using System.Text;
using TcpActors.Chaos;

namespace TcpActors.Simulation;

/// <summary>
/// Reads a scenario file's text for the loader, refusing what cannot be a scenario before parsing it: a directory,
/// a file larger than <see cref="SizeMax"/> (or endless, such as /dev/zero), a binary file (a NUL character,
/// which YAML never allows, shown at its line and column).
/// </summary>
internal static class ScenarioFile
{
    /// <summary>The largest scenario file read (the built-in ones are a few kilobytes).</summary>
    public const int SizeMax = 10 << 20;

    public static string Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ScenarioException(new SourceSpan(path, 0, 0), "is a directory, not a scenario file");
        }

        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            bytes = new byte[SizeMax + 1];
            int length = 0;
            int read;
            while (length < bytes.Length && (read = stream.Read(bytes, length, bytes.Length - length)) > 0)
            {
                length += read;
            }

            if (length > SizeMax)
            {
                throw new ScenarioException(new SourceSpan(path, 0, 0), $"is larger than {SizeMax >> 20} MB: a scenario file is a small text file");
            }

            Array.Resize(ref bytes, length);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ScenarioException(new SourceSpan(path, 0, 0), "cannot read the file: " + error.Message);
        }

        string text = Decode(bytes, path);
        RefuseBinary(text, path);
        return text;
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file's text: UTF-16 or UTF-32 when a byte order mark says so, else UTF-8 (with or without its mark), where a byte
    /// that is not UTF-8 is bad input at its line and column (YAML is Unicode text; a silent replacement character would
    /// change what the file says).
    /// </summary>
    private static string Decode(byte[] bytes, string path)
    {
        bool utf16Or32 = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
            || bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF;
        if (utf16Or32)
        {
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        int skip = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        byte[] body = skip == 0 ? bytes : bytes[skip..];
        try
        {
            return s_strictUtf8.GetString(body);
        }
        catch (DecoderFallbackException error) when (Array.IndexOf(body, (byte)0) < 0)
        {
            int bad = Math.Clamp(error.Index, 0, body.Length - 1);
            string before = Encoding.UTF8.GetString(body, 0, bad);
            int lineStart = before.LastIndexOf('\n') + 1;
            int line = 1 + before.Count(c => c == '\n');
            throw new ScenarioException(
                new SourceSpan(path, line, before.Length - lineStart + 1),
                $"not UTF-8 text: byte 0x{body[bad]:X2} does not belong here (a scenario file is UTF-8; save it as UTF-8)");
        }
        catch (DecoderFallbackException)
        {
            // A binary file: RefuseBinary names its first NUL character.
            return Encoding.UTF8.GetString(body);
        }
    }

    /// <summary>A NUL character means a binary file (YAML allows none, not even in quotes).</summary>
    public static void RefuseBinary(string text, string file)
    {
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul < 0)
        {
            return;
        }

        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < nul; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        throw new ScenarioException(new SourceSpan(file, line, nul - lineStart + 1), $"a NUL character: this looks like a binary file, not a scenario (YAML text) ({InputText.Quote(text[lineStart..Math.Min(text.Length, nul + 1)])})");
    }
}
