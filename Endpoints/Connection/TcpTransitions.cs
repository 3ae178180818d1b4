namespace TcpActors.Endpoints;

/// <summary>
/// The legal state transitions: RFC 9293's diagram (section 3.3.2) plus Linux's extra arcs (any
/// synchronized state to CLOSED on reset, abort or timeout; SYN-SENT to CLOSED on close; FIN-WAIT-2
/// and CLOSING to TIME-WAIT through tcp_time_wait; SYN-RECV to CLOSE-WAIT when the first data segment
/// carries a FIN).
/// </summary>
internal static class TcpTransitions
{
    public static bool IsLegal(TcpState from, TcpState to) => (from, to) switch
    {
        (_, TcpState.Closed) => true,
        (TcpState.Closed, TcpState.Listen or TcpState.SynSent or TcpState.SynReceived) => true,
        (TcpState.Listen, TcpState.SynSent or TcpState.SynReceived) => true,
        (TcpState.SynSent, TcpState.SynReceived or TcpState.Established) => true,
        (TcpState.SynReceived, TcpState.Established or TcpState.FinWait1 or TcpState.CloseWait) => true,
        (TcpState.Established, TcpState.FinWait1 or TcpState.CloseWait) => true,
        (TcpState.FinWait1, TcpState.FinWait2 or TcpState.Closing or TcpState.TimeWait) => true,
        (TcpState.FinWait2, TcpState.TimeWait) => true,
        (TcpState.CloseWait, TcpState.LastAck) => true,
        (TcpState.Closing, TcpState.TimeWait) => true,
        _ => false,
    };
}
