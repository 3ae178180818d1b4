using System.Text;
using TcpActors.Endpoints;

namespace TcpActors.Telemetry;

/// <summary>
/// The line <c>ss -i</c> prints under a TCP socket (tcp_stats_print in iproute2's misc/ss.c): a tab, then each field
/// after a space, in ss's order. Only the fields the simulator keeps appear: <c>cwnd:</c>, <c>ssthresh:</c> (while
/// finite) and <c>pacing_rate</c> with <c>/max_pacing_rate</c> after it when SO_MAX_PACING_RATE is set; ss prints
/// neither while tcpi_pacing_rate is 0 or ~0.
/// </summary>
public static class SsInfoText
{
    public static string Format(SocketSnapshot socket, bool numericRates)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var text = new StringBuilder("\t");
        if (socket.CongestionWindow is { } cwnd and not 0)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" cwnd:{cwnd}");
        }

        if (socket.SlowStartThreshold is { } ssthresh)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" ssthresh:{ssthresh}");
        }

        text.Append(PacingRate(socket, numericRates));
        return text.ToString();
    }

    /// <summary><c> pacing_rate 8Mbps/8Mbps</c>: tcpi_pacing_rate and, if set, tcpi_max_pacing_rate, in bits a second; empty without a rate.</summary>
    public static string PacingRate(SocketSnapshot socket, bool numericRates)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.PacingRate is not { } rate || rate == 0)
        {
            return "";
        }

        string text = " pacing_rate " + SsRateText.Format(rate * 8.0, numericRates) + "bps";
        return socket.MaxPacingRate is { } max and not 0 ? text + "/" + SsRateText.Format(max * 8.0, numericRates) + "bps" : text;
    }
}
