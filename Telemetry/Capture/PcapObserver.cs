using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Records the packets a <see cref="CaptureFilter"/> selects into a <see cref="PcapWriter"/>, like
/// <c>tcpdump -w</c>: subscribe on construction, unsubscribe on dispose. The writer stays the caller's
/// (dispose it after the observer) unless <c>ownsWriter</c> is set.
/// </summary>
public sealed class PcapObserver : IDisposable
{
    private readonly PcapWriter _writer;
    private readonly CaptureFilter _filter;
    private readonly bool _ownsWriter;
    private readonly IDisposable _subscription;
    private bool _disposed;

    public PcapObserver(EventStream events, PcapWriter writer, CaptureFilter? filter = null, bool ownsWriter = false)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _filter = filter ?? CaptureFilter.All;
        _ownsWriter = ownsWriter;
        _subscription = events.Subscribe<PacketCaptured>(OnCaptured);
    }

    /// <summary>Opens <paramref name="path"/> and records into it until disposed.</summary>
    public static PcapObserver ToFile(EventStream events, string path, CaptureFilter? filter = null, PcapLinkType linkType = PcapLinkType.Raw, DateTimeOffset? epoch = null) =>
        new(events, PcapWriter.Create(path, linkType, epoch), filter, ownsWriter: true);

    public long PacketCount => _writer.PacketCount;

    public void Flush() => _writer.Flush();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _subscription.Dispose();
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
        else
        {
            _writer.Flush();
        }
    }

    private void OnCaptured(PacketCaptured captured)
    {
        if (_filter.Matches(captured))
        {
            _writer.Write(captured.Time, captured.Packet);
        }
    }
}
