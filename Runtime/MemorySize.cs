using System.Globalization;

namespace TcpActors.Runtime;

/// <summary>
/// Amounts of memory as people write them for limits: <c>512MB</c>, <c>2GB</c>, <c>1.5G</c>, <c>64KiB</c>, <c>1000000</c>
/// (bytes). K, M, G and T are powers of 1024, as in <c>ulimit</c>, <c>docker --memory</c> and the JVM's <c>-Xmx</c>.
/// </summary>
public static class MemorySize
{
    private const long Kilobyte = 1L << 10;
    private const long Megabyte = 1L << 20;
    private const long Gigabyte = 1L << 30;

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        string rest = (text ?? "").Trim();
        int split = 0;
        while (split < rest.Length && (char.IsAsciiDigit(rest[split]) || rest[split] == '.'))
        {
            split++;
        }

        long scale = rest[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => Kilobyte,
            "M" or "MB" or "MIB" => Megabyte,
            "G" or "GB" or "GIB" => Gigabyte,
            "T" or "TB" or "TIB" => Gigabyte * Kilobyte,
            _ => 0,
        };
        if (split == 0 || scale == 0 || !double.TryParse(rest.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }

        double total = Math.Round(value * scale);
        if (total < 1 || total >= long.MaxValue / 2)
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }

    /// <summary><c>2 GB</c>, <c>512 MB</c>, <c>612.3 MB</c>, <c>64 KB</c>, <c>1,000 bytes</c>.</summary>
    public static string Format(long bytes)
    {
        var culture = CultureInfo.InvariantCulture;
        return bytes switch
        {
            >= Gigabyte when bytes % Gigabyte == 0 => string.Create(culture, $"{bytes / Gigabyte:N0} GB"),
            >= Megabyte when bytes % Megabyte == 0 => string.Create(culture, $"{bytes / Megabyte:N0} MB"),
            >= Megabyte => string.Create(culture, $"{(double)bytes / Megabyte:N1} MB"),
            >= Kilobyte when bytes % Kilobyte == 0 => string.Create(culture, $"{bytes / Kilobyte:N0} KB"),
            _ => string.Create(culture, $"{bytes:N0} bytes"),
        };
    }
}
