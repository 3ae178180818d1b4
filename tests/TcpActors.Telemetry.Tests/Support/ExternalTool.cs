using System.Diagnostics;

namespace TcpActors.Telemetry.Tests;

/// <summary>Finds and runs the real tools (tcpdump, tshark, ip, python3) that reference outputs come from.</summary>
internal static class ExternalTool
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    /// <summary>Runs a tool to completion (bounded by a timeout) and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string tool, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, int timeoutSeconds = 60)
    {
        var info = new ProcessStartInfo(Find(tool) ?? tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }

        return output.Result;
    }

    /// <summary>tcpdump -r on a file, with TZ=UTC so time-of-day output does not depend on the machine's zone.</summary>
    public static string[] TcpdumpRead(string pcapPath, params string[] options) =>
        Lines(Run("tcpdump", ["-r", pcapPath, "-n", .. options], new Dictionary<string, string> { ["TZ"] = "UTC" }));

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
