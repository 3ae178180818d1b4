using TcpActors.Endpoints;

namespace TcpActors.Simulation;

/// <summary>
/// The state transitions a TCP socket may make, written down again from RFC 9293 (section 3.3.2, the
/// state diagram) and Linux's tcp_set_state callers, independently of the TCP code's own table
/// (Endpoints/Connection/TcpTransitions.cs), so that the invariant checker does not trust what it checks.
/// </summary>
public static class TcpStateRules
{
    /// <summary>Whether a socket may go from <paramref name="from"/> to <paramref name="to"/>, with the arc's reason.</summary>
    public static bool IsLegal(TcpState from, TcpState to) => Reason(from, to) is not null;

    /// <summary>The RFC or Linux rule that allows the arc, or null when no rule does.</summary>
    public static string? Reason(TcpState from, TcpState to) => (from, to) switch
    {
        (TcpState.Closed, TcpState.Listen) => "RFC 9293: passive OPEN (listen())",
        (TcpState.Closed, TcpState.SynSent) => "RFC 9293: active OPEN (connect())",
        (TcpState.Closed, TcpState.SynReceived) => "Linux: a listener's child (request socket, SYN cookie, SYN after TIME_WAIT) starts in SYN-RECEIVED",
        (TcpState.Listen, TcpState.SynReceived) => "RFC 9293: LISTEN receives SYN",
        (TcpState.Listen, TcpState.SynSent) => "RFC 9293: SEND on a listening socket",
        (TcpState.Listen, TcpState.Closed) => "RFC 9293: CLOSE of a listener",
        (TcpState.SynSent, TcpState.SynReceived) => "RFC 9293: simultaneous open (SYN received in SYN-SENT)",
        (TcpState.SynSent, TcpState.Established) => "RFC 9293: SYN-ACK received",
        (TcpState.SynSent, TcpState.Closed) => "RFC 9293: CLOSE, reset or timeout in SYN-SENT",
        (TcpState.SynReceived, TcpState.Established) => "RFC 9293: ACK of our SYN received",
        (TcpState.SynReceived, TcpState.FinWait1) => "RFC 9293: CLOSE in SYN-RECEIVED",
        (TcpState.SynReceived, TcpState.CloseWait) => "Linux tcp_fin(): a FIN in SYN-RECV goes straight to CLOSE-WAIT",
        (TcpState.SynReceived, TcpState.Listen) => "RFC 9293: reset of a passively opened connection",
        (TcpState.SynReceived, TcpState.Closed) => "RFC 9293 / Linux: reset, timeout or abort in SYN-RECEIVED",
        (TcpState.Established, TcpState.FinWait1) => "RFC 9293: CLOSE (or shutdown(SHUT_WR)) sends FIN",
        (TcpState.Established, TcpState.CloseWait) => "RFC 9293: FIN received",
        (TcpState.Established, TcpState.Closed) => "RFC 9293 / Linux: reset, timeout or abort",
        (TcpState.FinWait1, TcpState.FinWait2) => "RFC 9293: our FIN acknowledged",
        (TcpState.FinWait1, TcpState.Closing) => "RFC 9293: FIN received before our FIN was acknowledged",
        (TcpState.FinWait1, TcpState.TimeWait) => "RFC 9293: FIN and the ACK of our FIN received together",
        (TcpState.FinWait1, TcpState.Closed) => "Linux: reset, abort or orphan retries exhausted",
        (TcpState.FinWait2, TcpState.TimeWait) => "RFC 9293: FIN received",
        (TcpState.FinWait2, TcpState.Closed) => "Linux: tcp_fin_timeout for an orphan, or reset",
        (TcpState.CloseWait, TcpState.LastAck) => "RFC 9293: CLOSE sends our FIN",
        (TcpState.CloseWait, TcpState.Closed) => "Linux: reset, timeout or abort",
        (TcpState.Closing, TcpState.TimeWait) => "RFC 9293: ACK of our FIN received",
        (TcpState.Closing, TcpState.Closed) => "Linux: reset or retries exhausted",
        (TcpState.LastAck, TcpState.Closed) => "RFC 9293: ACK of our FIN received (or reset, timeout)",
        (TcpState.TimeWait, TcpState.Closed) => "RFC 9293: 2MSL (Linux: 60 s) timeout, or reset, or reuse",
        _ => null,
    };
}
