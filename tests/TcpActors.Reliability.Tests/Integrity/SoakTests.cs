using System.Globalization;
using Xunit.Abstractions;

namespace TcpActors.Reliability.Tests;

/// <summary>
/// The long run of the data-integrity property, off unless TCPACTORS_SOAK=N asks for N cases (see
/// docs/reliability.md). It draws a fresh FsCheck seed each time (printed first; TCPACTORS_FSCHECK_SEED
/// pins it) and uses the widest generator: up to four connections, writes up to 64 kB.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public void Soak_the_data_integrity_property()
    {
        // Proves the property over as many cases as TCPACTORS_SOAK asks for; passes at once when it is unset.
        if (!int.TryParse(Environment.GetEnvironmentVariable("TCPACTORS_SOAK"), NumberStyles.None, CultureInfo.InvariantCulture, out int cases) || cases <= 0)
        {
            output.WriteLine("TCPACTORS_SOAK is not set: no soak");
            return;
        }

        ulong seed = (ulong)DateTime.UtcNow.Ticks;
        ulong gamma = 0x9E3779B97F4A7C15UL | 1;
        if (Environment.GetEnvironmentVariable("TCPACTORS_FSCHECK_SEED") is { Length: > 0 } pinned)
        {
            var parts = pinned.Split(',', StringSplitOptions.TrimEntries);
            (seed, gamma) = (ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        output.WriteLine($"soak: {cases} cases from FsCheck seed ({seed}, {gamma}); replay with TCPACTORS_FSCHECK_SEED={seed},{gamma}");
        IntegrityProperty.CheckMany(IntegrityGenerators.Arbitrary(maxConnections: 4, maxBytesPerWrite: 65_536), cases, seed, gamma, output.WriteLine);
    }
}
