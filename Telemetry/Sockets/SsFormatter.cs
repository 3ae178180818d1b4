using System.Globalization;
using TcpActors.Endpoints;
using TcpActors.Network;

namespace TcpActors.Telemetry;

/// <summary>
/// Formats socket snapshots as <c>ss -tn</c> (iproute2 6.1) prints them when its output goes to a file or a
/// pipe: header <c>State Recv-Q Send-Q Local Address:Port Peer Address:Port Process</c>, numeric addresses,
/// <c>*</c> for port 0, and with -o the <c>timer:(…)</c> after the addresses. Sockets keep the order given
/// (the kernel's order is its hash tables'). With a single-state filter ss drops the State column, as here.
/// </summary>
public static class SsFormatter
{
    private static readonly SsColumns s_columns = new(
    [
        new("State", SsColumns.Alignment.Left, " "),
        new("Recv-Q", SsColumns.Alignment.Left, " "),
        new("Send-Q", SsColumns.Alignment.Left, " "),
        new("Local Address:", SsColumns.Alignment.Right, " "),
        new("Port", SsColumns.Alignment.Left, ""),
        new("Peer Address:", SsColumns.Alignment.Right, " "),
        new("Port", SsColumns.Alignment.Left, ""),
        new("Process", SsColumns.Alignment.Left, ""),
        new("", SsColumns.Alignment.Left, ""),
    ]);

    private static readonly SsColumns s_columnsWithoutState = new(
    [
        new("Recv-Q", SsColumns.Alignment.Left, " "),
        new("Send-Q", SsColumns.Alignment.Left, " "),
        new("Local Address:", SsColumns.Alignment.Right, " "),
        new("Port", SsColumns.Alignment.Left, ""),
        new("Peer Address:", SsColumns.Alignment.Right, " "),
        new("Port", SsColumns.Alignment.Left, ""),
        new("Process", SsColumns.Alignment.Left, ""),
        new("", SsColumns.Alignment.Left, ""),
    ]);

    /// <summary>The whole output, header included, each line ending in '\n'.</summary>
    public static string Format(IEnumerable<SocketSnapshot> sockets, SsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        options ??= SsOptions.AllSockets;
        var states = options.SelectedStates;
        bool showState = !SsStateFilter.IsSingle(states);
        var rows = new List<string[]>();
        var selected = Select(sockets, states).ToList();
        foreach (var socket in selected)
        {
            string[] row = Row(socket, options);
            rows.Add(showState ? row : row[1..]);
        }

        string table = (showState ? s_columns : s_columnsWithoutState).Render(rows);
        return options.ShowInfo ? WithInfoLines(table, selected, options) : table;
    }

    /// <summary>ss -i: each socket's line followed by its tcp_info line (the header has none, nor a TIME-WAIT socket).</summary>
    private static string WithInfoLines(string table, List<SocketSnapshot> sockets, SsOptions options)
    {
        var lines = table.Split('\n');
        var text = new System.Text.StringBuilder();
        text.Append(lines[0]).Append('\n');
        for (int i = 0; i < sockets.Count; i++)
        {
            text.Append(lines[i + 1]).Append('\n');
            string info = SsInfoText.Format(sockets[i], options.NumericRates);
            if (info.Length > 0)
            {
                text.Append(info).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The sockets ss would list for <paramref name="states"/>, in the given order.</summary>
    public static IEnumerable<SocketSnapshot> Select(IEnumerable<SocketSnapshot> sockets, SsStates states) =>
        sockets.Where(socket => states.Contains(socket.State));

    /// <summary>Only the sockets of one simulated host, as running ss on that machine shows.</summary>
    public static IEnumerable<SocketSnapshot> OnHost(this IEnumerable<SocketSnapshot> sockets, string hostName) =>
        sockets.Where(socket => string.Equals(socket.HostName, hostName, StringComparison.Ordinal));

    private static string[] Row(SocketSnapshot socket, SsOptions options)
    {
        var culture = CultureInfo.InvariantCulture;
        var peer = socket.IsWildcardPeer ? new SocketAddress(IPv4Address.Any, 0) : socket.Peer;
        string timer = options.ShowTimers && socket.Timer is { } pending ? " " + SsTimerText.Format(pending, options.TimerStyle) : "";
        return
        [
            socket.State.ToSsString(),
            string.Create(culture, $"{socket.RecvQ,-6}"),
            string.Create(culture, $"{socket.SendQ,-6}"),
            socket.Local.Address + ":",
            PortText(socket.Local.Port),
            peer.Address + ":",
            PortText(peer.Port),
            timer,
            "",
        ];
    }

    private static string PortText(ushort port) => port == 0 ? "*" : port.ToString(CultureInfo.InvariantCulture);
}
