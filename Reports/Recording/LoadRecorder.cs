using TcpActors.Chaos;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Reports;

/// <summary>
/// Records what a load run's time series does not carry: errors by errno, chaos verdicts by kind (both per
/// simulated second) and the distribution of connect latencies. Attach it before the run:
/// <code>LoadRunner.Run(settings, attach: recorder.Attach)</code>. It keeps counters, not events, so its
/// memory does not grow with the number of connections (only with the connects in flight at once).
/// </summary>
public sealed class LoadRecorder
{
    /// <summary>Latency buckets: ten per decade from 1 µs to 10,000 s.</summary>
    internal const int BucketsPerDecade = 10;
    internal const double LowestLatencySeconds = 1e-6;
    internal const int LatencyBuckets = 10 * BucketsPerDecade;

    private readonly SortedDictionary<string, List<long>> _errors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<long>> _verdicts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Host, FourTuple Tuple), SimTime> _connecting = [];
    private readonly long[] _latency = new long[LatencyBuckets];

    /// <summary>Failures the client hosts' TCP reported, by errno, per simulated second.</summary>
    internal IReadOnlyDictionary<string, List<long>> ErrorsPerSecond => _errors;

    /// <summary>Chaos verdicts (iptables DROP/REJECT/ACCEPT, netem delayed/lost/…) per simulated second.</summary>
    internal IReadOnlyDictionary<string, List<long>> VerdictsPerSecond => _verdicts;

    /// <summary>Handshakes completed per latency bucket (see <see cref="BucketBounds"/>).</summary>
    internal IReadOnlyList<long> Latency => _latency;

    public void Attach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var events = system.EventStream;
        events.Subscribe<TcpConnectRefusedLocally>(e =>
        {
            if (IsClient(e.HostName))
            {
                Count(_errors, e.Errno.ToString(), e.Time);
            }
        });
        events.Subscribe<TcpSocketError>(e =>
        {
            if (IsClient(e.HostName))
            {
                Count(_errors, e.Errno.ToString(), e.Time);
            }
        });
        events.Subscribe<PacketFiltered>(e => Count(_verdicts, "iptables " + e.Action.ToString().ToUpperInvariant(), e.Time));
        events.Subscribe<PacketImpaired>(e => Count(_verdicts, "netem " + (e.Duplicate ? "duplicate" : e.Outcome.ToString().ToLowerInvariant()), e.Time));
        events.Subscribe<TcpStateChanged>(OnStateChanged);
    }

    /// <summary>The latency range of bucket <paramref name="index"/>, in seconds.</summary>
    internal static (double Low, double High) BucketBounds(int index) =>
        (LowestLatencySeconds * Math.Pow(10, (double)index / BucketsPerDecade), LowestLatencySeconds * Math.Pow(10, (double)(index + 1) / BucketsPerDecade));

    private void OnStateChanged(TcpStateChanged change)
    {
        if (!IsClient(change.HostName))
        {
            return;
        }

        var key = (change.HostName, change.Tuple);
        if (change.To == TcpState.SynSent)
        {
            _connecting[key] = change.Time;
        }
        else if (change.From == TcpState.SynSent && _connecting.Remove(key, out var started) && change.To == TcpState.Established)
        {
            double seconds = (change.Time - started).TotalSeconds;
            int index = seconds <= LowestLatencySeconds ? 0 : (int)Math.Floor(Math.Log10(seconds / LowestLatencySeconds) * BucketsPerDecade);
            _latency[Math.Clamp(index, 0, LatencyBuckets - 1)]++;
        }
    }

    private static bool IsClient(string host) => host.StartsWith("client-", StringComparison.Ordinal);

    private static void Count(SortedDictionary<string, List<long>> counters, string name, SimTime at)
    {
        if (!counters.TryGetValue(name, out var perSecond))
        {
            perSecond = [];
            counters.Add(name, perSecond);
        }

        // Bounded by the run's length: one counter per simulated second (a month is 2.6 million).
        int second = (int)Math.Min(at.Nanoseconds / 1_000_000_000, 31 * 24 * 3600);
        while (perSecond.Count <= second)
        {
            perSecond.Add(0);
        }

        perSecond[second]++;
    }
}
