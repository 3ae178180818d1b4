using System.Runtime.CompilerServices;
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
    private const int PageBits = 8;
    private const int PageSize = 1 << PageBits;

    /// <summary>Buckets by value in pages of 256 ports, a page made when a port of it is first used.</summary>
    private readonly BindBucket[]?[] _pages = new BindBucket[]?[(ushort.MaxValue + 1) / PageSize];

    /// <summary>Buckets in use per page: a page that empties is given back, as the kernel frees its buckets.</summary>
    private readonly ushort[] _pageUse = new ushort[(ushort.MaxValue + 1) / PageSize];

    public int BucketCount { get; private set; }

    /// <summary>The port's bucket, to read or change in place, or a null reference (<see cref="Unsafe.IsNullRef"/>) when the port is free.</summary>
    public ref BindBucket Find(ushort port)
    {
        var page = _pages[port >> PageBits];
        if (page is null)
        {
            return ref Unsafe.NullRef<BindBucket>();
        }

        ref var bucket = ref page[port & (PageSize - 1)];
        if (!bucket.InUse)
        {
            return ref Unsafe.NullRef<BindBucket>();
        }

        return ref bucket;
    }

    /// <summary>Whether any socket or TIME_WAIT holds the port.</summary>
    public bool InUse(ushort port) => !Unsafe.IsNullRef(ref Find(port));

    public bool Conflicts(ushort port, IPortHolder candidate, bool asListener)
    {
        ref var bucket = ref Find(port);
        if (Unsafe.IsNullRef(ref bucket))
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

    public void Add(ushort port, IPortHolder holder, bool byConnect) => FindOrOpen(port, byConnect).Add(holder);

    public void Remove(ushort port, IPortHolder holder)
    {
        ref var bucket = ref Find(port);
        if (!Unsafe.IsNullRef(ref bucket) && bucket.Remove(holder) && bucket.IsEmpty)
        {
            Delete(ref bucket);
        }
    }

    /// <summary>A full socket became a TIME_WAIT socket: it keeps the port as a counted TIME_WAIT holder.</summary>
    public void AddTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        FindOrOpen(port, byConnect: true).AddTimeWait(address, reuseAddress);
    }

    public void RemoveTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        ref var bucket = ref Find(port);
        if (!Unsafe.IsNullRef(ref bucket) && bucket.RemoveTimeWait(address, reuseAddress) && bucket.IsEmpty)
        {
            Delete(ref bucket);
        }
    }

    private ref BindBucket FindOrOpen(ushort port, bool byConnect)
    {
        ref var bucket = ref (_pages[port >> PageBits] ??= new BindBucket[PageSize])[port & (PageSize - 1)];
        if (!bucket.InUse)
        {
            bucket.Open(port, byConnect);
            BucketCount++;
            _pageUse[port >> PageBits]++;
        }

        return ref bucket;
    }

    private void Delete(ref BindBucket bucket)
    {
        int page = bucket.Port >> PageBits;
        bucket.Close();
        BucketCount--;
        if (--_pageUse[page] == 0)
        {
            _pages[page] = null;
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
