using System.Globalization;
using System.Text;
using TcpActors.Runtime;

namespace TcpActors.Chaos;

/// <summary>
/// A probability as netem holds it: a 32-bit fraction of 2^32 − 1 (tc's rint(P × UINT32_MAX)), compared
/// with 32-bit random numbers exactly as the kernel compares them.
/// </summary>
public readonly record struct NetemProbability(uint Scaled)
{
    public static NetemProbability Zero => default;

    public static NetemProbability Always => new(uint.MaxValue);

    public double Fraction => Scaled / (double)uint.MaxValue;

    public bool IsZero => Scaled == 0;

    /// <summary>tc's conversion of a fraction in [0, 1].</summary>
    public static NetemProbability FromFraction(double fraction) =>
        new((uint)Math.Round(Math.Clamp(fraction, 0.0, 1.0) * uint.MaxValue, MidpointRounding.ToEven));

    public static NetemProbability FromPercent(double percent) => FromFraction(percent / 100.0);

    /// <summary>tc's <c>%g%%</c>: <c>0.5%</c>, <c>25%</c>.</summary>
    public override string ToString() => (100.0 * Fraction).ToString("G6", CultureInfo.InvariantCulture) + "%";
}

/// <summary>A netem loss model: <c>loss random</c>, <c>loss state</c> (4-state Markov) or <c>loss gemodel</c> (Gilbert-Elliott).</summary>
public abstract record NetemLossModel
{
    private protected NetemLossModel()
    {
    }
}

/// <summary><c>loss [random] PERCENT</c>: each packet is lost with this probability (correlated through <see cref="NetemSettings.LossCorrelation"/>).</summary>
public sealed record RandomLoss(NetemProbability Probability) : NetemLossModel
{
    public override string ToString() => $"loss {Probability}";
}

/// <summary>
/// <c>loss gemodel P [R [1-H [1-K]]]</c>, held as the kernel holds it: P (good to bad), R (bad to good),
/// H (the chance a packet in the bad state gets through) and K1 = 1 − K (the chance a packet in the
/// good state is lost). tc's defaults: R = 1 − P, 1−H = 100%, 1−K = 0%.
/// </summary>
public sealed record GilbertElliottLoss(NetemProbability P, NetemProbability R, NetemProbability H, NetemProbability K1) : NetemLossModel
{
    public override string ToString() => $"loss gemodel p {P} r {R} 1-h {new NetemProbability(uint.MaxValue - H.Scaled)} 1-k {K1}";
}

/// <summary>
/// <c>loss state P13 [P31 [P32 [P23 P14]]]</c>: the 4-state Markov chain of the GI model (1 good in a
/// gap, 2 good in a burst, 3 lost in a burst, 4 isolated loss). tc's defaults: P31 = 1 − P13, P32 = 0,
/// P23 = 1, P14 = 0.
/// </summary>
public sealed record FourStateLoss(NetemProbability P13, NetemProbability P31, NetemProbability P32, NetemProbability P23, NetemProbability P14) : NetemLossModel
{
    public override string ToString() => $"loss state p13 {P13} p31 {P31} p32 {P32} p23 {P23} p14 {P14}";
}

/// <summary>
/// Which optional netlink attributes a tc command carried. On <c>tc qdisc change</c> the kernel keeps its
/// old values for attributes that are absent: a change that does not mention <c>corrupt</c>, <c>reorder</c>,
/// <c>rate</c>, a correlation or a <c>distribution</c> leaves those as they were (netem_change).
/// </summary>
[Flags]
public enum NetemAttributes : byte
{
    None = 0,

    /// <summary>TCA_NETEM_CORR: delay, loss and duplicate correlations (sent when a delay, loss, reorder or corrupt correlation is given).</summary>
    Correlation = 1,

    Reorder = 2,

    Corrupt = 4,

    Rate = 8,

    Distribution = 16,
}

/// <summary>
/// netem's parameters, as the kernel holds them after <c>tc qdisc add ... netem OPTIONS</c>. Times are the
/// kernel's nanoseconds: tc 6.1 sends delay and jitter as 64 ns scheduler ticks of whole microseconds, so
/// <c>delay 1us</c> becomes 960 ns, as on a real machine; milliseconds are exact.
/// </summary>
public sealed record NetemSettings
{
    /// <summary>The packet limit of the queue (tc's default is 1000).</summary>
    public uint Limit { get; init; } = 1000;

    public Duration Latency { get; init; }

    /// <summary>Jitter, capped at 2^31 − 1 ns as the kernel caps it for tabledist.</summary>
    public Duration Jitter { get; init; }

    public NetemProbability DelayCorrelation { get; init; }

    public NetemDistribution Distribution { get; init; }

    /// <summary>The loss model, or null for none.</summary>
    public NetemLossModel? Loss { get; init; }

    /// <summary>Correlation of <c>loss random</c>; the 4-state and Gilbert-Elliott models do not use it.</summary>
    public NetemProbability LossCorrelation { get; init; }

    public NetemProbability Duplicate { get; init; }

    public NetemProbability DuplicateCorrelation { get; init; }

    public NetemProbability Reorder { get; init; }

    public NetemProbability ReorderCorrelation { get; init; }

    /// <summary>Reorder gap: tc sets 1 when reorder is given without <c>gap</c>; 0 means no reordering.</summary>
    public uint Gap { get; init; }

    public NetemProbability Corrupt { get; init; }

    public NetemProbability CorruptCorrelation { get; init; }

    /// <summary>The rate in bytes per second (tc's <c>rate 1mbit</c> is 125000), or 0 for none.</summary>
    public ulong RateBytesPerSecond { get; init; }

    /// <summary>Bytes added to (or, if negative, taken from) each packet's length for the rate.</summary>
    public int PacketOverhead { get; init; }

    /// <summary>Link-layer cell size for the rate (ATM: 53), or 0.</summary>
    public uint CellSize { get; init; }

    public int CellOverhead { get; init; }

    /// <summary>The optional attributes the command carried (what <c>change</c> replaces).</summary>
    public NetemAttributes Attributes { get; init; }

    /// <summary>The options as <c>tc qdisc show</c> prints them after <c>qdisc netem HANDLE: root refcnt 2</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("limit ").Append(Limit.ToString(CultureInfo.InvariantCulture));
        if (Latency > Duration.Zero)
        {
            text.Append(" delay ").Append(FormatTime(Latency));
            if (Jitter > Duration.Zero)
            {
                text.Append("  ").Append(FormatTime(Jitter));
                AppendCorrelation(text, DelayCorrelation);
            }
        }

        AppendLoss(text);
        AppendWithCorrelation(text, "duplicate", Duplicate, DuplicateCorrelation);
        AppendWithCorrelation(text, "reorder", Reorder, ReorderCorrelation);
        AppendWithCorrelation(text, "corrupt", Corrupt, CorruptCorrelation);
        if (RateBytesPerSecond > 0)
        {
            text.Append(" rate ").Append(FormatRate(RateBytesPerSecond));
        }

        if (Gap > 0)
        {
            text.Append(" gap ").Append(Gap.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private void AppendLoss(StringBuilder text)
    {
        if (Loss is RandomLoss random)
        {
            AppendWithCorrelation(text, "loss", random.Probability, LossCorrelation);
        }
        else if (Loss is not null)
        {
            text.Append(' ').Append(Loss);
        }
    }

    private static void AppendWithCorrelation(StringBuilder text, string name, NetemProbability probability, NetemProbability correlation)
    {
        if (!probability.IsZero)
        {
            text.Append(' ').Append(name).Append(' ').Append(probability);
            AppendCorrelation(text, correlation);
        }
    }

    private static void AppendCorrelation(StringBuilder text, NetemProbability correlation)
    {
        if (!correlation.IsZero)
        {
            text.Append(' ').Append(correlation);
        }
    }

    /// <summary>tc's time format: three significant digits with s, ms or us, or nanoseconds.</summary>
    internal static string FormatTime(Duration time)
    {
        var culture = CultureInfo.InvariantCulture;
        long ns = time.Nanoseconds;
        return ns switch
        {
            >= 1_000_000_000 => (ns / 1e9).ToString("G3", culture) + "s",
            >= 1_000_000 => (ns / 1e6).ToString("G3", culture) + "ms",
            >= 1_000 => (ns / 1e3).ToString("G3", culture) + "us",
            _ => ns.ToString(culture) + "ns",
        };
    }

    /// <summary>tc's rate format in bits per second with K, M, G or T (powers of 1000).</summary>
    internal static string FormatRate(ulong bytesPerSecond)
    {
        double bits = bytesPerSecond * 8.0;
        string[] units = ["", "K", "M", "G", "T"];
        int unit = 0;
        while (unit < units.Length - 1 && bits >= 1000 && bits % 1000 == 0)
        {
            bits /= 1000;
            unit++;
        }

        return bits.ToString("0.###", CultureInfo.InvariantCulture) + units[unit] + "bit";
    }
}
