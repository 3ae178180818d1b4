using System.Globalization;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints.Tests.Harness;

/// <summary>
/// A packetdrill-like dialogue with one simulated socket: the test plays the peer by injecting hand-made
/// segments at given times and expects exactly the segments the socket sends back, in the
/// <see cref="WireText"/> form. The peer host has no TCP of its own (its segments are only recorded), so
/// nothing but the socket under test answers. Numbers the test writes are relative: the peer's sequence
/// numbers to its ISN (<see cref="PeerIsn"/>), its acknowledgements to the socket's ISN, learnt from the
/// socket's SYN or SYN-ACK.
/// </summary>
internal sealed class Dialogue
{
    public const uint PeerIsn = 1_000_000;

    private readonly List<(SimTime At, Segment Segment)> _sent = [];
    private int _seen;
    private readonly Dictionary<int, uint> _socketIsns = [];
    private readonly Dictionary<int, uint> _tsRecents = [];

    private Dialogue(Lab lab)
    {
        Lab = lab;
        lab.Client.Transport = new Recorder(this);
    }

    public Lab Lab { get; }

    /// <summary>Every segment the socket under test sent to the peer, with its arrival time (options included, e.g. TS ecr).</summary>
    public IReadOnlyList<(SimTime At, Segment Segment)> Received => _sent;

    /// <summary>Ends each expected line of a segment its sender marked a duplicate ACK with <c> (dup)</c>.</summary>
    public bool ShowDuplicateAcks { get; set; }

    /// <summary>While set, the peer's host answers every segment at once with this ICMP error quoting it (as a REJECT would).</summary>
    public IcmpUnreachableCode? AnswerWithIcmp { get; set; }

    /// <summary>
    /// When set, every injected segment but the SYN (whose options the test gives) carries timestamps, as
    /// driver.RawPeer sends them: TS val = milliseconds of virtual time + 1 (or the one the test gives), TS ecr =
    /// the last TS val the socket sent.
    /// </summary>
    public bool Timestamps { get; set; }

    /// <summary>A server listening on 10.0.2.2:8080 that accepts one connection and then does what <paramref name="application"/> says.</summary>
    public static Dialogue WithListener(Func<ScriptedProcess, Sock, IEnumerable<Step>>? application = null, params string[] serverSysctls)
    {
        var dialogue = new Dialogue(Lab.Routed(server: serverSysctls));
        dialogue.Lab.Run("server", dialogue.Lab.Server, p => Listener(p, application));
        return dialogue;
    }

    /// <summary>
    /// A socket bound to 10.0.2.2:8080 that connect()s to the peer, 10.0.1.2:40000, at <paramref name="at"/> (no
    /// listener anywhere), then does what <paramref name="application"/> says.
    /// </summary>
    public static Dialogue WithConnect(double at, Func<ScriptedProcess, Sock, IEnumerable<Step>>? application = null)
    {
        var dialogue = new Dialogue(Lab.Routed());
        dialogue.Lab.Run("server", dialogue.Lab.Server, p => Connector(p, at, application));
        return dialogue;
    }

    /// <summary>
    /// <c>ip link set dev s0 gso_max_segs 1</c> on the socket's host, before anything is sent: one MSS per sk_buff and
    /// one line per segment on the wire, for tests of per-segment behaviour (segments counted against the congestion
    /// window, each segment's size), as kernel-lab's experiment 40 turns GSO off on s0 for its raw peer.
    /// </summary>
    public void TurnGsoOff() => Lab.SetGsoMaxSegs(Lab.Server, 1);

    /// <summary>
    /// Sends one segment from 10.0.1.2:<paramref name="peerPort"/> (40000 unless given; another port is another
    /// connection of the peer, as a second driver.RawPeer) at <paramref name="at"/> seconds (options: timestamps off
    /// unless given); <paramref name="sack"/> adds SACK blocks, relative to the socket's ISN like the acknowledgement.
    /// </summary>
    public void Inject(double at, TcpFlags flags, uint seq, uint ack = 0, int length = 0, ushort window = 502, TcpOptions options = default, (uint Left, uint Right)[]? sack = null, ushort peerPort = 40000)
    {
        Lab.At(at, () =>
        {
            uint isn = SocketIsn(peerPort);
            Lab.Client.Output(new Segment
            {
                Source = IPv4Address.Parse("10.0.1.2"),
                Destination = IPv4Address.Parse("10.0.2.2"),
                SourcePort = peerPort,
                DestinationPort = 8080,
                Seq = new SeqNum(PeerIsn + seq),
                Ack = new SeqNum(isn + ack),
                Flags = flags,
                Window = window,
                PayloadLength = length,
                Options = WithTimestamps(sack is null ? options : options with { SackBlocks = [.. sack.Select(b => new SackBlock(new SeqNum(isn + b.Left), new SeqNum(isn + b.Right)))] }, flags, peerPort),
            });
        });
    }

    /// <summary>
    /// Sends, at <paramref name="at"/>, an ICMP destination unreachable from the peer's host about a segment the
    /// socket sent: seq <paramref name="seq"/> (relative to the socket's ISN), <paramref name="length"/> bytes.
    /// </summary>
    public void InjectIcmp(double at, IcmpUnreachableCode code, uint seq, int length = 0)
    {
        Lab.At(at, () => Lab.Client.Output(new IcmpPacket
        {
            Source = IPv4Address.Parse("10.0.1.2"),
            Destination = IPv4Address.Parse("10.0.2.2"),
            Code = code,
            DontFragment = false,
            Quoted = new Segment
            {
                Source = IPv4Address.Parse("10.0.2.2"),
                Destination = IPv4Address.Parse("10.0.1.2"),
                SourcePort = 8080,
                DestinationPort = 40000,
                Seq = new SeqNum(SocketIsn(40000) + seq),
                Flags = seq == 0 ? TcpFlags.Syn : TcpFlags.Ack,
                PayloadLength = length,
            },
        }));
    }

    /// <summary>The handshake: SYN at <paramref name="at"/> (MSS 1460, no other option), then the third ACK.</summary>
    public void Connect(double at)
    {
        Inject(at, TcpFlags.Syn, 0, options: new TcpOptions { Mss = 1460 });
        Inject(at + 0.000001, TcpFlags.Ack, 1, 1);
    }

    private TcpOptions WithTimestamps(TcpOptions options, TcpFlags flags, ushort peerPort) =>
        !Timestamps || (flags & TcpFlags.Syn) != 0 ? options
        : options.HasTimestamps ? options with { TsEcr = _tsRecents.GetValueOrDefault(peerPort) } // a TS val the test chose (an old one, for PAWS)
        : options with { HasTimestamps = true, TsVal = (uint)(Lab.System.Now.Nanoseconds / 1_000_000) + 1, TsEcr = _tsRecents.GetValueOrDefault(peerPort) };

    /// <summary>The ISN of the socket talking to the peer's <paramref name="peerPort"/> (0 before its SYN or SYN-ACK).</summary>
    private uint SocketIsn(int peerPort) => _socketIsns.GetValueOrDefault(peerPort);

    /// <summary>
    /// Runs until <paramref name="seconds"/> and asserts the socket sent exactly these segments since the
    /// last check, each as <c>1.040000 . ack 102 win 64</c> (virtual time, then the segment).
    /// </summary>
    public void ExpectUntil(double seconds, string expected)
    {
        Lab.RunUntil(seconds);
        var lines = _sent.Skip(_seen).Select(s => WireText.Seconds(s.At.Nanoseconds) + " " + Line(WireRecord.Of(s.Segment, 0)) + (ShowDuplicateAcks && s.Segment.DuplicateAck ? " (dup)" : ""));
        _seen = _sent.Count;
        Expect.Lines(expected, string.Join('\n', lines));
    }

    private string Line(WireRecord record)
    {
        var culture = CultureInfo.InvariantCulture;
        string text = string.Create(culture, $"{record.Flags.ToTcpdumpString()}");
        uint seq = unchecked(record.Seq - SocketIsn(40000));
        if (record.IsSyn)
        {
            text += " seq ISN";
        }
        else if (record.Length > 0 || (record.Flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            text += record.Length > 0 ? string.Create(culture, $" seq {seq}:{seq + (uint)record.Length}") : string.Create(culture, $" seq {seq}");
        }

        if (record.HasAck)
        {
            text += string.Create(culture, $" ack {unchecked(record.Ack - PeerIsn)}");
        }

        text += string.Create(culture, $" win {record.Window}");
        if (record.SackBlocks.Count > 0)
        {
            text += " sack " + string.Join(' ', record.SackBlocks.Select(b => string.Create(culture, $"{{{unchecked(b.Left - PeerIsn)}:{unchecked(b.Right - PeerIsn)}}}")));
        }

        if (record.Length > 0)
        {
            text += string.Create(culture, $" length {record.Length}");
        }

        return text;
    }

    private static IEnumerable<Step> Listener(ScriptedProcess p, Func<ScriptedProcess, Sock, IEnumerable<Step>>? application)
    {
        var listener = p.Socket();
        yield return listener.Bind("10.0.2.2:8080");
        yield return listener.Listen(8);
        yield return listener.Accept();
        if (application is not null)
        {
            foreach (var step in application(p, p.Accepted!))
            {
                yield return step;
            }
        }
    }

    private static IEnumerable<Step> Connector(ScriptedProcess p, double at, Func<ScriptedProcess, Sock, IEnumerable<Step>>? application)
    {
        var socket = p.Socket();
        yield return socket.Bind("10.0.2.2:8080");
        yield return Script.Until(at);
        yield return socket.Connect("10.0.1.2:40000");
        if (application is not null)
        {
            foreach (var step in application(p, socket))
            {
                yield return step;
            }
        }
    }

    /// <summary>The peer host's "TCP": records what arrives, answers nothing.</summary>
    private sealed class Recorder(Dialogue dialogue) : ITransportProtocol
    {
        public void Deliver(Packet packet, NetworkInterface arrivedOn)
        {
            if (packet is not Segment segment)
            {
                return;
            }

            if (segment.IsSyn)
            {
                dialogue._socketIsns[segment.DestinationPort] = segment.Seq.Value;
            }

            if (segment.Options.HasTimestamps)
            {
                dialogue._tsRecents[segment.DestinationPort] = segment.Options.TsVal;
            }

            dialogue._sent.Add((dialogue.Lab.System.Now, segment));
            if (dialogue.AnswerWithIcmp is { } code)
            {
                dialogue.Lab.Client.Output(new IcmpPacket { Source = segment.Destination, Destination = segment.Source, Code = code, Quoted = segment, DontFragment = false });
            }
        }
    }
}
