using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>Short builders for the segments the golden tests feed to the formatter.</summary>
internal static class Packets
{
    public static readonly IPv4Address Loopback = IPv4Address.Loopback;

    /// <summary>Linux's SYN and SYN-ACK options on loopback: mss 65495, sackOK, TS, nop, wscale 10.</summary>
    public static TcpOptions SynOptions(uint tsVal, uint tsEcr) => new()
    {
        Mss = 65495,
        SackPermitted = true,
        HasTimestamps = true,
        TsVal = tsVal,
        TsEcr = tsEcr,
        HasWindowScale = true,
        WindowScale = 10,
    };

    public static Segment Tcp(ushort sourcePort, ushort destinationPort, TcpFlags flags, uint seq, uint ack, ushort window, TcpOptions options = default, int length = 0) => new()
    {
        Source = Loopback,
        Destination = Loopback,
        SourcePort = sourcePort,
        DestinationPort = destinationPort,
        Flags = flags,
        Seq = new SeqNum(seq),
        Ack = new SeqNum(ack),
        Window = window,
        Options = options,
        PayloadLength = length,
    };

    /// <summary>The reference captures were taken on 2026-11-21 (UTC); time zero of the run is that midnight.</summary>
    public static readonly DateTimeOffset CaptureDay = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A time of day on the capture day, given as seconds after midnight plus microseconds.</summary>
    public static SimTime At(int hours, int minutes, int seconds, int microseconds) =>
        new((((hours * 3600L) + (minutes * 60L) + seconds) * 1_000_000_000L) + (microseconds * 1000L));
}
