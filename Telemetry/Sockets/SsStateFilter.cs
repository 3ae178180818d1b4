using TcpActors.Endpoints;

namespace TcpActors.Telemetry;

/// <summary>A set of TCP states, as ss's <c>state</c> filter and its -a / -l defaults select them.</summary>
[Flags]
public enum SsStates : ushort
{
    None = 0,
    Established = 1 << 1,
    SynSent = 1 << 2,
    SynReceived = 1 << 3,
    FinWait1 = 1 << 4,
    FinWait2 = 1 << 5,
    TimeWait = 1 << 6,
    Closed = 1 << 7,
    CloseWait = 1 << 8,
    LastAck = 1 << 9,
    Listen = 1 << 10,
    Closing = 1 << 11,

    All = Established | SynSent | SynReceived | FinWait1 | FinWait2 | TimeWait | Closed | CloseWait | LastAck | Listen | Closing,

    /// <summary>What <c>ss -t</c> shows without -a or -l: everything but LISTEN, UNCONN, TIME-WAIT and SYN-RECV (ss.c SS_CONN).</summary>
    DefaultConnections = All & ~(Listen | Closed | TimeWait | SynReceived),

    /// <summary><c>-l</c>: listening sockets (and unconnected ones).</summary>
    Listening = Listen | Closed,

    /// <summary><c>state connected</c>: all but LISTEN and UNCONN.</summary>
    Connected = All & ~(Listen | Closed),

    /// <summary><c>state synchronized</c>: connected, without SYN-SENT.</summary>
    Synchronized = Connected & ~SynSent,

    /// <summary><c>state bucket</c>: the minisockets, SYN-RECV and TIME-WAIT.</summary>
    Bucket = SynReceived | TimeWait,

    /// <summary><c>state big</c>: everything but the minisockets.</summary>
    Big = All & ~Bucket,
}

/// <summary>State names and membership for ss filters: <c>ss -tan state time-wait</c> is <c>SsStateFilter.Parse("time-wait")</c>.</summary>
public static class SsStateFilter
{
    public static SsStates Of(TcpState state) => state switch
    {
        TcpState.Established => SsStates.Established,
        TcpState.SynSent => SsStates.SynSent,
        TcpState.SynReceived => SsStates.SynReceived,
        TcpState.FinWait1 => SsStates.FinWait1,
        TcpState.FinWait2 => SsStates.FinWait2,
        TcpState.TimeWait => SsStates.TimeWait,
        TcpState.Closed => SsStates.Closed,
        TcpState.CloseWait => SsStates.CloseWait,
        TcpState.LastAck => SsStates.LastAck,
        TcpState.Listen => SsStates.Listen,
        TcpState.Closing => SsStates.Closing,
        _ => SsStates.None,
    };

    public static bool Contains(this SsStates states, TcpState state) => (states & Of(state)) != 0;

    /// <summary>Parses one or more ss state names separated by spaces or commas (each like a repeated <c>state X</c>).</summary>
    public static SsStates Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var states = SsStates.None;
        foreach (var name in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            states |= ParseOne(name);
        }

        return states;
    }

    private static SsStates ParseOne(string name) => name.ToLowerInvariant() switch
    {
        "all" => SsStates.All,
        "connected" => SsStates.Connected,
        "synchronized" => SsStates.Synchronized,
        "bucket" => SsStates.Bucket,
        "big" => SsStates.Big,
        "established" => SsStates.Established,
        "syn-sent" => SsStates.SynSent,
        "syn-recv" => SsStates.SynReceived,
        "fin-wait-1" => SsStates.FinWait1,
        "fin-wait-2" => SsStates.FinWait2,
        "time-wait" => SsStates.TimeWait,
        "closed" => SsStates.Closed,
        "close-wait" => SsStates.CloseWait,
        "last-ack" => SsStates.LastAck,
        "listening" or "listen" => SsStates.Listen,
        "closing" => SsStates.Closing,
        _ => throw new FormatException($"'{name}' is not an ss state (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, all, connected, synchronized, bucket, big)"),
    };

    /// <summary>Whether exactly one state is selected: ss then leaves out its State column.</summary>
    public static bool IsSingle(SsStates states) => states != SsStates.None && (states & (states - 1)) == 0;
}
