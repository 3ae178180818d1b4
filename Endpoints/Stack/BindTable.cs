using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>What the bind table needs to know of a socket that holds a port.</summary>
internal interface IPortHolder
{
    /// <summary>The bound address; 0.0.0.0 for INADDR_ANY.</summary>
    IPv4Address BoundAddress { get; }

    bool ReuseAddress { get; }

    bool ReusePort { get; }

    bool IsListening { get; }

    /// <summary>Where the holder sits in its bucket's list (kept by the bind table, so removal is O(1)); -1 when not held.</summary>
    int BindSlot { get; set; }
}

/// <summary>
/// The bind table of a host: which ports are held, and whether a new bind conflicts, by Linux's rules
/// (<c>inet_bind_conflict</c>, net/ipv4/inet_connection_sock.c), for sockets of one user:
/// <list type="bullet">
/// <item>no conflict when the addresses differ and neither is the wildcard;</item>
/// <item>no conflict when both sockets set SO_REUSEADDR and the existing one is not listening
///   (a TIME_WAIT socket keeps the flag of the socket it came from);</item>
/// <item>no conflict when both set SO_REUSEPORT;</item>
/// <item>otherwise EADDRINUSE.</item>
/// </list>
/// The check runs at bind() and again at listen(), as Linux's inet_csk_listen_start does: two
/// SO_REUSEADDR sockets may both bind a port, but the second listen() fails.
/// </summary>
internal sealed class BindTable
{
    private readonly Dictionary<ushort, BindBucket> _buckets = [];

    public int BucketCount => _buckets.Count;

    public BindBucket? Find(ushort port) => _buckets.GetValueOrDefault(port);

    /// <summary>Whether <paramref name="candidate"/> (not yet holding the port) may hold <paramref name="port"/>.</summary>
    public bool Conflicts(ushort port, IPortHolder candidate, bool asListener)
    {
        if (!_buckets.TryGetValue(port, out var bucket))
        {
            return false;
        }

        for (int i = 0; i < bucket.HolderCount; i++)
        {
            var holder = bucket.HolderAt(i);
            if (!ReferenceEquals(holder, candidate) && Overlap(candidate.BoundAddress, holder.BoundAddress)
                && Clash(candidate.ReuseAddress, candidate.ReusePort, holder.ReuseAddress, holder.ReusePort, holder.IsListening, holderIsTimeWait: false))
            {
                return true;
            }
        }

        for (int i = 0; i < bucket.TimeWaitGroupCount; i++)
        {
            var (address, reuseAddress, _) = bucket.TimeWaitGroupAt(i);
            if (Overlap(candidate.BoundAddress, address) && Clash(candidate.ReuseAddress, candidate.ReusePort, reuseAddress, false, false, holderIsTimeWait: true))
            {
                return true;
            }
        }

        _ = asListener;
        return false;
    }

    public BindBucket Add(ushort port, IPortHolder holder, bool byConnect)
    {
        if (!_buckets.TryGetValue(port, out var bucket))
        {
            bucket = new BindBucket(port, byConnect);
            _buckets.Add(port, bucket);
        }

        bucket.Add(holder);
        return bucket;
    }

    public void Remove(ushort port, IPortHolder holder)
    {
        if (_buckets.TryGetValue(port, out var bucket) && bucket.Remove(holder) && bucket.IsEmpty)
        {
            _buckets.Remove(port);
        }
    }

    /// <summary>A full socket became a TIME_WAIT socket: it keeps the port as a counted TIME_WAIT holder.</summary>
    public void AddTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        if (!_buckets.TryGetValue(port, out var bucket))
        {
            bucket = new BindBucket(port, createdByConnect: true);
            _buckets.Add(port, bucket);
        }

        bucket.AddTimeWait(address, reuseAddress);
    }

    public void RemoveTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        if (!_buckets.TryGetValue(port, out var bucket))
        {
            return;
        }

        if (bucket.RemoveTimeWait(address, reuseAddress) && bucket.IsEmpty)
        {
            _buckets.Remove(port);
        }
    }

    private static bool Overlap(IPv4Address a, IPv4Address b) => a.IsAny || b.IsAny || a == b;

    private static bool Clash(bool reuseAddress, bool reusePort, bool holderReuseAddress, bool holderReusePort, bool holderListening, bool holderIsTimeWait)
    {
        if (reuseAddress && holderReuseAddress && !holderListening)
        {
            return false;
        }

        // SO_REUSEPORT on both (one user): shared. A TIME_WAIT holder of another user would also pass.
        _ = holderIsTimeWait;
        return !(reusePort && holderReusePort);
    }
}
