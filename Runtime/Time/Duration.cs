using System.Globalization;

namespace TcpActors.Runtime;

/// <summary>A span of simulated time in integer nanoseconds.</summary>
public readonly record struct Duration(long Nanoseconds) : IComparable<Duration>
{
    public static readonly Duration Zero = new(0);

    public static readonly Duration MaxValue = new(long.MaxValue);

    public static Duration FromNanoseconds(long nanoseconds) => new(nanoseconds);

    public static Duration FromMicroseconds(long microseconds) => new(checked(microseconds * 1_000));

    public static Duration FromMilliseconds(long milliseconds) => new(checked(milliseconds * 1_000_000));

    public static Duration FromSeconds(long seconds) => new(checked(seconds * 1_000_000_000));

    public static Duration FromSeconds(double seconds) => new(checked((long)Math.Round(seconds * 1e9)));

    public static Duration FromTimeSpan(TimeSpan span) => new(checked(span.Ticks * 100));

    public double TotalSeconds => Nanoseconds / 1e9;

    public double TotalMilliseconds => Nanoseconds / 1e6;

    public long TotalMillisecondsTruncated => Nanoseconds / 1_000_000;

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100);

    public static Duration operator +(Duration left, Duration right) => new(SimTime.SaturatingAdd(left.Nanoseconds, right.Nanoseconds));

    public static Duration operator -(Duration left, Duration right) => new(left.Nanoseconds - right.Nanoseconds);

    public static Duration operator *(Duration span, long factor) => new(checked(span.Nanoseconds * factor));

    public static Duration operator /(Duration span, long divisor) => new(span.Nanoseconds / divisor);

    public static bool operator <(Duration left, Duration right) => left.Nanoseconds < right.Nanoseconds;

    public static bool operator >(Duration left, Duration right) => left.Nanoseconds > right.Nanoseconds;

    public static bool operator <=(Duration left, Duration right) => left.Nanoseconds <= right.Nanoseconds;

    public static bool operator >=(Duration left, Duration right) => left.Nanoseconds >= right.Nanoseconds;

    public static Duration Min(Duration a, Duration b) => a <= b ? a : b;

    public static Duration Max(Duration a, Duration b) => a >= b ? a : b;

    public int CompareTo(Duration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Compact human form: <c>200ms</c>, <c>1.5s</c>, <c>60s</c>, <c>40us</c>, <c>7ns</c>.</summary>
    public override string ToString()
    {
        long ns = Nanoseconds;
        var culture = CultureInfo.InvariantCulture;
        if (ns == 0)
        {
            return "0s";
        }

        if (ns % 1_000_000_000 == 0)
        {
            return (ns / 1_000_000_000).ToString(culture) + "s";
        }

        if (Math.Abs(ns) >= 1_000_000_000)
        {
            return (ns / 1e9).ToString("0.######", culture) + "s";
        }

        if (ns % 1_000_000 == 0)
        {
            return (ns / 1_000_000).ToString(culture) + "ms";
        }

        if (Math.Abs(ns) >= 1_000_000)
        {
            return (ns / 1e6).ToString("0.###", culture) + "ms";
        }

        return ns % 1_000 == 0 ? (ns / 1_000).ToString(culture) + "us" : ns.ToString(culture) + "ns";
    }
}
