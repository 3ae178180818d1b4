using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Endpoints;

/// <summary>The timer <c>ss -o</c> shows: <c>on</c> (retransmission, TLP, zero-window probe), <c>keepalive</c>, <c>timewait</c>, <c>persist</c>.</summary>
public enum SocketTimerKind : byte
{
    On,
    Keepalive,
    TimeWait,
    Persist,
}

/// <summary>A pending socket timer as <c>ss -o</c> prints it: <c>timer:(on,200ms,0)</c>.</summary>
/// <param name="Kind">Which timer.</param>
/// <param name="Remaining">Time left until it fires.</param>
/// <param name="Retransmits">Retransmissions (or keepalive probes) so far, ss's third field.</param>
public readonly record struct SocketTimer(SocketTimerKind Kind, Duration Remaining, int Retransmits);

/// <summary>
/// One socket as <c>ss -tan -o</c> shows it. Recv-Q and Send-Q follow Linux: for a listener, the accept
/// queue length and the backlog; otherwise unread bytes (counting a received FIN as one, as Linux's
/// <c>tcp_inq</c>-based report does on these kernels) and bytes not yet acknowledged. A connection also
/// carries what <c>ss -i</c> adds: the congestion control's name, the congestion window and, once it is finite,
/// ssthresh (in segments), and tcp_info's tcpi_pacing_rate and tcpi_max_pacing_rate in bytes a second (null while ~0,
/// unlimited), and the whole of what tcp_get_info reports in <see cref="Info"/>.
/// </summary>
public sealed record SocketSnapshot(
    string HostName,
    TcpState State,
    int RecvQ,
    int SendQ,
    SocketAddress Local,
    SocketAddress Peer,
    SocketTimer? Timer,
    bool IsWildcardPeer = false,
    bool IsOrphan = false,
    int? CongestionWindow = null,
    int? SlowStartThreshold = null,
    long? PacingRate = null,
    long? MaxPacingRate = null,
    string? CongestionControl = null,
    TcpInfo? Info = null);
