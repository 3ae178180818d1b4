namespace TcpActors.Chaos;

/// <summary>
/// Dotted quads with a leading zero (<c>010.0.0.1</c>): iptables (libxtables), inet_aton and so Python's socket
/// module read such a part as octal (010 is 8, 08 is invalid), while a reader expecting decimal reads 10. Where
/// the two readings differ, TcpActors refuses the address rather than silently pick one.
/// </summary>
public static class OctalLookalike
{
    /// <summary>The first part of a dotted <paramref name="address"/> whose leading 0 changes its value (010, 08; not 000 or 07), or null.</summary>
    public static string? Part(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        foreach (string part in address.Split('.'))
        {
            string digits = part.TrimStart('0');
            bool octalDiffers = digits.Length >= 2 || digits is "8" or "9";
            if (part.Length > 1 && part[0] == '0' && octalDiffers && part.All(char.IsAsciiDigit))
            {
                return part;
            }
        }

        return null;
    }

    /// <summary>The complaint about <paramref name="part"/> of <paramref name="address"/>.</summary>
    public static string Message(string address, string part) =>
        $"{InputText.Quote(address)} has a leading zero in '{part}', which iptables and inet_aton read as octal: write the address without leading zeros";
}
