namespace TcpActors.Telemetry.Tests;

/// <summary>A fresh folder under the system temp directory for generated pcaps, deleted afterwards (never inside the repository).</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tcpactors-telemetry-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // TCPACTORS_KEEP_TEMP=1 keeps the generated captures for a look with tcpdump or Wireshark.
        if (Environment.GetEnvironmentVariable("TCPACTORS_KEEP_TEMP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
    }
}
