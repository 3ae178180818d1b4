using System.Diagnostics;
using TcpActors.Network;
using TcpActors.Runtime;
using Attr = TcpActors.Telemetry.TelemetryNames.Attributes;
using Names = TcpActors.Telemetry.TelemetryNames.Spans;

namespace TcpActors.Telemetry;

/// <summary>
/// The optional segment spans: a child of the sender's connection span from the moment a segment leaves
/// the sender's interface (after its qdisc, where tcpdump sees it) to the moment it is seen arriving at
/// the host it is addressed to, or is dropped on the way. On loopback it arrives as it leaves.
/// In flight, a segment is matched by its sequence and acknowledgement numbers, flags and length, since
/// routers and netem pass copies on.
/// </summary>
public sealed partial class ConnectionTracer
{
    private void StartSegment(ConnectionSpan sender, SimTime time, Segment segment, bool arrivedAlready)
    {
        if (sender.Activity is null)
        {
            return;
        }

        var ambient = Activity.Current;
        Activity? activity;
        try
        {
            activity = Source.StartActivity(Names.Segment, ActivityKind.Internal, sender.Context, SegmentTags(segment), null, Timeline.At(time));
        }
        finally
        {
            Activity.Current = ambient;
        }

        if (activity is null)
        {
            return;
        }

        if (arrivedAlready || !activity.IsAllDataRequested)
        {
            Stop(activity, time);
            return;
        }

        var inFlight = sender.Segments ??= [];
        if (inFlight.Count >= _options.MaxSegmentsInFlight)
        {
            inFlight[0].Activity.SetTag(Attr.SpanTruncated, true);
            Stop(inFlight[0].Activity, time);
            inFlight.RemoveAt(0);
        }

        inFlight.Add(new SegmentInFlight(activity, segment.Seq, segment.Ack, segment.Flags, segment.PayloadLength));
    }

    /// <summary>
    /// Matches a segment that arrived where it was addressed (<paramref name="drop"/> null) or was dropped.
    /// An arrival is seen before the receiver's filter and stack, which may still drop the packet in the same
    /// instant; so an arrived segment's span is ended only once simulated time moves on (or at its drop).
    /// </summary>
    private void CompleteSegment(string whereHost, SimTime time, Segment segment, PacketDropped? drop)
    {
        if (!_byTuple.TryGetValue(segment.SenderTuple, out var span))
        {
            return;
        }

        for (; span is not null; span = span.Next)
        {
            bool senderIsHere = drop is null && string.Equals(span.HostName, whereHost, StringComparison.Ordinal);
            if (span.Segments is not { Count: > 0 } inFlight || senderIsHere)
            {
                continue;
            }

            int index = inFlight.FindIndex(s => s.Matches(segment) && (drop is not null || s.ArrivedAt is null));
            if (index < 0)
            {
                continue;
            }

            var entry = inFlight[index];
            if (drop is null)
            {
                inFlight[index] = entry with { ArrivedAt = time };
                if (!_arrivals.Contains(span))
                {
                    _arrivals.Add(span);
                }

                _arrivalInstant = time;
                return;
            }

            inFlight.RemoveAt(index);
            var activity = entry.Activity;
            activity.SetTag(Attr.DropReason, TelemetryValues.Reason(drop.Reason));
            activity.SetTag(Attr.Reason, drop.Detail);
            activity.SetTag(Attr.HostName, drop.HostName);
            activity.SetStatus(ActivityStatusCode.Error, "dropped: " + (drop.Detail ?? TelemetryValues.Reason(drop.Reason)));
            Stop(activity, entry.ArrivedAt ?? time);
            return;
        }
    }

    /// <summary>Ends the spans of segments that arrived before <paramref name="now"/> and were not dropped.</summary>
    private void SettleArrivals(SimTime now)
    {
        if (_arrivals.Count == 0 || now <= _arrivalInstant)
        {
            return;
        }

        foreach (var span in _arrivals)
        {
            if (span.Segments is not { } inFlight)
            {
                continue;
            }

            foreach (var entry in inFlight.Where(s => s.ArrivedAt is not null))
            {
                Stop(entry.Activity, entry.ArrivedAt!.Value);
            }

            inFlight.RemoveAll(s => s.ArrivedAt is not null);
        }

        _arrivals.Clear();
    }

    /// <summary>Ends the segments still in flight when their connection's span ends (those that arrived end normally).</summary>
    private void EndSegments(ConnectionSpan span, SimTime time)
    {
        if (span.Segments is not { } inFlight)
        {
            return;
        }

        foreach (var segment in inFlight)
        {
            if (segment.ArrivedAt is null)
            {
                segment.Activity.SetTag(Attr.SpanTruncated, true);
            }

            Stop(segment.Activity, segment.ArrivedAt ?? time);
        }

        span.Segments = null;
    }

    private static KeyValuePair<string, object?>[] SegmentTags(Segment segment) =>
    [
        new(Attr.TcpFlags, TelemetryValues.Flags(segment.Flags)),
        new(Attr.TcpSeq, (long)segment.Seq.Value),
        new(Attr.TcpAck, (long)segment.Ack.Value),
        new(Attr.TcpLength, segment.PayloadLength),
    ];
}
