using System.Numerics;

namespace TcpActors.Endpoints;

/// <summary>
/// tcp_cubic.c's cubic_root: an integer cube root good to a fraction of a percent, from a 64-entry table of
/// cbrt(i &lt;&lt; 18) − 1 giving the leading bits, then one Newton-Raphson step (x ← (2x + a/x²)/3, the division by 3
/// done as ×341 &gt;&gt; 10, and x² taken as x(x − 1) as the kernel does). The result is the kernel's to the unit.
/// </summary>
internal static class CubicRoot
{
    private static ReadOnlySpan<byte> Table =>
    [
        0, 54, 54, 54, 118, 118, 118, 118,
        123, 129, 134, 138, 143, 147, 151, 156,
        157, 161, 164, 168, 170, 173, 176, 179,
        181, 185, 187, 190, 192, 194, 197, 199,
        200, 202, 204, 206, 209, 211, 213, 215,
        217, 219, 221, 222, 224, 225, 227, 229,
        231, 232, 234, 236, 237, 239, 240, 242,
        244, 245, 246, 248, 250, 251, 252, 254,
    ];

    /// <summary>cubic_root(a).</summary>
    public static uint Of(ulong a)
    {
        int b = 64 - BitOperations.LeadingZeroCount(a); // fls64
        if (b < 7)
        {
            return ((uint)Table[(int)a] + 35) >> 6;
        }

        b = ((b * 84) >> 8) - 1;
        int index = (int)(a >> (b * 3));
        uint x = ((uint)Table[index] + 10) << b >> 6;
        x = unchecked((2 * x) + (uint)(a / ((ulong)x * (x - 1))));
        return unchecked(x * 341) >> 10;
    }
}
