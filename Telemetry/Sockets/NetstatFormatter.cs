using System.Globalization;
using System.Text;
using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Formats socket snapshots as <c>netstat -tn</c> from net-tools prints them (the seed posts' tool):
/// <c>tcp        0      0 127.0.0.1:8888          0.0.0.0:*               LISTEN     </c> — protocol in 4
/// columns, two spaces, queues right-aligned in 6, addresses left-aligned in 23, the state in 11 (so short
/// states end in spaces, as netstat's do), and with -o a timer such as <c>timewait (59.65/0/0)</c>.
/// </summary>
public static class NetstatFormatter
{
    public static string Format(IEnumerable<SocketSnapshot> sockets, NetstatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        options ??= NetstatOptions.AllSockets;
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("Active Internet connections ")
            .Append(options.Listening ? "(only servers)" : options.All ? "(servers and established)" : "(w/o servers)")
            .Append('\n');
        text.Append("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ")
            .Append(options.ShowTimers ? " Timer" : "")
            .Append('\n');
        foreach (var socket in sockets.Where(socket => Shows(socket.State, options)))
        {
            var peer = socket.IsWildcardPeer ? new SocketAddress(IPv4Address.Any, 0) : socket.Peer;
            // /proc/net/tcp gives a listener's accept queue as rx_queue and 0 as tx_queue; the backlog ss shows is not there.
            int sendQ = socket.State == TcpState.Listen ? 0 : socket.SendQ;
            text.Append(culture, $"{"tcp",-4}  {socket.RecvQ,6} {sendQ,6} {AddressText(socket.Local),-23} {AddressText(peer),-23} {socket.State.ToNetstatString(),-11}");
            if (options.ShowTimers)
            {
                text.Append(' ').Append(TimerText(socket.Timer));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static bool Shows(TcpState state, NetstatOptions options) =>
        options.Listening ? state == TcpState.Listen : options.All || state != TcpState.Listen;

    private static string AddressText(SocketAddress address) =>
        address.Address + ":" + (address.Port == 0 ? "*" : address.Port.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// netstat -o: name (seconds/retransmits/probes). /proc/net/tcp gives the time in USER_HZ ticks (1/100 s,
    /// truncated); keepalive and zero-window probes count in the third field, retransmissions in the second.
    /// </summary>
    public static string TimerText(SocketTimer? timer)
    {
        if (timer is not { } pending)
        {
            return "off (0.00/0/0)";
        }

        long ticks = Math.Max(0, pending.Remaining.Nanoseconds / 10_000_000);
        string seconds = string.Create(CultureInfo.InvariantCulture, $"{ticks / 100}.{ticks % 100:D2}");
        return pending.Kind switch
        {
            SocketTimerKind.On => string.Create(CultureInfo.InvariantCulture, $"on ({seconds}/{pending.Retransmits}/0)"),
            SocketTimerKind.Keepalive => string.Create(CultureInfo.InvariantCulture, $"keepalive ({seconds}/0/{pending.Retransmits})"),
            SocketTimerKind.TimeWait => string.Create(CultureInfo.InvariantCulture, $"timewait ({seconds}/0/0)"),
            SocketTimerKind.Persist => string.Create(CultureInfo.InvariantCulture, $"probe ({seconds}/0/{pending.Retransmits})"),
            _ => "off (0.00/0/0)",
        };
    }
}
