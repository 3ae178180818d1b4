using System.CommandLine;
using System.Globalization;
using TcpActors.Chaos;

namespace TcpActors.Cli;

/// <summary>
/// Options holding a number with a fraction (--rate, --speed), read as people write numbers on a command line:
/// digits, '.' for decimals, an optional exponent. Unlike System.CommandLine's own reading, '1,5' is refused
/// (not read as 15), and so are NaN, infinity and anything too large to be finite.
/// </summary>
internal static class NumberOption
{
    /// <summary>The slowest --speed: one simulated second then lasts a year of wall time (a smaller factor, down to 1e-320, only hung).</summary>
    public const double SpeedMin = 1.0 / (365 * 24 * 3600);

    /// <summary>--speed's value checked: null (as fast as possible) or a factor from <see cref="SpeedMin"/> up.</summary>
    public static double? Speed(double? pace) => pace switch
    {
        null => null,
        <= 0 => throw new UsageException($"--speed must be a positive number, not {pace.Value.ToString(CultureInfo.InvariantCulture)}"),
        < SpeedMin => throw new UsageException($"--speed {pace.Value.ToString(CultureInfo.InvariantCulture)} is too slow: one simulated second would last more than a year (the least is {SpeedMin.ToString("G3", CultureInfo.InvariantCulture)})"),
        _ => pace,
    };

    public static Option<double?> Create(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return null;
            }

            string text = result.Tokens[0].Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            {
                return value;
            }

            bool tooLarge = double.IsInfinity(value) && !text.Contains("inf", StringComparison.OrdinalIgnoreCase) && !text.Contains('∞', StringComparison.Ordinal);
            result.AddError(tooLarge
                ? $"{name}: {InputText.Quote(text)} is too large"
                : $"{name}: {InputText.Quote(text)} is not a number (write it like 100, 0.5 or 1e3)");
            return null;
        },
    };
}
