using System.Text;
using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Attribute values, spelled once and cached so that recording a measurement allocates no strings:
/// TCP states as the semantic conventions' <c>network.connection.state</c> values, errnos as
/// <c>error.type</c>, retransmission kinds, drop reasons and chaos actions in snake_case.
/// </summary>
public static class TelemetryValues
{
    private static readonly string[] s_states = Enum.GetValues<TcpState>().Select(ConnectionStateOf).ToArray();
    private static readonly string[] s_dropReasons = Enum.GetValues<DropReason>().Select(r => SnakeCase(r.ToString())).ToArray();
    private static readonly string[] s_retransmissionKinds = Enum.GetValues<RetransmissionKind>().Select(k => SnakeCase(k.ToString())).ToArray();
    private static readonly string[] s_chaosActions = Enum.GetValues<ChaosVerdictKind>().Select(k => SnakeCase(k.ToString())).ToArray();
    private static readonly string?[] s_flags = new string?[256];
    private static readonly Dictionary<Errno, (string Name, string ErrorType)> s_errnos =
        Enum.GetValues<Errno>().ToDictionary(e => e, e => (e.ToString(), SnakeCase(e.Describe().Replace(' ', '_'))));

    /// <summary><c>network.connection.state</c>: <c>established</c>, <c>time_wait</c>, <c>syn_sent</c>… (the registry's values).</summary>
    public static string State(TcpState state) => s_states[(int)state];

    /// <summary><c>tcpactors.drop.reason</c>: <c>filter_rule</c>, <c>netem_loss</c>, <c>tcp_stack</c>…</summary>
    public static string Reason(DropReason reason) => s_dropReasons[(int)reason];

    /// <summary><c>tcp.retransmission.kind</c>: <c>timeout</c>, <c>loss_probe</c>, <c>fast</c>, <c>syn</c>, <c>syn_ack</c>.</summary>
    public static string Kind(RetransmissionKind kind) => s_retransmissionKinds[(int)kind];

    /// <summary><c>tcpactors.chaos.action</c>: <c>drop</c>, <c>reject</c>, <c>loss</c>, <c>queue_full</c>, <c>delay</c>…</summary>
    public static string Action(ChaosVerdictKind kind) => s_chaosActions[(int)kind];

    /// <summary><c>tcp.errno</c>: the Linux name, <c>ECONNREFUSED</c>.</summary>
    public static string ErrnoName(Errno errno) => s_errnos.TryGetValue(errno, out var names) ? names.Name : errno.ToString();

    /// <summary><c>error.type</c>: strerror's text in snake_case, <c>connection_refused</c>, <c>connection_timed_out</c>.</summary>
    public static string ErrorType(Errno errno) => s_errnos.TryGetValue(errno, out var names) ? names.ErrorType : errno.ToString();

    /// <summary><c>tcp.flags</c>: tcpdump's letters in tcpdump's order, <c>S</c>, <c>S.</c>, <c>.</c>, <c>P.</c>, <c>F.</c>, <c>R</c>.</summary>
    public static string Flags(TcpFlags flags) => s_flags[(byte)flags] ??= TcpdumpFlags.ToText(flags);

    private static string ConnectionStateOf(TcpState state) => state switch
    {
        TcpState.Closed => "closed",
        TcpState.Listen => "listen",
        TcpState.SynSent => "syn_sent",
        TcpState.SynReceived => "syn_received",
        TcpState.Established => "established",
        TcpState.FinWait1 => "fin_wait_1",
        TcpState.FinWait2 => "fin_wait_2",
        TcpState.CloseWait => "close_wait",
        TcpState.Closing => "closing",
        TcpState.LastAck => "last_ack",
        TcpState.TimeWait => "time_wait",
        _ => SnakeCase(state.ToString()),
    };

    private static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0 && pascal[i - 1] != '_')
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
