using TcpActors.Runtime;

namespace TcpActors.Reports;

/// <summary>What a row of the ladder shows.</summary>
internal enum RowKind
{
    /// <summary>An arrow leaves a lane (and, without latency, arrives in the same row).</summary>
    Arrow,

    /// <summary>An arrow that took time arrives, or is dropped.</summary>
    ArrowEnd,

    State,
    Call,

    /// <summary>A chaos command or the end of the run: a line across the diagram.</summary>
    Marker,
}

/// <summary>Something drawn at a moment of the run, with its place in the order events happened.</summary>
/// <param name="Order">Breaks ties between items placed relative to the same event (calls placed before or after it).</param>
internal sealed record LadderItem(SimTime At, long Sequence, int Order, RowKind Kind, bool? Left, object Payload)
{
    /// <summary>Text hangs below this row (the rule that dropped a packet): the next row keeps its distance.</summary>
    public bool Tall { get; init; }
}

/// <summary>
/// The vertical scale of a ladder. Time runs down, but not linearly: every item gets a row of its own (so
/// the four segments Linux sends in one instant on loopback stay readable), and the gap between two
/// instants grows with the logarithm of the time between them (1 ms ≈ 6 px, 1 s ≈ 60 px, 1 h ≈ 130 px),
/// so a burst and a 60-second wait both fit on a page. Gaps of a second or more get a break mark saying how
/// long they were; the time of every instant is written on the axis.
/// </summary>
internal sealed class LadderLayout
{
    public const double Top = 96;
    private const double GapPixelsPerDoubling = 6;
    private const double BreakPixels = 16;

    private readonly Dictionary<LadderItem, double> _y = new(ReferenceEqualityComparer.Instance);

    private LadderLayout()
    {
    }

    /// <summary>Each instant's time and the y of its first row, for the axis.</summary>
    public List<(SimTime At, double Y)> Instants { get; } = [];

    /// <summary>Break marks: the y between the two rows and the time skipped.</summary>
    public List<(double Y, Duration Skipped)> Breaks { get; } = [];

    public double Bottom { get; private set; }

    public double YOf(LadderItem item) => _y[item];

    public static LadderLayout Place(IReadOnlyList<LadderItem> items)
    {
        var layout = new LadderLayout();
        double y = Top;
        SimTime? previous = null;
        RowKind? previousKind = null;
        bool previousTall = false;
        var sidesInRow = new HashSet<bool>();
        foreach (var item in items.OrderBy(i => i.At).ThenBy(i => i.Sequence).ThenBy(i => i.Order))
        {
            bool annotation = item.Kind is RowKind.State or RowKind.Call;
            if (previous == item.At && annotation && previousKind is RowKind.State or RowKind.Call
                && item.Left is { } side && !sidesInRow.Contains(side))
            {
                // An annotation on the other lane at the same instant shares the row.
                sidesInRow.Add(side);
                layout._y[item] = y;
                continue;
            }

            if (previousTall)
            {
                y += 24;
            }

            if (previous is null)
            {
                y += Space(item.Kind) / 2;
            }
            else if (item.At > previous.Value)
            {
                var skipped = item.At - previous.Value;
                double gap = GapPixelsPerDoubling * Math.Log2(1 + (skipped.TotalMilliseconds));
                if (skipped >= Duration.FromSeconds(1))
                {
                    layout.Breaks.Add((y + ((Space(item.Kind) + gap + BreakPixels) / 2), skipped));
                    gap += BreakPixels;
                }

                y += Space(item.Kind) + gap;
            }
            else
            {
                y += Space(item.Kind);
            }

            if (previous != item.At)
            {
                layout.Instants.Add((item.At, y));
            }

            sidesInRow.Clear();
            if (item.Left is { } itemSide)
            {
                sidesInRow.Add(itemSide);
            }

            layout._y[item] = y;
            previous = item.At;
            previousKind = item.Kind;
            previousTall = item.Tall;
        }

        layout.Bottom = y + 28;
        return layout;
    }

    private static double Space(RowKind kind) => kind switch
    {
        RowKind.Arrow => 30,
        RowKind.ArrowEnd => 16,
        RowKind.State => 22,
        RowKind.Call => 18,
        _ => 26,
    };
}
