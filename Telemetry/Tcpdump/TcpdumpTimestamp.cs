using System.Globalization;
using System.Text;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Prints the timestamp that starts each tcpdump line (tcpdump's ts_print), followed by its space.
/// Times are truncated to the microsecond, as pcap timestamps are. The relative formats remember the
/// first and the previous printed packet, so one instance serves one output.
/// </summary>
internal sealed class TcpdumpTimestamp(TcpdumpTimestampFormat format, DateTimeOffset epoch)
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;
    private readonly long _epochMicroseconds = (epoch - DateTimeOffset.UnixEpoch).Ticks / 10;
    private long? _firstMicroseconds;
    private long? _previousMicroseconds;

    public void Reset()
    {
        _firstMicroseconds = null;
        _previousMicroseconds = null;
    }

    public void Append(StringBuilder text, SimTime time)
    {
        long now = _epochMicroseconds + (time.Nanoseconds / 1000);
        _firstMicroseconds ??= now;
        // The first line's delta is zero: tcpdump starts its reference at the first packet.
        long previous = _previousMicroseconds ?? now;
        switch (format)
        {
            case TcpdumpTimestampFormat.None:
                break;
            case TcpdumpTimestampFormat.TimeOfDay:
                AppendTimeOfDay(text, now);
                text.Append(' ');
                break;
            case TcpdumpTimestampFormat.EpochSeconds:
                text.Append(s_invariant, $"{now / 1_000_000}.{now % 1_000_000:D6} ");
                break;
            case TcpdumpTimestampFormat.DateAndTime:
                var date = DateTimeOffset.UnixEpoch.AddTicks((now / 1_000_000) * TimeSpan.TicksPerSecond);
                text.Append(s_invariant, $"{date:yyyy-MM-dd} ");
                AppendTimeOfDay(text, now);
                text.Append(' ');
                break;
            case TcpdumpTimestampFormat.SincePrevious:
                AppendDelta(text, now - previous);
                break;
            case TcpdumpTimestampFormat.SinceFirst:
                AppendDelta(text, now - _firstMicroseconds.Value);
                break;
            default:
                throw new InvalidOperationException($"Unknown timestamp format {format}");
        }

        _previousMicroseconds = now;
    }

    private static void AppendTimeOfDay(StringBuilder text, long microseconds)
    {
        long secondOfDay = (microseconds / 1_000_000) % 86_400;
        text.Append(s_invariant, $"{secondOfDay / 3600:D2}:{secondOfDay / 60 % 60:D2}:{secondOfDay % 60:D2}.{microseconds % 1_000_000:D6}");
    }

    /// <summary>tcpdump's ts_format for deltas: a sign column, then the delta as a time of day (tcpdump drops whole days: 100 h prints as 04:00:00).</summary>
    private static void AppendDelta(StringBuilder text, long microseconds)
    {
        text.Append(microseconds < 0 ? '-' : ' ');
        long magnitude = Math.Abs(microseconds);
        long seconds = magnitude / 1_000_000;
        text.Append(s_invariant, $"{seconds / 3600 % 24:D2}:{seconds / 60 % 60:D2}:{seconds % 60:D2}.{magnitude % 1_000_000:D6} ");
    }
}
