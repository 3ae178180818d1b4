using System.Diagnostics;

namespace TcpActors.Reliability.Tests;

/// <summary>The tcpactors CLI in a child process (the copy built next to the tests), as a user meets it.</summary>
public static class CliProcess
{
    public static (int Exit, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tcpactors.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the CLI ran for more than 2 minutes: tcpactors " + string.Join(' ', arguments));
        }

        _ = stdout.GetAwaiter().GetResult();
        return (process.ExitCode, stderr);
    }
}
