using System.Globalization;

namespace TcpActors.Runtime;

/// <summary>
/// An instant of simulated (virtual) time, in integer nanoseconds since the start of the run.
/// Printed as seconds with microseconds (<c>12.345678</c>), the way tcpdump prints times.
/// </summary>
public readonly record struct SimTime(long Nanoseconds) : IComparable<SimTime>
{
    public static readonly SimTime Zero = new(0);

    /// <summary>The largest representable instant; used as "never".</summary>
    public static readonly SimTime MaxValue = new(long.MaxValue);

    public double TotalSeconds => Nanoseconds / 1e9;

    public double TotalMilliseconds => Nanoseconds / 1e6;

    public static SimTime FromSeconds(double seconds) => new(checked((long)Math.Round(seconds * 1e9)));

    public static SimTime operator +(SimTime time, Duration span) => new(SaturatingAdd(time.Nanoseconds, span.Nanoseconds));

    public static SimTime operator -(SimTime time, Duration span) => new(time.Nanoseconds - span.Nanoseconds);

    public static Duration operator -(SimTime later, SimTime earlier) => new(later.Nanoseconds - earlier.Nanoseconds);

    public static bool operator <(SimTime left, SimTime right) => left.Nanoseconds < right.Nanoseconds;

    public static bool operator >(SimTime left, SimTime right) => left.Nanoseconds > right.Nanoseconds;

    public static bool operator <=(SimTime left, SimTime right) => left.Nanoseconds <= right.Nanoseconds;

    public static bool operator >=(SimTime left, SimTime right) => left.Nanoseconds >= right.Nanoseconds;

    public int CompareTo(SimTime other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Seconds with six decimals, truncated to the microsecond (tcpdump truncates too).</summary>
    public override string ToString() => FormatSeconds(Nanoseconds);

    internal static string FormatSeconds(long nanoseconds)
    {
        long micros = nanoseconds / 1000;
        string sign = micros < 0 ? "-" : "";
        micros = Math.Abs(micros);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    internal static long SaturatingAdd(long a, long b)
    {
        long sum = unchecked(a + b);
        // Overflow only when both operands share a sign that the sum does not.
        if (((a ^ sum) & (b ^ sum)) < 0)
        {
            return a < 0 ? long.MinValue : long.MaxValue;
        }

        return sum;
    }
}
