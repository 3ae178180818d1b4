using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// A real Prometheus on 127.0.0.1 (a free port, a temporary storage folder), started from deploy's
/// prometheus.yml and killed on dispose; used to check that the dashboards' PromQL is accepted.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly TemporaryDirectory _storage = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public PrometheusServer(string configPath)
    {
        int port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo(ExternalTool.Find("prometheus")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _storage.Path,
        };
        foreach (var argument in new[] { "--config.file=" + configPath, "--storage.tsdb.path=" + _storage.File("data"), $"--web.listen-address=127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start prometheus");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lock (Log) { Log.Add(line.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady(TimeSpan.FromSeconds(60));
    }

    public Uri Address { get; }

    public List<string> Log { get; } = [];

    /// <summary>Runs an instant query; returns null when accepted, or Prometheus' error text.</summary>
    public string? QueryError(string expression)
    {
        var uri = new Uri(Address, "api/v1/query?query=" + Uri.EscapeDataString(expression));
        using var response = _http.GetAsync(uri).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        var root = document.RootElement;
        return root.GetProperty("status").GetString() == "success" ? null : root.GetProperty("error").GetString();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _http.Dispose();
            _storage.Dispose();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private void WaitUntilReady(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited {_process.ExitCode}: {string.Join('\n', Log)}");
            }

            try
            {
                using var response = _http.GetAsync(new Uri(Address, "-/ready")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException($"prometheus was not ready within {within}: {string.Join('\n', Log)}");
    }
}

/// <summary>A [Fact] skipped, with the reason, when Debian's prometheus package (prometheus, promtool) is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPrometheusFactAttribute : FactAttribute
{
    public RequiresPrometheusFactAttribute(string tool)
    {
        if (ExternalTool.Find(tool) is null)
        {
            Skip = $"needs {tool} on PATH (Debian package 'prometheus'; .ci/run installs it) to check deploy/ against the real Prometheus";
        }
    }
}
