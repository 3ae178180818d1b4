using System.Diagnostics;

namespace TcpActors.Reports.Tests;

/// <summary>A test that needs Debian's chromium; skipped with the reason when it is not installed (.ci/run installs it).</summary>
public sealed class RequiresChromiumFactAttribute : FactAttribute
{
    public RequiresChromiumFactAttribute()
    {
        if (Chromium.Path is null)
        {
            Skip = "needs chromium on PATH (apt-get install chromium) to open the report in a real browser";
        }
    }
}

/// <summary>Runs headless Chromium on a file: a screenshot, the DOM after loading, and what it logged.</summary>
internal static class Chromium
{
    public static string? Path { get; } = Find();

    /// <summary>Opens <paramref name="page"/> headless; returns the exit code and everything Chromium printed.</summary>
    public static (int ExitCode, string Output, string Log) Run(string page, params string[] arguments)
    {
        string profile = Directory.CreateTempSubdirectory("tcpactors-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Path!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile,
            }.Concat(arguments).Append(new Uri(page).AbsoluteUri))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var log = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium did not finish within 90 s");
            }

            return (process.ExitCode, output.Result, log.Result);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin")
            .SelectMany(directory => new[] { System.IO.Path.Combine(directory, "chromium"), System.IO.Path.Combine(directory, "chromium-browser") })
            .FirstOrDefault(File.Exists);
    }
}
