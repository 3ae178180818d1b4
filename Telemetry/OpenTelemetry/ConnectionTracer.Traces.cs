using System.Diagnostics;
using System.Runtime.InteropServices;
using TcpActors.Endpoints;
using TcpActors.Network;
using Names = TcpActors.Telemetry.TelemetryNames.Spans;

namespace TcpActors.Telemetry;

/// <summary>
/// The trace structure: one trace per connection. The client end's span (from its SYN) is the root; the
/// server end's span is its child when the client is a socket this tracer follows, found by the server's
/// 4-tuple reversed among the open client spans (on the same host for a loopback 4-tuple), each client
/// span taking at most one server end. Otherwise an end stands alone as the root of its own trace.
/// <para>
/// A root's trace id is derived from the run's seed, the 4-tuple as the client sees it (the server's
/// reversed) and the instance number of that 4-tuple: how many connections this tracer has started on it
/// before. So a replay has the same trace ids, and a reused 4-tuple (after TIME_WAIT, or recycled by
/// <c>tcp_tw_reuse</c>) is a new trace. The server end crosses the network from its client, so its parent
/// context is marked remote, as a propagated one would be; sampling follows the parent, keeping both ends
/// of a connection or neither.
/// </para>
/// </summary>
public sealed partial class ConnectionTracer
{
    /// <summary>Per 4-tuple as the client sees it, the instance number of the next connection on it.</summary>
    private readonly Dictionary<FourTuple, long> _instances = [];

    private static ActivityKind KindOf(TcpState first) => first switch
    {
        TcpState.SynSent => ActivityKind.Client,
        TcpState.SynReceived => ActivityKind.Server,
        _ => ActivityKind.Internal,
    };

    /// <summary>The 4-tuple of a span's connection as its client sees it (an end of unknown role: its own).</summary>
    private static FourTuple ClientView(ConnectionSpan span) => span.Kind == ActivityKind.Server ? span.Tuple.Reversed : span.Tuple;

    /// <summary>
    /// Starts a connection span's activity: as the child of its client's span when there is one to join,
    /// else as a root with the derived trace id (the caller has cleared <see cref="Activity.Current"/>).
    /// </summary>
    private Activity? StartConnectionActivity(ConnectionSpan span, KeyValuePair<string, object?>[] tags, DateTimeOffset start)
    {
        var client = span.Kind == ActivityKind.Server ? ClientOf(span) : null;
        if (client is not null)
        {
            client.HasServerEnd = true;
            span.Instance = client.Instance;
            var context = client.Context;
            if (context != default)
            {
                var parent = new ActivityContext(context.TraceId, context.SpanId, context.TraceFlags, context.TraceState, isRemote: true);
                return Source.StartActivity(Names.Connection, span.Kind, parent, tags, null, start);
            }

            // The client's span was not created (its listener declined it): start under the same trace id.
        }
        else
        {
            ref long next = ref CollectionsMarshal.GetValueRefOrAddDefault(_instances, ClientView(span), out _);
            span.Instance = next++;
            ConnectionsStarted++;
        }

        var traceId = DeterministicTraceIds.For(_system.Seed, ClientView(span), span.Instance);
        return DeterministicTraceIds.Use(traceId, () => Source.StartActivity(Names.Connection, span.Kind, default(ActivityContext), tags, null, start));
    }

    /// <summary>
    /// The open client span a new server end belongs to: one with the server's 4-tuple reversed that no
    /// server end has joined yet, the most recent first; for a loopback 4-tuple, only on the server's host
    /// (the same loopback 4-tuple can exist on several hosts at once).
    /// </summary>
    private ConnectionSpan? ClientOf(ConnectionSpan server)
    {
        var clientView = server.Tuple.Reversed;
        if (!_byTuple.TryGetValue(clientView, out var candidate))
        {
            return null;
        }

        bool loopback = clientView.LocalAddress.IsLoopback || clientView.RemoteAddress.IsLoopback;
        for (; candidate is not null; candidate = candidate.Next)
        {
            if (candidate.Kind == ActivityKind.Client && !candidate.HasServerEnd
                && (!loopback || string.Equals(candidate.HostName, server.HostName, StringComparison.Ordinal)))
            {
                return candidate;
            }
        }

        return null;
    }
}
