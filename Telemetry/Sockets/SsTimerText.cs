using System.Globalization;
using System.Text;
using TcpActors.Endpoints;

namespace TcpActors.Telemetry;

/// <summary>How the ss on the reference machine spells timers with seconds and milliseconds.</summary>
public enum SsTimerStyle : byte
{
    /// <summary>iproute2 as on these machines (Debian 12, 6.1.0): 9.501 s prints <c>9.501ms</c> (a known quirk).</summary>
    Iproute2Classic,

    /// <summary>Later iproute2, whose print_ms_timer ends a seconds-and-milliseconds time in sec: 9.501 s prints <c>9.501sec</c>.</summary>
    Iproute2SecondsSuffix,
}

/// <summary>
/// ss's <c>timer:(name,time,count)</c> (misc/ss.c tcp_timer_print and print_ms_timer). The time is the
/// remaining milliseconds, truncated: minutes as <c>Nmin</c>, seconds as <c>Nsec</c>, milliseconds as a
/// zero-padded <c>NNNms</c>. From 10 minutes on only minutes are shown, from 10 seconds on no milliseconds,
/// and a minute count hides the milliseconds; 1min30sec, 59sec, 200ms, 060ms, 9.501ms (classic spelling);
/// an expired timer prints an empty time: <c>timer:(timewait,,0)</c>.
/// </summary>
public static class SsTimerText
{
    public static string Format(SocketTimer timer, SsTimerStyle style = SsTimerStyle.Iproute2Classic)
    {
        string name = timer.Kind switch
        {
            SocketTimerKind.On => "on",
            SocketTimerKind.Keepalive => "keepalive",
            SocketTimerKind.TimeWait => "timewait",
            SocketTimerKind.Persist => "persist",
            _ => "unknown",
        };
        long milliseconds = Math.Max(0, timer.Remaining.Nanoseconds / 1_000_000);
        return string.Create(CultureInfo.InvariantCulture, $"timer:({name},{FormatMilliseconds(milliseconds, style)},{timer.Retransmits})");
    }

    public static string FormatMilliseconds(long timeout, SsTimerStyle style = SsTimerStyle.Iproute2Classic)
    {
        var culture = CultureInfo.InvariantCulture;
        long seconds = timeout / 1000;
        long minutes = seconds / 60;
        seconds %= 60;
        long milliseconds = timeout % 1000;
        var text = new StringBuilder();
        if (minutes != 0)
        {
            milliseconds = 0;
            text.Append(culture, $"{minutes}min");
            if (minutes > 9)
            {
                seconds = 0;
            }
        }

        if (seconds != 0)
        {
            if (seconds > 9)
            {
                milliseconds = 0;
            }

            text.Append(culture, $"{seconds}").Append(milliseconds != 0 ? "." : "sec");
        }

        if (milliseconds != 0)
        {
            string unit = style == SsTimerStyle.Iproute2SecondsSuffix && seconds != 0 ? "sec" : "ms";
            text.Append(culture, $"{milliseconds:D3}{unit}");
        }

        return text.ToString();
    }
}
