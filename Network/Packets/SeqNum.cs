using System.Globalization;

namespace TcpActors.Network;

/// <summary>
/// A TCP sequence number: 32 bits that wrap, compared modulo 2^32 as RFC 9293 section 3.4 requires
/// (a &lt; b when the signed difference b − a is positive). Never compare the raw values directly.
/// </summary>
public readonly record struct SeqNum(uint Value) : IComparable<SeqNum>
{
    public static SeqNum operator +(SeqNum seq, int delta) => new(unchecked(seq.Value + (uint)delta));

    public static SeqNum operator +(SeqNum seq, uint delta) => new(unchecked(seq.Value + delta));

    public static SeqNum operator -(SeqNum seq, int delta) => new(unchecked(seq.Value - (uint)delta));

    /// <summary>The signed distance from <paramref name="earlier"/> to <paramref name="later"/>.</summary>
    public static int operator -(SeqNum later, SeqNum earlier) => unchecked((int)(later.Value - earlier.Value));

    public static bool operator <(SeqNum left, SeqNum right) => (right - left) > 0;

    public static bool operator >(SeqNum left, SeqNum right) => (left - right) > 0;

    public static bool operator <=(SeqNum left, SeqNum right) => (right - left) >= 0;

    public static bool operator >=(SeqNum left, SeqNum right) => (left - right) >= 0;

    public static SeqNum Max(SeqNum a, SeqNum b) => a >= b ? a : b;

    public static SeqNum Min(SeqNum a, SeqNum b) => a <= b ? a : b;

    /// <summary>Whether <paramref name="seq"/> lies in [start, end) (modular).</summary>
    public static bool InRange(SeqNum seq, SeqNum start, SeqNum end) => seq >= start && seq < end;

    public int CompareTo(SeqNum other) => (this - other) switch
    {
        < 0 => -1,
        0 => 0,
        _ => 1,
    };

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
