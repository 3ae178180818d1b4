namespace TcpActors.Simulation;

/// <summary>
/// Orders host names as people count them: a name's trailing number is compared as a number, so
/// client-2 comes before client-10 (ordinal order would put client-10 first). Names without a trailing
/// number, or with different stems, are compared ordinally.
/// </summary>
public sealed class HostNameOrder : IComparer<string>
{
    public static readonly HostNameOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int splitX = NumberStart(x);
        int splitY = NumberStart(y);
        var numberX = x.AsSpan(splitX);
        var numberY = y.AsSpan(splitY);
        int byStem = x.AsSpan(0, splitX).SequenceCompareTo(y.AsSpan(0, splitY));
        if (byStem != 0 || numberX.IsEmpty || numberY.IsEmpty)
        {
            return byStem != 0 ? byStem : string.CompareOrdinal(x, y);
        }

        // Equal stems, both numbered: fewer digits (leading zeros aside) is smaller, then digit by digit.
        var trimmedX = numberX.TrimStart('0');
        var trimmedY = numberY.TrimStart('0');
        int byLength = trimmedX.Length.CompareTo(trimmedY.Length);
        if (byLength != 0)
        {
            return byLength;
        }

        int byDigits = trimmedX.SequenceCompareTo(trimmedY);
        return byDigits != 0 ? byDigits : string.CompareOrdinal(x, y);
    }

    private static int NumberStart(string name)
    {
        int start = name.Length;
        while (start > 0 && char.IsAsciiDigit(name[start - 1]))
        {
            start--;
        }

        return start;
    }
}
