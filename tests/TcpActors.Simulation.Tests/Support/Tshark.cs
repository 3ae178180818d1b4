using System.Diagnostics;

namespace TcpActors.Simulation.Tests;

/// <summary>Runs tshark (bounded to 60 s) and returns what it printed.</summary>
internal static class Tshark
{
    public static string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("tshark did not finish in 60 s");
        }

        Assert.True(process.ExitCode == 0, "tshark failed: " + error.Result);
        return output.Result;
    }

    /// <summary>One line per frame of <paramref name="pcap"/>, split into the requested fields (<c>-T fields</c>).</summary>
    public static List<string[]> Fields(string pcap, params string[] fields)
    {
        var arguments = new List<string> { "-r", pcap, "-T", "fields", "-E", "separator=|" };
        foreach (var field in fields)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }

        return Run([.. arguments]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|')).ToList();
    }
}
