namespace TcpActors.Endpoints;

/// <summary>The TCP states of RFC 9293 (section 3.3.2), spelled as the RFC spells them when printed.</summary>
public enum TcpState : byte
{
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

public static class TcpStateNames
{
    /// <summary>The RFC's spelling: <c>SYN-SENT</c>, <c>FIN-WAIT-1</c>, <c>TIME-WAIT</c>…</summary>
    public static string ToRfcString(this TcpState state) => state switch
    {
        TcpState.Closed => "CLOSED",
        TcpState.Listen => "LISTEN",
        TcpState.SynSent => "SYN-SENT",
        TcpState.SynReceived => "SYN-RECEIVED",
        TcpState.Established => "ESTABLISHED",
        TcpState.FinWait1 => "FIN-WAIT-1",
        TcpState.FinWait2 => "FIN-WAIT-2",
        TcpState.CloseWait => "CLOSE-WAIT",
        TcpState.Closing => "CLOSING",
        TcpState.LastAck => "LAST-ACK",
        TcpState.TimeWait => "TIME-WAIT",
        _ => state.ToString(),
    };

    /// <summary>netstat's and the seed posts' spelling: <c>SYN_RECV</c>, <c>FIN_WAIT2</c>, <c>TIME_WAIT</c>…</summary>
    public static string ToNetstatString(this TcpState state) => state switch
    {
        TcpState.Closed => "CLOSE",
        TcpState.Listen => "LISTEN",
        TcpState.SynSent => "SYN_SENT",
        TcpState.SynReceived => "SYN_RECV",
        TcpState.Established => "ESTABLISHED",
        TcpState.FinWait1 => "FIN_WAIT1",
        TcpState.FinWait2 => "FIN_WAIT2",
        TcpState.CloseWait => "CLOSE_WAIT",
        TcpState.Closing => "CLOSING",
        TcpState.LastAck => "LAST_ACK",
        TcpState.TimeWait => "TIME_WAIT",
        _ => state.ToString(),
    };

    /// <summary><c>ss</c>'s spelling: <c>ESTAB</c>, <c>SYN-RECV</c>, <c>FIN-WAIT-2</c>, <c>TIME-WAIT</c>, <c>UNCONN</c>…</summary>
    public static string ToSsString(this TcpState state) => state switch
    {
        TcpState.Closed => "UNCONN",
        TcpState.Listen => "LISTEN",
        TcpState.SynSent => "SYN-SENT",
        TcpState.SynReceived => "SYN-RECV",
        TcpState.Established => "ESTAB",
        TcpState.FinWait1 => "FIN-WAIT-1",
        TcpState.FinWait2 => "FIN-WAIT-2",
        TcpState.CloseWait => "CLOSE-WAIT",
        TcpState.Closing => "CLOSING",
        TcpState.LastAck => "LAST-ACK",
        TcpState.TimeWait => "TIME-WAIT",
        _ => state.ToString(),
    };

    /// <summary>Parses any of the spellings above (case-insensitive), for scenario files and expectations.</summary>
    public static bool TryParse(string text, out TcpState state)
    {
        ArgumentNullException.ThrowIfNull(text);
        string key = text.Trim().Replace('-', '_');
        foreach (var candidate in Enum.GetValues<TcpState>())
        {
            string[] spellings =
            [
                candidate.ToRfcString().Replace('-', '_'),
                candidate.ToNetstatString(),
                candidate.ToSsString().Replace('-', '_'),
                candidate.ToString(),
            ];
            if (spellings.Any(spelling => string.Equals(spelling, key, StringComparison.OrdinalIgnoreCase)))
            {
                state = candidate;
                return true;
            }
        }

        state = TcpState.Closed;
        return false;
    }
}
