namespace TcpActors.Cli;

/// <summary>
/// The files the CLI writes (--pcap, --trace, --json, --report, --svg). Each is checked before the run, so that a
/// directory, an empty name or an unwritable place costs no run and gets one line naming the option; the
/// writes after the run fail the same way.
/// </summary>
internal static class OutputFile
{
    /// <summary>Makes sure <paramref name="path"/> can be written (creating it, empty) and returns it; null stays null.</summary>
    public static string? Checked(string? path, string option)
    {
        if (path is null)
        {
            return null;
        }

        Guard(path, option, () => new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite).Dispose());
        return path;
    }

    public static void Write(string path, string text, string option) => Guard(path, option, () => File.WriteAllText(path, text));

    /// <summary>Runs <paramref name="write"/>, turning what a bad path throws into a <see cref="UsageException"/> naming <paramref name="option"/>.</summary>
    public static void Guard(string path, string option, Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option} needs a file name");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"{option} {path}: is a directory (give a file name)");
        }

        try
        {
            write();
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{option} {path}: {problem.Message}", problem);
        }
    }
}
