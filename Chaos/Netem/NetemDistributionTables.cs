namespace TcpActors.Chaos;

/// <summary>netem's delay distributions: <c>distribution normal|pareto|paretonormal|uniform</c>.</summary>
public enum NetemDistribution : byte
{
    /// <summary>No table: jitter is uniform in [latency − jitter, latency + jitter).</summary>
    Uniform,

    Normal,

    /// <summary>Pareto with shape a = 3, shifted to mean zero, clipped at four scale units.</summary>
    Pareto,

    /// <summary>A quarter normal and three quarters Pareto (NIST Net's mix).</summary>
    ParetoNormal,
}

/// <summary>
/// The distribution tables tc loads into netem (normal.dist, pareto.dist, paretonormal.dist). Each is
/// 4096 signed 16-bit samples of a scaled inverse cumulative distribution function: netem picks an
/// entry with a (correlated) random number and adds entry × jitter / 8192 to the latency.
/// <para>
/// The tables are computed here the way iproute2's generators (netem/normal.c, pareto.c, paretonormal.c,
/// which came from NIST Net) compute them, rather than copied: for the normal curve, x walks from −10 to
/// 10.05 in steps of 0.00005 and each x is stored at index rint(16384 × Φ(x)), so every index keeps the
/// largest x whose normal CDF rounds to it; every fourth index, times 8192 and clamped to 16 bits, makes
/// the table. Pareto entries are (65536/i)^(1/3) − 1.5, times 4/3 × 8192, for i = 65536, 65520, … 16.
/// The same arithmetic in IEEE doubles reproduces the files iproute2 installs, entry for entry (a test
/// compares their checksums).
/// </para>
/// </summary>
public static class NetemDistributionTables
{
    /// <summary>NETEM_DIST_SCALE: table entries are in units of jitter / 8192.</summary>
    public const int Scale = 8192;

    /// <summary>Entries per table.</summary>
    public const int Size = 4096;

    private const int FineSize = 16384;

    private static readonly Lazy<short[]> s_normal = new(() => BuildNormalMix(paretoShare: 0));
    private static readonly Lazy<short[]> s_pareto = new(BuildPareto);
    private static readonly Lazy<short[]> s_paretoNormal = new(() => BuildNormalMix(paretoShare: 3));

    /// <summary>The table for <paramref name="distribution"/>, or null for uniform (netem's default, no table).</summary>
    public static IReadOnlyList<short>? For(NetemDistribution distribution) => Table(distribution);

    internal static short[]? Table(NetemDistribution distribution) => distribution switch
    {
        NetemDistribution.Uniform => null,
        NetemDistribution.Normal => s_normal.Value,
        NetemDistribution.Pareto => s_pareto.Value,
        NetemDistribution.ParetoNormal => s_paretoNormal.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, null),
    };

    /// <summary>The normal table (paretoShare 0), or paretonormal's (normal + 3 × Pareto) / 4 (paretoShare 3).</summary>
    private static short[] BuildNormalMix(int paretoShare)
    {
        double[] inverse = InverseNormalCdf();
        var table = new short[Size];
        for (int i = 0; i < Size; i++)
        {
            int normal = (int)Math.Round(inverse[4 * i] * Scale, MidpointRounding.ToEven);
            // C's integer division truncates toward zero, as C#'s does.
            int value = paretoShare == 0 ? normal : (normal + (paretoShare * ParetoValue(65536 - (16 * i)))) / 4;
            table[i] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
        }

        return table;
    }

    private static short[] BuildPareto()
    {
        var table = new short[Size];
        for (int i = 0; i < Size; i++)
        {
            table[i] = (short)ParetoValue(65536 - (16 * i));
        }

        return table;
    }

    /// <summary>x such that rint(16384 × Φ(x)) = index, the largest on netem's grid; the walk is iproute2's, step for step.</summary>
    private static double[] InverseNormalCdf()
    {
        var inverse = new double[FineSize + 1];
        for (double x = -10.0; x < 10.05; x += .00005)
        {
            int index = (int)Math.Round(FineSize * NormalCdf(x), MidpointRounding.ToEven);
            inverse[index] = x;
        }

        return inverse;
    }

    private static int ParetoValue(int numerator)
    {
        const double Shape = 3.0;
        double value = 1.0 / Math.Pow(numerator / 65536.0, 1.0 / Shape);
        value -= 1.5;
        value *= 4.0 / 3.0 * Scale;
        return (int)Math.Round(Math.Min(value, 32767), MidpointRounding.ToEven);
    }

    private static double NormalCdf(double x) => .5 + (.5 * Erf(x / Math.Sqrt(2.0)));

    /// <summary>
    /// The error function, accurate to about 1e-15: erf(z) = 2/√π · e^(−z²) · Σ 2ⁿ z^(2n+1) / (2n+1)!!,
    /// a series of positive terms (no cancellation), summed until the terms stop mattering.
    /// </summary>
    internal static double Erf(double z)
    {
        if (z < 0)
        {
            return -Erf(-z);
        }

        if (z > 6.5)
        {
            return 1.0;
        }

        double term = z;
        double sum = z;
        for (int n = 1; n < 500 && term > sum * 1e-17; n++)
        {
            term *= 2.0 * z * z / ((2 * n) + 1);
            sum += term;
        }

        return 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * sum;
    }
}
