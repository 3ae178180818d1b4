namespace TcpActors.Chaos.Tests;

/// <summary>The computed delay tables against the ones iproute2 installs, and the error function behind them.</summary>
public sealed class NetemDistributionTests
{
    /// <summary>
    /// FNV-1a-64 over the 16-bit entries of /usr/lib/x86_64-linux-gnu/tc/{normal,pareto,paretonormal}.dist
    /// from Debian's iproute2 6.1, with their first entry and their sum: a fingerprint of the real files.
    /// </summary>
    [Theory]
    [InlineData(NetemDistribution.Normal, 0x934820D33F8334B4UL, -32768, -26163L)]
    [InlineData(NetemDistribution.Pareto, 0x67C9C87D7B87A671UL, -5461, -1123786L)]
    [InlineData(NetemDistribution.ParetoNormal, 0x1841CF9B07A38613UL, -12305, -848968L)]
    public void Computed_tables_equal_the_files_iproute2_installs_entry_for_entry(NetemDistribution distribution, ulong fingerprint, short first, long sum)
    {
        // Proves the tables are netem's own, not an approximation: same 4096 entries as normal.dist, pareto.dist, paretonormal.dist.
        var table = NetemDistributionTables.For(distribution)!;

        ulong hash = 14695981039346656037UL;
        foreach (short entry in table)
        {
            hash ^= (ushort)entry;
            hash *= 1099511628211UL;
        }

        Assert.Equal(NetemDistributionTables.Size, table.Count);
        Assert.Equal(fingerprint, hash);
        Assert.Equal(first, table[0]);
        Assert.Equal(sum, table.Sum(t => (long)t));
    }

    [Fact]
    public void Uniform_has_no_table()
    {
        // Proves "distribution uniform" is netem's default: no table, uniform jitter.
        Assert.Null(NetemDistributionTables.For(NetemDistribution.Uniform));
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(-1.0, -0.8427007929497149)]
    [InlineData(4.0, 0.9999999845827421)]
    public void The_error_function_is_accurate_to_double_precision(double z, double expected)
    {
        // Proves erf against reference values (to 1e-15), which the table construction depends on.
        Assert.Equal(expected, NetemDistributionTables.Erf(z), 1e-15);
    }
}
