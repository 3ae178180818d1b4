using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Plays tcpdump on a running simulation: subscribes to <see cref="PacketCaptured"/> on the event stream,
/// keeps the packets the <see cref="CaptureFilter"/> selects and writes one tcpdump line each (two with
/// -v) to the writer, ending lines with '\n' as tcpdump does. Dispose to unsubscribe and flush.
/// </summary>
public sealed class TcpdumpObserver : IDisposable
{
    private readonly TextWriter _output;
    private readonly CaptureFilter _filter;
    private readonly TcpdumpFormatter _formatter;
    private readonly IDisposable _subscription;
    private bool _disposed;

    public TcpdumpObserver(EventStream events, TextWriter output, CaptureFilter? filter = null, TcpdumpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _filter = filter ?? CaptureFilter.All;
        _formatter = new TcpdumpFormatter(options);
        _subscription = events.Subscribe<PacketCaptured>(OnCaptured);
    }

    /// <summary>Packets written so far.</summary>
    public long PacketCount { get; private set; }

    public void Flush() => _output.Flush();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _subscription.Dispose();
        _output.Flush();
    }

    private void OnCaptured(PacketCaptured captured)
    {
        if (!_filter.Matches(captured))
        {
            return;
        }

        _output.Write(_formatter.Format(captured.Time, captured.Packet));
        _output.Write('\n');
        PacketCount++;
    }
}
