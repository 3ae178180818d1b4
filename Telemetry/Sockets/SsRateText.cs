using System.Globalization;

namespace TcpActors.Telemetry;

/// <summary>
/// iproute2's sprint_bw (misc/ss.c), how <c>ss -i</c> prints a rate in bits a second (followed by "bps"): with -n the
/// whole number (<c>%.0f</c>), else three significant digits (<c>%.3g</c>) of tera, giga, mega or kilo (<c>T</c>,
/// <c>G</c>, <c>M</c>, <c>k</c>), or <c>%g</c> below 1000.
/// </summary>
public static class SsRateText
{
    private static readonly (double Scale, string Suffix)[] s_units = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];

    public static string Format(double bitsPerSecond, bool numeric)
    {
        if (numeric)
        {
            return bitsPerSecond.ToString("F0", CultureInfo.InvariantCulture);
        }

        foreach (var (scale, suffix) in s_units)
        {
            if (bitsPerSecond >= scale)
            {
                return GeneralFormat(bitsPerSecond / scale, 3) + suffix;
            }
        }

        return GeneralFormat(bitsPerSecond, 6);
    }

    /// <summary>C's <c>%g</c> (six significant digits), as ss prints times in milliseconds.</summary>
    public static string General(double value) => GeneralFormat(value, 6);

    /// <summary>
    /// C's <c>%.Ng</c>: rounded to N significant digits; fixed notation when the rounded exponent is from -4 to N - 1,
    /// else <c>1.5e+03</c>; trailing zeros (and a trailing point) dropped.
    /// </summary>
    private static string GeneralFormat(double value, int digits)
    {
        if (value == 0)
        {
            return "0";
        }

        string scientific = value.ToString("E" + (digits - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int exponent = int.Parse(scientific[(scientific.IndexOf('E', StringComparison.Ordinal) + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= digits)
        {
            string mantissa = TrimZeros(scientific[..scientific.IndexOf('E', StringComparison.Ordinal)]);
            return string.Create(CultureInfo.InvariantCulture, $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):D2}");
        }

        return TrimZeros(value.ToString("F" + (digits - 1 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }

    private static string TrimZeros(string number) => number.Contains('.', StringComparison.Ordinal) ? number.TrimEnd('0').TrimEnd('.') : number;
}
