using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TcpActors.Network;

namespace TcpActors.Simulation;

/// <summary>What the workload applications saw, counted as they go (the simulation is single-threaded).</summary>
public sealed class LoadStatistics
{
    private readonly List<long> _connectLatencies = [];
    private long[]? _sortedLatencies;

    /// <summary>connect() calls made.</summary>
    public long Attempted { get; internal set; }

    /// <summary>Connections whose handshake completed.</summary>
    public long Connected { get; internal set; }

    /// <summary>Connections that carried every request and closed normally.</summary>
    public long Completed { get; internal set; }

    /// <summary>Connections that ended in an error (connect failed, reset, timed out, closed early).</summary>
    public long Failed { get; internal set; }

    public long RequestsCompleted { get; internal set; }

    /// <summary>Failures by errno (or "early-eof"), ordered by name.</summary>
    public SortedDictionary<string, long> FailuresByError { get; } = new(StringComparer.Ordinal);

    /// <summary>Errors the servers saw (resets, timeouts) by errno.</summary>
    public SortedDictionary<string, long> ServerErrors { get; } = new(StringComparer.Ordinal);

    /// <summary>Closed loop: replacements of failed connections that waited for the back-off (longer than the think time).</summary>
    public long Backoffs { get; internal set; }

    /// <summary>Closed loop: the longest back-off waited, in nanoseconds.</summary>
    public long LongestBackoffNanoseconds { get; internal set; }

    /// <summary>Connections attempted and not yet completed or failed.</summary>
    public long Open => Attempted - Completed - Failed;

    public IReadOnlyList<long> ConnectLatencies => _connectLatencies;

    internal void RecordConnectLatency(long nanoseconds)
    {
        _connectLatencies.Add(nanoseconds);
        _sortedLatencies = null;
    }

    internal void RecordFailure(string error)
    {
        Failed++;
        FailuresByError[error] = FailuresByError.GetValueOrDefault(error) + 1;
    }

    internal void RecordBackoff(long nanoseconds)
    {
        Backoffs++;
        LongestBackoffNanoseconds = Math.Max(LongestBackoffNanoseconds, nanoseconds);
    }

    internal void RecordServerError(string error) => ServerErrors[error] = ServerErrors.GetValueOrDefault(error) + 1;

    /// <summary>The connect latency at percentile <paramref name="percentile"/> (0–100), in nanoseconds, or 0 without samples.</summary>
    public long ConnectLatencyPercentile(double percentile)
    {
        if (_connectLatencies.Count == 0)
        {
            return 0;
        }

        // Sorted once for all the percentiles a report asks for, until the next sample.
        if (_sortedLatencies is null)
        {
            _sortedLatencies = [.. _connectLatencies];
            Array.Sort(_sortedLatencies);
        }

        int index = (int)Math.Ceiling(percentile / 100 * _sortedLatencies.Length) - 1;
        return _sortedLatencies[Math.Clamp(index, 0, _sortedLatencies.Length - 1)];
    }
}

/// <summary>
/// The sizes of each request and its response, agreed between a client and a server the way an
/// application protocol's length fields would agree them, keyed by the client's socket address as the
/// server sees it. Load runs carry lengths, not bytes, so this stands in for the protocol's headers.
/// </summary>
internal sealed class LoadExchange
{
    // The oldest announced exchange of a client is held in the dictionary's entry, later ones (pipelined
    // requests) in a queue made only then: the usual one request at a time allocates nothing per connection.
    private readonly Dictionary<SocketAddress, Pending> _pending = [];

    public void Announce(SocketAddress client, int request, int response)
    {
        ref var pending = ref CollectionsMarshal.GetValueRefOrAddDefault(_pending, client, out bool exists);
        if (!exists)
        {
            pending.First = (request, response);
        }
        else
        {
            (pending.Later ??= new()).Enqueue((request, response));
        }
    }

    public bool TryPeek(SocketAddress client, out (int Request, int Response) sizes)
    {
        bool found = _pending.TryGetValue(client, out var pending);
        sizes = found ? pending.First : default;
        return found;
    }

    public void Complete(SocketAddress client)
    {
        ref var pending = ref CollectionsMarshal.GetValueRefOrNullRef(_pending, client);
        if (Unsafe.IsNullRef(ref pending))
        {
            return;
        }

        if (pending.Later is { Count: > 0 } later)
        {
            pending.First = later.Dequeue();
        }
        else
        {
            _pending.Remove(client);
        }
    }

    public void Forget(SocketAddress client) => _pending.Remove(client);

    private struct Pending
    {
        public (int Request, int Response) First;
        public Queue<(int Request, int Response)>? Later;
    }
}
