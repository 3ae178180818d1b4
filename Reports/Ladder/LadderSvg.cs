using System.Globalization;
using TcpActors.Endpoints;
using TcpActors.Network;
using TcpActors.Runtime;
using TcpActors.Simulation;
using TcpActors.Telemetry;

namespace TcpActors.Reports;

/// <summary>
/// Draws a conversation as a ladder diagram in SVG: the two sockets as vertical time lines, one arrow per
/// packet with its flags and relative seq/ack, dropped packets as arrows that stop short with a cross and
/// the rule that dropped them, packets that took time slanted down to where they arrived, retransmissions
/// in orange, socket states written along each line as they change, the applications' calls beside their
/// line, and chaos commands as lines across. Hand-written SVG: a diagram, not a chart.
/// </summary>
internal static class LadderSvg
{
    public const double Width = 1360;
    private const double AxisRight = 80;
    private const double LeftLane = 470;
    private const double RightLane = 990;
    private const double CallGap = 62;

    private const string Style =
        "<style>text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12px;fill:#222}"
        + ".label{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}"
        + ".note{font-size:11px;fill:#555;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        + ".axis{font-size:11px;fill:#666}.lane-title{font-size:15px;font-weight:bold;font-family:system-ui,'DejaVu Sans',sans-serif}"
        + ".lane-sub{font-size:12px;fill:#555}.pill{font-size:11px;font-weight:bold}.call{font-size:11.5px;fill:#333}"
        + ".drop{font-size:11px;fill:#b71c1c;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        + ".chaos{font-size:11.5px;fill:#6a1b9a;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        + ".retx{font-size:11px;fill:#e65100;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        + ".pass{font-size:11.5px;fill:#2e7d32;paint-order:stroke;stroke:#fff;stroke-width:3px}.fail{font-size:11.5px;fill:#c62828;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        + ".title{font-size:16px;font-weight:bold;font-family:system-ui,'DejaVu Sans',sans-serif}</style>\n";

    /// <summary>The diagram of one conversation as a complete &lt;svg&gt; element.</summary>
    public static string Render(Conversation conversation, TcpdumpFormatter? tcpdump = null)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var (items, arrows) = Items(conversation);
        var layout = LadderLayout.Place(items);
        double height = layout.Bottom + 70;
        var svg = new Svg();
        svg.Raw($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" viewBox=\"0 0 {Svg.Number(Width)} {Svg.Number(height)}\" width=\"{Svg.Number(Width)}\" height=\"{Svg.Number(height)}\" role=\"img\" aria-label=\"ladder diagram {Svg.Escape(conversation.Title)}\">\n");
        svg.Raw(Style).Rect(0, 0, Width, height, "#fff");
        DrawChaosBands(svg, conversation, items, layout);
        DrawLanes(svg, conversation, items, layout);
        DrawBreaks(svg, layout);
        DrawAxis(svg, layout);
        tcpdump ??= new TcpdumpFormatter();
        var labels = new SegmentLabels();
        foreach (var (flight, start, end) in arrows)
        {
            DrawArrow(svg, conversation, flight, labels.Describe(flight), layout.YOf(start), end is null ? layout.YOf(start) : layout.YOf(end), tcpdump);
        }

        foreach (var item in items)
        {
            switch (item.Payload)
            {
                case LadderState state:
                    DrawState(svg, state, layout.YOf(item));
                    break;
                case (LadderCall call, bool returned):
                    DrawCall(svg, call, returned, layout.YOf(item), items, layout);
                    break;
                case RecordedChaos chaos:
                    DrawMarker(svg, layout.YOf(item), ChaosText(chaos), chaos.Rejected is null ? "#6a1b9a" : "#b71c1c", "chaos");
                    break;
                case ExpectationResult result:
                    DrawMarker(svg, layout.YOf(item), $"{(result.Passed ? "✓ PASS" : "✗ FAIL")} {result.Expectation.Describe()}", result.Passed ? "#2e7d32" : "#c62828", result.Passed ? "pass" : "fail");
                    break;
                case string end:
                    DrawMarker(svg, layout.YOf(item), end, "#455a64", "axis");
                    break;
            }
        }

        DrawLegend(svg, layout.Bottom + 18);
        svg.Raw("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Several ladders stacked in one standalone SVG document (for <c>--svg</c>).</summary>
    public static string RenderDocument(IReadOnlyList<Conversation> conversations, string title)
    {
        var parts = new List<(string Svg, double Height)>();
        var tcpdump = new TcpdumpFormatter();
        foreach (var conversation in conversations)
        {
            string one = Render(conversation, tcpdump);
            int start = one.IndexOf(" height=\"", StringComparison.Ordinal) + 9;
            double height = double.Parse(one[start..one.IndexOf('"', start)], CultureInfo.InvariantCulture);
            parts.Add((one, height));
        }

        double total = 40 + parts.Sum(p => p.Height + 20);
        var svg = new Svg();
        svg.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Raw($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Svg.Number(Width)} {Svg.Number(total)}\" width=\"{Svg.Number(Width)}\" height=\"{Svg.Number(total)}\">\n");
        svg.Raw(Style).Rect(0, 0, Width, total, "#fff").Text(16, 26, title, "title");
        double y = 40;
        foreach (var (one, height) in parts)
        {
            svg.Raw($"<g transform=\"translate(0 {Svg.Number(y)})\">\n").Raw(one).Raw("</g>\n");
            y += height + 20;
        }

        return svg.Raw("</svg>\n").ToString();
    }

    private static (List<LadderItem> Items, List<(Flight Flight, LadderItem Start, LadderItem? End)> Arrows) Items(Conversation conversation)
    {
        var items = new List<LadderItem>();
        var arrows = new List<(Flight, LadderItem, LadderItem?)>();
        foreach (var flight in conversation.Flights)
        {
            bool left = flight.From == conversation.Left.Address;
            var (endAt, endSequence) = flight.End;
            bool slanted = endAt > flight.SentAt;
            var start = new LadderItem(flight.SentAt, flight.SentSequence, 0, RowKind.Arrow, left, flight) { Tall = !slanted && flight.Drop is not null };
            items.Add(start);
            LadderItem? end = null;
            if (slanted)
            {
                end = new LadderItem(endAt, endSequence, 0, RowKind.ArrowEnd, !left, flight) { Tall = flight.Drop is not null };
                items.Add(end);
            }

            arrows.Add((flight, start, end));
        }

        items.AddRange(conversation.States.Select(s => new LadderItem(s.State.At, s.State.Sequence, 0, RowKind.State, s.Left, s)));
        items.AddRange(CallItems(conversation));
        items.AddRange(conversation.Chaos.Select(c => new LadderItem(c.At, c.Sequence, 0, RowKind.Marker, null, c)));
        // State expectations are checked after everything else at their instant.
        items.AddRange(conversation.Expectations.Select((r, i) => new LadderItem(SimTime.Zero + ((StateExpectation)r.Expectation).At, long.MaxValue - 2, i, RowKind.Marker, null, r)));
        var last = items.Count == 0 ? SimTime.Zero : items.Max(i => i.At);
        var runEnd = conversation.RunEnd > last ? conversation.RunEnd : last;
        items.Add(new LadderItem(runEnd, long.MaxValue, 0, RowKind.Marker, null, $"end of the run at {runEnd} s"));
        return (items, arrows);
    }

    /// <summary>
    /// Calls have a time but no place in the event order, so each is placed next to the state change it
    /// caused (<c>close()</c> just before ESTABLISHED → FIN-WAIT-1), or, failing that, just before the next
    /// such call of its application at the same instant, or at the end of the instant.
    /// </summary>
    private static List<LadderItem> CallItems(Conversation conversation)
    {
        var notes = new List<(LadderCall Call, bool Returned, SimTime At)>();
        foreach (var call in conversation.Calls)
        {
            notes.Add((call, false, call.Call.Started));
            if (call.Call.Returned > call.Call.Started)
            {
                notes.Add((call, true, call.Call.Returned));
            }
        }

        var anchors = new long?[notes.Count];
        var used = new HashSet<long>();
        for (int i = 0; i < notes.Count; i++)
        {
            var (call, returned, at) = notes[i];
            var anchor = returned ? null : conversation.States.FirstOrDefault(s => s.Left == call.Left && !s.Listener
                && s.State.At == at && s.State.Reason == call.Call.Function + "()" && !used.Contains(s.State.Sequence));
            anchor ??= returned || call.Call.Function != "listen" ? null
                : conversation.States.FirstOrDefault(s => s.Listener && s.State.At == at && s.State.Reason == "listen()" && !used.Contains(s.State.Sequence));
            if (anchor is not null)
            {
                used.Add(anchor.State.Sequence);
                anchors[i] = anchor.State.Sequence;
            }
        }

        var items = new List<LadderItem>();
        for (int i = 0; i < notes.Count; i++)
        {
            var (call, returned, at) = notes[i];
            long sequence = anchors[i] ?? long.MaxValue - 1;
            int order = -1;
            if (anchors[i] is null)
            {
                int next = Enumerable.Range(i + 1, notes.Count - i - 1)
                    .FirstOrDefault(j => anchors[j] is not null && notes[j].At == at && notes[j].Call.Call.Application == call.Call.Application, -1);
                (sequence, order) = next >= 0 ? (anchors[next]!.Value, -100 + i) : (long.MaxValue - 1, i);
            }

            items.Add(new LadderItem(at, sequence, order, RowKind.Call, call.Left, (call, returned)));
        }

        return items;
    }

    private static void DrawLanes(Svg svg, Conversation conversation, List<LadderItem> items, LadderLayout layout)
    {
        foreach (var (lane, x) in new[] { (conversation.Left, LeftLane), (conversation.Right, RightLane) })
        {
            svg.Text(x, 30, lane.Title, "lane-title", "middle").Text(x, 48, lane.Subtitle, "lane-sub", "middle");
            svg.Line(x, 58, x, layout.Bottom, "#90a4ae", 2);
            bool left = x == LeftLane;
            var states = items.Where(i => i.Payload is LadderState { Listener: false } s && s.Left == left).ToList();
            for (int i = 0; i < states.Count; i++)
            {
                var to = ((LadderState)states[i].Payload).State.To;
                double from = layout.YOf(states[i]);
                double until = i + 1 < states.Count ? layout.YOf(states[i + 1]) : layout.Bottom;
                if (to != TcpState.Closed)
                {
                    svg.Rect(x - 4, from, 8, until - from, StateColor(to), extra: "opacity=\"0.9\"");
                }
            }
        }
    }

    private static void DrawChaosBands(Svg svg, Conversation conversation, List<LadderItem> items, LadderLayout layout)
    {
        // An iptables rule appended or inserted, until the same rule is deleted: a tinted band across the lanes.
        var chaos = items.Where(i => i.Payload is RecordedChaos { Rejected: null }).ToList();
        foreach (var added in chaos)
        {
            var command = ((RecordedChaos)added.Payload).Command.Trim();
            if (!(command.StartsWith("-A ", StringComparison.Ordinal) || command.StartsWith("-I ", StringComparison.Ordinal)))
            {
                continue;
            }

            string rule = RuleBody(command);
            var deleted = chaos.FirstOrDefault(d => layout.YOf(d) > layout.YOf(added)
                && ((RecordedChaos)d.Payload).Command.Trim().StartsWith("-D ", StringComparison.Ordinal)
                && RuleBody(((RecordedChaos)d.Payload).Command.Trim()) == rule
                && ((RecordedChaos)d.Payload).HostName == ((RecordedChaos)added.Payload).HostName);
            double from = layout.YOf(added);
            double until = deleted is null ? layout.Bottom : layout.YOf(deleted);
            svg.Rect(LeftLane - 40, from, RightLane - LeftLane + 80, until - from, "#f3e5f5", extra: "opacity=\"0.75\"");
        }

        _ = conversation;
    }

    private static string RuleBody(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words.RemoveAt(0);
        if (words.Count > 1 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            words.RemoveAt(1);
        }

        return string.Join(' ', words);
    }

    private static void DrawBreaks(Svg svg, LadderLayout layout)
    {
        foreach (var (y, skipped) in layout.Breaks)
        {
            foreach (double x in new[] { LeftLane, RightLane })
            {
                svg.Rect(x - 10, y - 5, 20, 10, "#fff");
                svg.Path($"M{Svg.Number(x - 10)} {Svg.Number(y - 2)} l5 -4 l10 8 l5 -4 M{Svg.Number(x - 10)} {Svg.Number(y + 4)} l5 -4 l10 8 l5 -4", "#607d8b", 1.2);
            }

            svg.Text((LeftLane + RightLane) / 2, y + 4, $"≈ {Seconds(skipped)} later", "axis", "middle");
        }
    }

    private static void DrawAxis(Svg svg, LadderLayout layout)
    {
        svg.Text(AxisRight, 30, "time (s)", "axis", "end");
        svg.Text(AxisRight, 44, "runs down ↓", "axis", "end");
        foreach (var (at, y) in layout.Instants)
        {
            svg.Text(AxisRight, y + 4, at.TotalSeconds.ToString("0.000###", CultureInfo.InvariantCulture), "axis", "end");
            svg.Line(AxisRight + 4, y, AxisRight + 12, y, "#b0bec5");
        }
    }

    private static void DrawArrow(Svg svg, Conversation conversation, Flight flight, (string Text, bool Retransmission) description, double y1, double y2, TcpdumpFormatter tcpdump)
    {
        bool rightward = flight.From == conversation.Left.Address;
        double x1 = rightward ? LeftLane : RightLane;
        double x2 = rightward ? RightLane : LeftLane;
        var (label, retransmission) = description;
        string color = flight.Drop is not null ? "#c62828" : retransmission ? "#e65100" : rightward ? "#1f5fa8" : "#2e7d32";
        string dump = tcpdump.Format(flight.SentAt, flight.Packet);
        var drop = flight.Drop;
        double fraction = drop is null ? 1 : DropFraction(flight, drop);
        double xEnd = x1 + ((x2 - x1) * fraction);
        double yEnd = y2;
        string flags = flight.Packet is Segment segment ? segment.Flags.ToTcpdumpString() : "icmp";
        svg.Group(drop is null ? "segment" : "segment dropped",
            ("flags", flags), ("label", label), ("sent", flight.SentAt.ToString()), ("from", flight.From.ToString()),
            ("retransmission", retransmission ? "true" : "false"), ("drop", drop?.Detail ?? drop?.Reason.ToString() ?? ""));
        svg.Title(dump + (drop is null ? "" : $"\ndropped on {drop.HostName} at {drop.At} s: {DropWords(drop)}"));
        svg.Line(x1, y1, xEnd, yEnd, color, 1.6, drop is null ? null : "6 4");
        if (drop is null)
        {
            ArrowHead(svg, x1, y1, xEnd, yEnd, color);
        }
        else
        {
            svg.Path($"M{Svg.Number(xEnd - 6)} {Svg.Number(yEnd - 6)} l12 12 M{Svg.Number(xEnd + 6)} {Svg.Number(yEnd - 6)} l-12 12", color, 2.4);
            bool textRight = xEnd < (LeftLane + RightLane) / 2;
            var (why, rule) = DropLines(drop);
            svg.Text(xEnd + (textRight ? 10 : -10), yEnd + 15, "✕ " + Svg.Clip(why, 64), "drop", textRight ? "start" : "end");
            if (rule is not null)
            {
                svg.Text(xEnd + (textRight ? 10 : -10), yEnd + 28, Svg.Clip(rule, 64), "drop", textRight ? "start" : "end");
            }
        }

        var notes = new List<string>();
        if (retransmission)
        {
            notes.Add("↻ " + SegmentLabels.RetransmissionWords(flight.Retransmission));
        }

        if (flight.Packet is Segment { DuplicateAck: true })
        {
            notes.Add("dup ACK");
        }

        if (flight.NetemDelay > Duration.Zero)
        {
            notes.Add($"+{Seconds(flight.NetemDelay)} netem");
        }

        if (flight.Duplicate)
        {
            notes.Add("netem duplicate");
        }

        if (flight.Reordered)
        {
            notes.Add("netem reordered");
        }

        if (flight.Corrupted)
        {
            notes.Add("corrupted");
        }

        // The label sits above the arrow, beside the sender's lane, where a slanted arrow has not yet moved away.
        double labelX = rightward ? x1 + 14 : x1 - 14;
        svg.Raw($"<text x=\"{Svg.Number(labelX)}\" y=\"{Svg.Number(y1 - 5)}\" class=\"label\"{(rightward ? "" : " text-anchor=\"end\"")} fill=\"{color}\">{Svg.Escape(label)}");
        if (notes.Count > 0)
        {
            svg.Raw($"<tspan class=\"retx\">  {Svg.Escape(string.Join(" · ", notes))}</tspan>");
        }

        svg.Raw("</text>\n");
        svg.End();
    }

    private static void ArrowHead(Svg svg, double x1, double y1, double x2, double y2, string color)
    {
        double angle = Math.Atan2(y2 - y1, x2 - x1);
        const double Length = 11;
        const double Spread = 0.38;
        svg.Polygon(
            [
                (x2, y2),
                (x2 - (Length * Math.Cos(angle - Spread)), y2 - (Length * Math.Sin(angle - Spread))),
                (x2 - (Length * Math.Cos(angle + Spread)), y2 - (Length * Math.Sin(angle + Spread))),
            ],
            color);
    }

    /// <summary>How far along its arrow a packet got: a rule on the way out stops it early, one on the way in late.</summary>
    private static double DropFraction(Flight flight, FlightDrop drop) => drop.Reason switch
    {
        DropReason.FilterRule => drop.Chain switch
        {
            "OUTPUT" => 0.22,
            "FORWARD" => 0.5,
            _ => drop.HostName == flight.SenderHost && flight.LastArrival is null && flight.Packet.Source != flight.Packet.Destination && !flight.Packet.Destination.IsLoopback ? 0.22 : 0.78,
        },
        DropReason.NetemLoss or DropReason.NetemQueueFull or DropReason.LinkQueueFull or DropReason.MtuExceeded or DropReason.NoRoute
            => drop.HostName == flight.SenderHost && flight.LastArrival is null ? 0.22 : 0.5,
        DropReason.LinkDown or DropReason.TtlExpired => 0.5,
        _ => 0.86,
    };

    /// <summary>What dropped a packet, and the rule on a second line (iptables' detail reads <c>INPUT rule 1: -s …</c>).</summary>
    private static (string Why, string? Rule) DropLines(FlightDrop drop)
    {
        int colon = drop.Reason == DropReason.FilterRule && drop.Detail is { } detail ? detail.IndexOf(": ", StringComparison.Ordinal) : -1;
        return colon > 0 ? ($"dropped by iptables on {drop.HostName}, {drop.Detail![..colon]}:", drop.Detail[(colon + 2)..]) : (DropWords(drop), null);
    }

    private static string DropWords(FlightDrop drop) => drop.Reason switch
    {
        DropReason.FilterRule => $"dropped by iptables on {drop.HostName}: {drop.Detail}",
        DropReason.NetemLoss => $"lost by netem on {drop.HostName}",
        DropReason.NetemQueueFull => $"netem queue full on {drop.HostName}",
        DropReason.LinkQueueFull => $"link queue full at {drop.HostName}",
        DropReason.MtuExceeded => $"larger than the MTU at {drop.HostName}",
        DropReason.NoRoute => $"no route at {drop.HostName}",
        DropReason.TtlExpired => $"TTL expired at {drop.HostName}",
        DropReason.BadChecksum => $"bad checksum, discarded by {drop.HostName}",
        DropReason.LinkDown => $"link down at {drop.HostName}",
        DropReason.NotForThisHost => $"not for {drop.HostName}",
        DropReason.IcmpRateLimit => $"ICMP error rate-limited at {drop.HostName}",
        _ => $"discarded by {drop.HostName}'s TCP: {drop.Detail}",
    };

    private static void DrawState(Svg svg, LadderState state, double y)
    {
        double x = state.Left ? LeftLane : RightLane;
        string name = state.Listener ? "listener " + state.State.To.ToRfcString() : state.State.To.ToRfcString();
        double width = (name.Length * 7.2) + 14;
        svg.Group("state", ("state", state.State.To.ToRfcString()), ("side", state.Left ? "left" : "right"), ("at", state.State.At.ToString()));
        svg.Title($"{state.State.At} s on {state.State.HostName}: {state.State.From.ToRfcString()} → {state.State.To.ToRfcString()} ({state.State.Reason})");
        svg.Rect(x - (width / 2), y - 9, width, 18, StateColor(state.State.To), "#607d8b", 9);
        svg.Text(x, y + 4, name, "pill", "middle");
        double reasonX = state.Left ? x - (width / 2) - 8 : x + (width / 2) + 8;
        svg.Text(reasonX, y + 4, Svg.Clip(state.State.Reason, 44), "note", state.Left ? "end" : "start");
        svg.End();
    }

    private static void DrawCall(Svg svg, LadderCall call, bool returned, double y, List<LadderItem> items, LadderLayout layout)
    {
        double x = call.Left ? LeftLane - CallGap : RightLane + CallGap;
        string anchor = call.Left ? "end" : "start";
        var record = call.Call;
        bool blocks = record.Returned > record.Started;
        string text = returned ? $"{record.Application}: {record.Text} → {record.Result}"
            : $"{record.Application}: {record.Text}{(blocks ? " …" : " → " + record.Result)}";
        svg.Group("call", ("application", record.Application), ("function", record.Function));
        svg.Title(record.ToString());
        svg.Text(x, y + 4, Svg.Clip(text, 44), "call", anchor);
        if (returned)
        {
            // A bracket from the call to its return, in the margin: the application was blocked that long.
            var started = items.FirstOrDefault(i => i.Payload is (LadderCall c, false) && ReferenceEquals(c, call));
            if (started is not null)
            {
                double bracketX = call.Left ? LeftLane - 30 : RightLane + 30;
                svg.Line(bracketX, layout.YOf(started) + 6, bracketX, y - 6, "#9e9e9e", 1.2, "2 3");
            }
        }

        svg.End();
    }

    private static void DrawMarker(Svg svg, double y, string text, string color, string cssClass)
    {
        svg.Group("marker").Line(AxisRight + 14, y, Width - 16, y, color, 1, "5 4");
        svg.Text(LeftLane - 40, y - 5, Svg.Clip(text, 120), cssClass, "start").End();
    }

    private static string ChaosText(RecordedChaos chaos)
    {
        string command = chaos.Command.Trim();
        string tool = command.StartsWith('-') ? "iptables " : "";
        string where = chaos.HostName is null ? "" : chaos.HostName + ": ";
        return $"⚡ {where}{tool}{command}{(chaos.Rejected is null ? "" : " — REJECTED: " + chaos.Rejected)}";
    }

    private static void DrawLegend(Svg svg, double y)
    {
        double x = AxisRight + 14;
        svg.Line(x, y, x + 34, y, "#1f5fa8", 1.6).Text(x + 40, y + 4, "segment", "note");
        x += 118;
        svg.Line(x, y, x + 34, y, "#e65100", 1.6).Text(x + 40, y + 4, "retransmission", "note");
        x += 160;
        svg.Line(x, y, x + 34, y, "#c62828", 1.6, "6 4").Text(x + 40, y + 4, "✕ dropped (and by what)", "note");
        x += 230;
        svg.Rect(x, y - 7, 30, 14, "#f3e5f5").Text(x + 38, y + 4, "iptables rule in force", "note");
        x += 210;
        svg.Text(x, y + 4, "seq/ack relative to each side's first SYN · hover an arrow for its tcpdump line", "note");
    }

    private static string StateColor(TcpState state) => state switch
    {
        TcpState.Listen => "#eceff1",
        TcpState.SynSent or TcpState.SynReceived => "#bbdefb",
        TcpState.Established => "#c8e6c9",
        TcpState.FinWait1 or TcpState.FinWait2 or TcpState.Closing => "#fff59d",
        TcpState.CloseWait or TcpState.LastAck => "#ffe0b2",
        TcpState.TimeWait => "#ffb74d",
        _ => "#e0e0e0",
    };

    /// <summary>A duration as people say it: 40 ms, 1.5 s, 2 min 11 s.</summary>
    public static string Seconds(Duration duration)
    {
        double seconds = duration.TotalSeconds;
        var culture = CultureInfo.InvariantCulture;
        return seconds switch
        {
            < 0.001 => string.Create(culture, $"{duration.Nanoseconds / 1000.0:0.#} µs"),
            < 1 => string.Create(culture, $"{duration.TotalMilliseconds:0.#} ms"),
            < 120 => string.Create(culture, $"{seconds:0.###} s"),
            < 7200 => string.Create(culture, $"{Math.Floor(seconds / 60):0} min {seconds % 60:0} s"),
            _ => string.Create(culture, $"{Math.Floor(seconds / 3600):0} h {Math.Floor(seconds % 3600 / 60):0} min"),
        };
    }
}
