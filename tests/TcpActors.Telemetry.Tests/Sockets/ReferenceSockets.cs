using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry.Tests;

/// <summary>
/// The sockets of the reference namespace at the two moments scenario.py snapshotted them (see
/// Reference/ss-*.txt and netstat-*.txt), in the kernel's listing order, with timers matching what was shown.
/// </summary>
internal static class ReferenceSockets
{
    private static readonly IPv4Address s_loopback = IPv4Address.Loopback;

    private static SocketAddress Local(ushort port) => new(s_loopback, port);

    private static SocketSnapshot Socket(TcpState state, int recvQ, int sendQ, ushort localPort, ushort peerPort, SocketTimer? timer = null) =>
        new("reference", state, recvQ, sendQ, Local(localPort), Local(peerPort), timer);

    private static SocketSnapshot Listener() =>
        new("reference", TcpState.Listen, 0, 16, Local(8888), new SocketAddress(IPv4Address.Any, 0), null, IsWildcardPeer: true);

    /// <summary>After the client closed with 1000 bytes unread by the server (snapshot "closewait").</summary>
    public static List<SocketSnapshot> CloseWait() =>
    [
        Listener(),
        Socket(TcpState.Established, 5, 0, 8888, 51048),
        Socket(TcpState.TimeWait, 0, 0, 51032, 8888, new SocketTimer(SocketTimerKind.TimeWait, Duration.FromMilliseconds(59_650), 0)),
        Socket(TcpState.Established, 0, 0, 51048, 8888),
        Socket(TcpState.FinWait2, 0, 0, 51062, 8888, new SocketTimer(SocketTimerKind.TimeWait, Duration.FromMilliseconds(936), 0)),
        Socket(TcpState.CloseWait, 1001, 0, 8888, 51062, new SocketTimer(SocketTimerKind.Keepalive, Duration.FromMilliseconds(7_199_800), 0)),
    ];

    /// <summary>While 500 bytes were being retransmitted into an INPUT drop (snapshot "retrans"); each ss run saw its own remaining time.</summary>
    public static List<SocketSnapshot> Retransmitting(long retransmissionRemainingMilliseconds = 104) =>
    [
        Listener(),
        Socket(TcpState.Established, 5, 0, 8888, 51048),
        Socket(TcpState.Established, 5000, 0, 8888, 51064),
        Socket(TcpState.TimeWait, 0, 0, 51032, 8888, new SocketTimer(SocketTimerKind.TimeWait, Duration.FromMilliseconds(58_689), 0)),
        Socket(TcpState.Established, 0, 0, 51048, 8888),
        Socket(TcpState.Established, 0, 500, 51064, 8888, new SocketTimer(SocketTimerKind.On, Duration.FromMilliseconds(retransmissionRemainingMilliseconds), 0)),
        Socket(TcpState.CloseWait, 1001, 0, 8888, 51062, new SocketTimer(SocketTimerKind.Keepalive, Duration.FromMilliseconds(7_198_839), 0)),
    ];

    public static string Expected(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", file));
}
