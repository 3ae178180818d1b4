namespace TcpActors.Cli;

/// <summary>
/// The files the CLI writes (--pcap, --trace, --json, --report, --svg). Each is checked before the run, so that a
/// directory, an empty name or an unwritable place costs no run and gets one line naming the option; the
/// writes after the run fail the same way.
/// </summary>
internal static class OutputFile
{
    /// <summary>
    /// Makes sure <paramref name="path"/> can be written and returns it; null stays null. Nothing is changed: an
    /// existing file is opened for writing without truncation, a new one is made and removed again, so that bad input
    /// found later (the scenario's chaos steps, a workload's rules) leaves no emptied or stray file behind.
    /// </summary>
    public static string? Checked(string? path, string option)
    {
        if (path is null)
        {
            return null;
        }

        Guard(path, option, () =>
        {
            if (File.Exists(path))
            {
                new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite).Dispose();
            }
            else
            {
                new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite).Dispose();
                File.Delete(path);
            }
        });
        return path;
    }

    /// <summary>
    /// Refuses two options that name one file (after making the paths absolute): the later write would silently
    /// replace the earlier one. /dev/null may take any number of them.
    /// </summary>
    public static void Distinct(params (string? Path, string Option)[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var given = outputs.Where(o => !string.IsNullOrWhiteSpace(o.Path)).Select(o => (Full: FullPath(o.Path!), o.Path, o.Option)).ToList();
        for (int i = 0; i < given.Count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (given[i].Full == given[j].Full && given[i].Full != "/dev/null")
                {
                    throw new UsageException($"{given[i].Option} {given[i].Path}: is the file {given[j].Option} writes too (give each output its own file)");
                }
            }
        }
    }

    /// <summary>Refuses an output that is the scenario or workload file being run: writing it would destroy the input.</summary>
    public static void NotTheInput(string input, params (string? Path, string Option)[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (!File.Exists(input))
        {
            return;
        }

        string full = FullPath(input);
        foreach (var (path, option) in outputs)
        {
            if (!string.IsNullOrWhiteSpace(path) && FullPath(path) == full)
            {
                throw new UsageException($"{option} {path}: is the scenario file being run (writing it would destroy it; give the output another name)");
            }
        }
    }

    private static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception problem) when (problem is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
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
