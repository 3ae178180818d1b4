using System.Globalization;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests;

/// <summary>
/// Records the segments seen on the wire in a compact, tcpdump-like form with relative sequence numbers
/// per direction: <c>0.240000 60000>39658 . ack 102 win 64</c>. Tests compare whole logs.
/// </summary>
internal sealed class WireLog
{
    private readonly Dictionary<(ushort From, ushort To), uint> _base = [];
    private readonly string? _host;

    public WireLog(ActorSystem system, string? host = null)
    {
        _host = host;
        system.EventStream.Subscribe<PacketCaptured>(Record);
    }

    public List<string> Lines { get; } = [];

    public override string ToString() => string.Join('\n', Lines);

    private void Record(PacketCaptured capture)
    {
        if ((_host is not null && capture.HostName != _host) || (_host is not null && capture.Direction == CaptureDirection.In && capture.InterfaceName == "lo"))
        {
            return;
        }

        if (capture.Packet is not Segment segment)
        {
            Lines.Add($"{capture.Time} {capture.Packet}");
            return;
        }

        var culture = CultureInfo.InvariantCulture;
        var forward = (segment.SourcePort, segment.DestinationPort);
        var backward = (segment.DestinationPort, segment.SourcePort);
        if (segment.IsSyn)
        {
            _base[forward] = segment.Seq.Value;
        }

        string text = $"{capture.Time} {segment.SourcePort}>{segment.DestinationPort} {segment.Flags.ToTcpdumpString()}";
        bool relative = _base.ContainsKey(forward) && !segment.IsSyn;
        uint seq = relative ? segment.Seq.Value - _base[forward] : segment.Seq.Value;
        if (segment.PayloadLength > 0 || segment.IsSyn || segment.IsFin || segment.IsRst)
        {
            text += segment.PayloadLength > 0
                ? string.Create(culture, $" seq {seq}:{seq + (uint)segment.PayloadLength}")
                : string.Create(culture, $" seq {seq}");
        }

        if (segment.HasAck)
        {
            uint ack = _base.TryGetValue(backward, out var peerBase) && !segment.IsSyn ? segment.Ack.Value - peerBase : segment.Ack.Value;
            text += string.Create(culture, $" ack {ack}");
        }

        text += string.Create(culture, $" win {segment.Window}");
        if (segment.Options.SackBlocks is { Length: > 0 } blocks && _base.TryGetValue(backward, out var sackBase))
        {
            text += " sack " + string.Join(' ', blocks.Select(b => string.Create(culture, $"{{{b.Left.Value - sackBase}:{b.Right.Value - sackBase}}}")));
        }

        if (segment.PayloadLength > 0)
        {
            text += string.Create(culture, $" length {segment.PayloadLength}");
        }

        Lines.Add(text);
    }
}
