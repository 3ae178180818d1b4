using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Chaos.Tests;

/// <summary>Builders for the packets and hook contexts the tests feed to filters and queues.</summary>
internal static class TestPackets
{
    /// <summary>A TCP segment whose IP length is <paramref name="ipLength"/>: 40 (no options), 52 (timestamps) or 60 (a Linux SYN's options), or more with payload.</summary>
    public static Segment Tcp(string source, ushort sourcePort, string destination, ushort destinationPort, TcpFlags flags, int ipLength = 40)
    {
        var options = ipLength switch
        {
            >= 60 when (flags & TcpFlags.Syn) != 0 => new TcpOptions { Mss = 65495, SackPermitted = true, HasTimestamps = true, HasWindowScale = true, WindowScale = 10 },
            >= 52 when (flags & TcpFlags.Syn) == 0 => TcpOptions.Timestamps(1, 1),
            _ => default,
        };
        var segment = new Segment
        {
            Source = IPv4Address.Parse(source),
            Destination = IPv4Address.Parse(destination),
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Flags = flags,
            Options = options,
        };
        return segment with { PayloadLength = ipLength - segment.IpLength };
    }

    /// <summary>A segment described the way tcpdump prints it: <c>127.0.0.1.7 &gt; 127.0.0.1.45653 R.</c>.</summary>
    public static Segment FromTcpdump(int ipLength, string from, string to, string flags)
    {
        var (source, sourcePort) = SplitEndpoint(from);
        var (destination, destinationPort) = SplitEndpoint(to);
        return Tcp(source, sourcePort, destination, destinationPort, ParseTcpdumpFlags(flags), ipLength);
    }

    public static HookContext Context(HookPoint hook, string? inInterface = null, string? outInterface = null, string host = "host", long nanoseconds = 0) =>
        new(host, hook, inInterface, outInterface, new SimTime(nanoseconds));

    private static (string Address, ushort Port) SplitEndpoint(string text)
    {
        int dot = text.LastIndexOf('.');
        return (text[..dot], ushort.Parse(text[(dot + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static TcpFlags ParseTcpdumpFlags(string text)
    {
        var flags = TcpFlags.None;
        foreach (char c in text)
        {
            flags |= c switch
            {
                'S' => TcpFlags.Syn,
                'F' => TcpFlags.Fin,
                'R' => TcpFlags.Rst,
                'P' => TcpFlags.Psh,
                '.' => TcpFlags.Ack,
                _ => throw new ArgumentException($"unknown tcpdump flag {c}", nameof(text)),
            };
        }

        return flags;
    }
}
