using System.Globalization;

namespace TcpActors.Chaos;

/// <summary>
/// tc's value parsers (iproute2 lib/utils.c), reimplemented: a number as strtod reads it followed by a
/// unit. Each returns false when tc would print <c>Illegal "…"</c>.
/// </summary>
internal static class TcValues
{
    /// <summary>tc's tick_in_usec: the kernel's scheduler clock ticks every 64 ns, so a microsecond is 15.625 ticks.</summary>
    private const double TicksPerMicrosecond = 1000.0 / 64.0;

    private const long NanosecondsPerTick = 64;

    private static readonly (string Suffix, double BitsPerUnit)[] s_rateUnits =
    [
        ("bit", 1), ("kibit", 1024), ("kbit", 1000), ("mibit", 1024.0 * 1024), ("mbit", 1e6),
        ("gibit", 1024.0 * 1024 * 1024), ("gbit", 1e9), ("tibit", 1024.0 * 1024 * 1024 * 1024), ("tbit", 1e12),
        ("bps", 8), ("kibps", 8 * 1024), ("kbps", 8000), ("mibps", 8.0 * 1024 * 1024), ("mbps", 8e6),
        ("gibps", 8.0 * 1024 * 1024 * 1024), ("gbps", 8e9), ("tibps", 8.0 * 1024 * 1024 * 1024 * 1024), ("tbps", 8e12),
    ];

    /// <summary>tc's matches(): the word is a non-empty prefix of the keyword (<c>del</c> is delete, <c>d</c> is delay).</summary>
    public static bool Matches(string word, string keyword) => word.Length > 0 && keyword.StartsWith(word, StringComparison.Ordinal);

    /// <summary>NEXT_IS_NUMBER(): the word starts with a digit.</summary>
    public static bool StartsWithDigit(string word) => word.Length > 0 && char.IsAsciiDigit(word[0]);

    /// <summary>
    /// A time as tc 6.1 reads netem's delay and jitter: microseconds (bare, or with s/sec/secs, ms/msec/msecs,
    /// us/usec/usecs), truncated to a whole number, converted to 64 ns ticks (truncated), which the kernel turns
    /// back into nanoseconds. Fails for negative values and for more than 2^32 ticks (about 274.9 s).
    /// </summary>
    public static bool TryParseTicks(string text, out long nanoseconds, out bool tooLarge)
    {
        nanoseconds = 0;
        tooLarge = false;
        if (!TryParseNumber(text, out double value, out string unit))
        {
            return false;
        }

        double scale = unit.ToLowerInvariant() switch
        {
            "" or "us" or "usec" or "usecs" => 1,
            "ms" or "msec" or "msecs" => 1e3,
            "s" or "sec" or "secs" => 1e6,
            _ => double.NaN,
        };
        double microseconds = value * scale;
        if (double.IsNaN(microseconds) || microseconds < 0)
        {
            return false;
        }

        double ticks = Math.Floor(Math.Floor(microseconds) * TicksPerMicrosecond);
        tooLarge = microseconds >= uint.MaxValue || ticks >= 4294967296.0;
        nanoseconds = (long)ticks * NanosecondsPerTick;
        return !tooLarge;
    }

    /// <summary>A percentage as tc reads it: a number, optionally followed by %, in [0, 100] (<c>0.5</c> and <c>0.5%</c> both mean half a percent).</summary>
    public static bool TryParsePercent(string text, out NetemProbability probability)
    {
        probability = default;
        if (!TryParseNumber(text, out double value, out string unit) || unit is not ("" or "%"))
        {
            return false;
        }

        double fraction = value / 100.0;
        if (fraction is < 0.0 or > 1.0)
        {
            return false;
        }

        probability = NetemProbability.FromFraction(fraction);
        return true;
    }

    /// <summary>A rate in bits per second (bare), or with bit/kbit/mbit/gbit/tbit, the IEC kibit… forms, or bytes (bps, kbps…); returns bytes per second.</summary>
    public static bool TryParseRate(string text, out ulong bytesPerSecond)
    {
        bytesPerSecond = 0;
        if (!TryParseNumber(text, out double value, out string unit) || value < 0)
        {
            return false;
        }

        double bits = value;
        if (unit.Length > 0)
        {
            int index = Array.FindIndex(s_rateUnits, u => u.Suffix.Equals(unit, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return false;
            }

            bits *= s_rateUnits[index].BitsPerUnit;
        }

        bytesPerSecond = (ulong)(bits / 8);
        return true;
    }

    /// <summary>tc's get_size, used for <c>limit</c>: a number with an optional b, k/kb, m/mb, g/gb (powers of 1024) unit.</summary>
    public static bool TryParseSize(string text, out uint size)
    {
        size = 0;
        if (!TryParseNumber(text, out double value, out string unit) || value < 0)
        {
            return false;
        }

        double scale = unit.ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "k" or "kb" => 1024,
            "m" or "mb" => 1024 * 1024,
            "g" or "gb" => 1024.0 * 1024 * 1024,
            "kbit" => 1024 / 8,
            "mbit" => 1024 * 1024 / 8,
            "gbit" => 1024.0 * 1024 * 1024 / 8,
            _ => double.NaN,
        };
        double result = value * scale;
        if (double.IsNaN(result) || result > uint.MaxValue)
        {
            return false;
        }

        size = (uint)result;
        return true;
    }

    public static bool TryParseUnsigned(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static bool TryParseSigned(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>The longest prefix strtod would read as a decimal number (sign, digits, point, exponent), and the rest.</summary>
    private static bool TryParseNumber(string text, out double value, out string rest)
    {
        int end = 0;
        if (end < text.Length && text[end] is '+' or '-')
        {
            end++;
        }

        int digits = CountDigits(text, ref end);
        if (end < text.Length && text[end] == '.')
        {
            end++;
            digits += CountDigits(text, ref end);
        }

        if (digits > 0 && end < text.Length && text[end] is 'e' or 'E')
        {
            int exponentEnd = end + 1;
            if (exponentEnd < text.Length && text[exponentEnd] is '+' or '-')
            {
                exponentEnd++;
            }

            if (CountDigits(text, ref exponentEnd) > 0)
            {
                end = exponentEnd;
            }
        }

        rest = text[end..];
        value = 0;
        return digits > 0 && double.TryParse(text.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static int CountDigits(string text, ref int at)
    {
        int start = at;
        while (at < text.Length && char.IsAsciiDigit(text[at]))
        {
            at++;
        }

        return at - start;
    }
}
