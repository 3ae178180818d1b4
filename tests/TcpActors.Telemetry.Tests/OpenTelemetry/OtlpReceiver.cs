using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpActors.Telemetry.Tests.OpenTelemetry;

/// <summary>
/// A minimal OTLP/HTTP collector on 127.0.0.1 with a port the system chooses: it reads HTTP/1.1 requests
/// (Content-Length or chunked bodies, keep-alive), keeps them, and answers 200 with an empty protobuf
/// body (an empty Export*ServiceResponse). Bounded: it serves until disposed.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Request> _requests = [];
    private readonly Task _accepting;

    public OtlpReceiver()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptLoop);
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                for (int served = 0; served < 1000 && !_stop.IsCancellationRequested; served++)
                {
                    var request = await ReadRequest(stream);
                    if (request is null)
                    {
                        return;
                    }

                    lock (_requests)
                    {
                        _requests.Add(request);
                    }

                    byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n");
                    await stream.WriteAsync(response, _stop.Token);
                }
            }
            catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The exporter closed the connection, or the test is over.
            }
        }
    }

    private async Task<Request?> ReadRequest(NetworkStream stream)
    {
        string? requestLine = await ReadLine(stream);
        if (string.IsNullOrEmpty(requestLine))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (string? line = await ReadLine(stream); !string.IsNullOrEmpty(line); line = await ReadLine(stream))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var collected = new MemoryStream();
            while (true)
            {
                int size = Convert.ToInt32((await ReadLine(stream))!.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    await ReadLine(stream);
                    break;
                }

                collected.Write(await ReadExactly(stream, size));
                await ReadLine(stream);
            }

            body = collected.ToArray();
        }
        else
        {
            int length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
            body = await ReadExactly(stream, length);
        }

        var parts = requestLine.Split(' ');
        return new Request(parts[0], parts[1], headers, body);
    }

    private async Task<byte[]> ReadExactly(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, _stop.Token);
        return buffer;
    }

    private async Task<string?> ReadLine(NetworkStream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 16384)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }

        throw new IOException("header line too long");
    }

    internal sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);
}
