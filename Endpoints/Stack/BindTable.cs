using TcpActors.Network;
using TcpActors.Runtime;

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
    private const int PageBits = 8;
    private const int PageSize = 1 << PageBits;

    /// <summary>Empty buckets kept for new ports: a client's port bucket lives as long as its TIME_WAIT (60 s), so
    /// a fresh object would survive young collections and be copied twice; a reused one is already old.</summary>
    private const int SpareBuckets = 64;

    /// <summary>The buckets by port, in pages of 256 ports made on first use (a port is found with two loads, no hashing).</summary>
    private readonly BindBucket?[]?[] _pages = new BindBucket?[]?[(ushort.MaxValue + 1) / PageSize];
    private readonly Spares<BindBucket> _spares = new(SpareBuckets);

    public int BucketCount { get; private set; }

    public BindBucket? Find(ushort port) => _pages[port >> PageBits]?[port & (PageSize - 1)];

    /// <summary>Whether <paramref name="candidate"/> (not yet holding the port) may hold <paramref name="port"/>.</summary>
    public bool Conflicts(ushort port, IPortHolder candidate, bool asListener)
    {
        if (Find(port) is not { } bucket)
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
        var bucket = Find(port) ?? Create(port, byConnect);
        bucket.Add(holder);
        return bucket;
    }

    public void Remove(ushort port, IPortHolder holder)
    {
        if (Find(port) is { } bucket && bucket.Remove(holder) && bucket.IsEmpty)
        {
            Delete(bucket);
        }
    }

    /// <summary>A full socket became a TIME_WAIT socket: it keeps the port as a counted TIME_WAIT holder.</summary>
    public void AddTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        var bucket = Find(port) ?? Create(port, byConnect: true);
        bucket.AddTimeWait(address, reuseAddress);
    }

    public void RemoveTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        if (Find(port) is { } bucket && bucket.RemoveTimeWait(address, reuseAddress) && bucket.IsEmpty)
        {
            Delete(bucket);
        }
    }

    private BindBucket Create(ushort port, bool byConnect)
    {
        BindBucket bucket;
        if (_spares.TryTake(out var spare))
        {
            spare.Reuse(port, byConnect);
            bucket = spare;
        }
        else
        {
            bucket = new BindBucket(port, byConnect);
        }

        (_pages[port >> PageBits] ??= new BindBucket?[PageSize])[port & (PageSize - 1)] = bucket;
        BucketCount++;
        return bucket;
    }

    private void Delete(BindBucket bucket)
    {
        _pages[bucket.Port >> PageBits]![bucket.Port & (PageSize - 1)] = null;
        BucketCount--;
        _spares.Give(bucket);
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
