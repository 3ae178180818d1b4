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

        string text;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[SizeMax + 1];
            int length = reader.ReadBlock(buffer, 0, buffer.Length);
            if (length > SizeMax)
            {
                throw new ScenarioException(new SourceSpan(path, 0, 0), $"is larger than {SizeMax >> 20} MB: a scenario file is a small text file");
            }

            text = new string(buffer, 0, length);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ScenarioException(new SourceSpan(path, 0, 0), "cannot read the file: " + error.Message);
        }

        RefuseBinary(text, path);
        return text;
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
