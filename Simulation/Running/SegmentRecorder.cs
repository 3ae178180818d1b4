using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Telemetry;

namespace TcpActors.Simulation;

/// <summary>
/// Records the captured segments as patterns see them: direction relative to the connection's first
/// SYN, tcpdump's flags, length, and whether the segment re-sends sequence space already sent in its
/// direction (a retransmission, as tshark's tcp.analysis.retransmission would say), and whether its
/// sender marked it a duplicate ACK (the sender's account, carried on the segment: <see cref="Segment.DuplicateAck"/>).
/// </summary>
internal sealed class SegmentRecorder
{
    private readonly CaptureFilter _filter;
    private readonly Dictionary<(SocketAddress From, SocketAddress To), SeqNum> _highest = [];
    private readonly Dictionary<FourTuple, SocketAddress> _clientOf = [];
    private readonly HashSet<FourTuple> _unanswered = [];
    private readonly Dictionary<(SocketAddress From, SocketAddress To), SeqNum> _firstSyn = [];

    private readonly TcpdumpFormatter? _formatter;

    /// <param name="events">The run's event stream.</param>
    /// <param name="filter">The capture's filter.</param>
    /// <param name="keepLines">Also keep each packet's tcpdump line with default options (relative sequence numbers), for trace expectations.</param>
    public SegmentRecorder(EventStream events, CaptureFilter filter, bool keepLines = false)
    {
        _filter = filter;
        _formatter = keepLines ? new TcpdumpFormatter(TcpdumpOptions.Default) : null;
        events.Subscribe<PacketCaptured>(Record);
    }

    public List<(SimTime At, ObservedSegment Segment)> Segments { get; } = [];

    /// <summary>Every captured packet's tcpdump line (only when asked for at construction).</summary>
    public List<(SimTime At, string Line)> Lines { get; } = [];

    public IReadOnlyList<ObservedSegment> Between(Duration from, Duration to) =>
        Segments.Where(s => s.At >= SimTime.Zero + from && s.At <= SimTime.Zero + to).Select(s => s.Segment).ToList();

    private void Record(PacketCaptured captured)
    {
        if (!_filter.Matches(captured))
        {
            return;
        }

        if (_formatter is not null)
        {
            Lines.Add((captured.Time, _formatter.Format(captured.Time, captured.Packet)));
        }

        if (captured.Packet is not Segment segment)
        {
            return;
        }

        // A SYN from the other end starts a connection the other way round, unless the client's own SYN is still
        // unanswered: then the SYNs crossed (simultaneous open) and the client stays the client.
        var key = Canonical(segment);
        bool reverseSyn = segment.IsSyn && !segment.HasAck && _clientOf.TryGetValue(key, out var known) && known != segment.SourceSocket;
        if (!_clientOf.TryGetValue(key, out var client) || (reverseSyn && !_unanswered.Contains(key)))
        {
            client = segment.IsSyn && segment.HasAck ? segment.DestinationSocket : segment.SourceSocket;
            _clientOf[key] = client;
        }

        if (segment.IsSyn && !segment.HasAck && segment.SourceSocket == client)
        {
            _unanswered.Add(key);
        }
        else if (segment.HasAck)
        {
            _unanswered.Remove(key);
        }

        bool retransmission = false;
        if (segment.SequenceLength > 0)
        {
            var direction = (segment.SourceSocket, segment.DestinationSocket);
            if (_highest.TryGetValue(direction, out var highest) && segment.EndSeq <= highest && !(segment.IsSyn && !segment.HasAck && segment.Seq != highest - 1))
            {
                retransmission = true;
            }

            if (!_highest.TryGetValue(direction, out highest) || segment.EndSeq > highest || (segment.IsSyn && segment.Seq + 1 != highest))
            {
                _highest[direction] = segment.EndSeq;
            }
        }

        if (segment.IsSyn)
        {
            _firstSyn.TryAdd((segment.SourceSocket, segment.DestinationSocket), segment.Seq);
        }

        uint seq = unchecked(segment.Seq.Value - _firstSyn.GetValueOrDefault((segment.SourceSocket, segment.DestinationSocket)).Value);
        uint? ack = segment.HasAck ? unchecked(segment.Ack.Value - _firstSyn.GetValueOrDefault((segment.DestinationSocket, segment.SourceSocket)).Value) : null;
        Segments.Add((captured.Time, new ObservedSegment(segment.SourceSocket == client, segment.Flags.ToTcpdumpString(), segment.PayloadLength, retransmission, seq, ack, segment.DuplicateAck)));
    }

    private static FourTuple Canonical(Segment segment) =>
        segment.SourceSocket < segment.DestinationSocket ? segment.SenderTuple : segment.ReceiverTuple;
}
