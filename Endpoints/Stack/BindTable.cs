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
/// One port's bind bucket (Linux's <c>inet_bind_bucket</c>): the full sockets holding it and a count of the
/// TIME_WAIT sockets still holding it per (address, SO_REUSEADDR). A bucket created by connect()'s port
/// search is marked so: connect() may share it with other 4-tuples, while a bucket created by bind()
/// is never taken by connect() (its <c>fastreuse</c> ≥ 0).
/// </summary>
internal sealed class BindBucket(ushort port, bool createdByConnect)
{
    public ushort Port { get; } = port;

    public bool CreatedByConnect { get; } = createdByConnect;

    // Most ports (a client's ephemeral ones) have one holder: it is held inline, others in a list.
    private IPortHolder? _first;
    private List<IPortHolder>? _others;

    /// <summary>How many sockets hold the port; a listener's accepted children count too, as in Linux.</summary>
    public int HolderCount => _first is null ? 0 : 1 + (_others?.Count ?? 0);

    /// <summary>The holder at <paramref name="index"/> (0 ≤ index &lt; <see cref="HolderCount"/>).</summary>
    public IPortHolder HolderAt(int index) => index == 0 ? _first! : _others![index - 1];

    /// <summary>TIME_WAIT sockets on this port by (bound address, reuse flag); created with the first one.</summary>
    public List<(IPv4Address Address, bool ReuseAddress, int Count)>? TimeWaits { get; set; }

    public bool IsEmpty => _first is null && (TimeWaits is null || TimeWaits.Count == 0);

    public void Add(IPortHolder holder)
    {
        holder.BindSlot = HolderCount;
        if (_first is null)
        {
            _first = holder;
        }
        else
        {
            (_others ??= []).Add(holder);
        }
    }

    /// <summary>Removes <paramref name="holder"/> in O(1) (a busy server port has one holder per connection): the last holder takes its place.</summary>
    public bool Remove(IPortHolder holder)
    {
        int slot = holder.BindSlot;
        int count = HolderCount;
        if (slot < 0 || slot >= count || !ReferenceEquals(HolderAt(slot), holder))
        {
            return false;
        }

        var last = HolderAt(count - 1);
        if (slot == 0)
        {
            _first = last;
        }
        else
        {
            _others![slot - 1] = last;
        }

        last.BindSlot = slot;
        if (count == 1)
        {
            _first = null;
        }
        else
        {
            _others!.RemoveAt(count - 2);
        }

        holder.BindSlot = -1;
        return true;
    }
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

        if (bucket.TimeWaits is { } timeWaits)
        {
            foreach (var (address, reuseAddress, _) in timeWaits)
            {
                if (Overlap(candidate.BoundAddress, address) && Clash(candidate.ReuseAddress, candidate.ReusePort, reuseAddress, false, false, holderIsTimeWait: true))
                {
                    return true;
                }
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

        int index = IndexOf(bucket, address, reuseAddress);
        if (index < 0)
        {
            (bucket.TimeWaits ??= new(1)).Add((address, reuseAddress, 1));
        }
        else
        {
            var entry = bucket.TimeWaits![index];
            bucket.TimeWaits[index] = entry with { Count = entry.Count + 1 };
        }
    }

    public void RemoveTimeWait(ushort port, IPv4Address address, bool reuseAddress)
    {
        if (!_buckets.TryGetValue(port, out var bucket))
        {
            return;
        }

        int index = IndexOf(bucket, address, reuseAddress);
        if (index < 0)
        {
            return;
        }

        var entry = bucket.TimeWaits![index];
        if (entry.Count == 1)
        {
            bucket.TimeWaits.RemoveAt(index);
        }
        else
        {
            bucket.TimeWaits[index] = entry with { Count = entry.Count - 1 };
        }

        if (bucket.IsEmpty)
        {
            _buckets.Remove(port);
        }
    }

    private static int IndexOf(BindBucket bucket, IPv4Address address, bool reuseAddress)
    {
        var timeWaits = bucket.TimeWaits;
        if (timeWaits is null)
        {
            return -1;
        }

        for (int i = 0; i < timeWaits.Count; i++)
        {
            if (timeWaits[i].Address == address && timeWaits[i].ReuseAddress == reuseAddress)
            {
                return i;
            }
        }

        return -1;
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
