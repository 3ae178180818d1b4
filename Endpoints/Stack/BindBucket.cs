using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// One port's bind bucket (Linux's <c>inet_bind_bucket</c>): the full sockets holding it and a count of the
/// TIME_WAIT sockets still holding it per (address, SO_REUSEADDR). A bucket created by connect()'s port
/// search is marked so: connect() may share it with other 4-tuples, while a bucket created by bind()
/// is never taken by connect() (its <c>fastreuse</c> ≥ 0).
/// <para>
/// A bucket is a value in the bind table's pages, not an object: a client's port bucket outlives its socket by
/// the TIME_WAIT's 60 s, and a million such small objects, each young when stored into an old page, made every
/// young-generation collection of a load run scan and promote them (docs/PERFORMANCE.md). Use it through a
/// reference (<see cref="BindTable.Find"/>).
/// </para>
/// </summary>
internal struct BindBucket
{
    public ushort Port { get; private set; }

    public bool CreatedByConnect { get; private set; }

    /// <summary>Whether the slot holds a bucket (a port in use).</summary>
    public bool InUse { get; private set; }

    // Most ports (a client's ephemeral ones) have one holder: it is held inline, others in a list.
    private IPortHolder? _first;
    private List<IPortHolder>? _others;

    /// <summary>How many sockets hold the port; a listener's accepted children count too, as in Linux.</summary>
    public readonly int HolderCount => _first is null ? 0 : 1 + (_others?.Count ?? 0);

    /// <summary>The holder at <paramref name="index"/> (0 ≤ index &lt; <see cref="HolderCount"/>).</summary>
    public readonly IPortHolder HolderAt(int index) => index == 0 ? _first! : _others![index - 1];

    // TIME_WAIT sockets on this port counted per (bound address, SO_REUSEADDR): a client port has one
    // such group, held inline (count 0: none); more groups go to a list.
    private IPv4Address _timeWaitAddress;
    private bool _timeWaitReuseAddress;
    private int _timeWaitCount;
    private List<(IPv4Address Address, bool ReuseAddress, int Count)>? _moreTimeWaits;

    /// <summary>How many (address, SO_REUSEADDR) groups of TIME_WAIT sockets hold the port.</summary>
    public readonly int TimeWaitGroupCount => _timeWaitCount == 0 ? 0 : 1 + (_moreTimeWaits?.Count ?? 0);

    /// <summary>The TIME_WAIT group at <paramref name="index"/> (0 ≤ index &lt; <see cref="TimeWaitGroupCount"/>).</summary>
    public readonly (IPv4Address Address, bool ReuseAddress, int Count) TimeWaitGroupAt(int index) =>
        index == 0 ? (_timeWaitAddress, _timeWaitReuseAddress, _timeWaitCount) : _moreTimeWaits![index - 1];

    public readonly bool IsEmpty => _first is null && _timeWaitCount == 0;

    /// <summary>One more TIME_WAIT socket of (<paramref name="address"/>, <paramref name="reuseAddress"/>) holds the port.</summary>
    public void AddTimeWait(IPv4Address address, bool reuseAddress)
    {
        int index = IndexOfTimeWaits(address, reuseAddress);
        if (index == 0)
        {
            _timeWaitCount++;
        }
        else if (index > 0)
        {
            var group = _moreTimeWaits![index - 1];
            _moreTimeWaits[index - 1] = group with { Count = group.Count + 1 };
        }
        else if (_timeWaitCount == 0)
        {
            (_timeWaitAddress, _timeWaitReuseAddress, _timeWaitCount) = (address, reuseAddress, 1);
        }
        else
        {
            (_moreTimeWaits ??= new(1)).Add((address, reuseAddress, 1));
        }
    }

    /// <summary>A TIME_WAIT socket of (<paramref name="address"/>, <paramref name="reuseAddress"/>) let the port go; false if none held it.</summary>
    public bool RemoveTimeWait(IPv4Address address, bool reuseAddress)
    {
        int index = IndexOfTimeWaits(address, reuseAddress);
        if (index < 0)
        {
            return false;
        }

        if (index > 0)
        {
            var group = _moreTimeWaits![index - 1];
            if (group.Count == 1)
            {
                _moreTimeWaits.RemoveAt(index - 1);
            }
            else
            {
                _moreTimeWaits[index - 1] = group with { Count = group.Count - 1 };
            }
        }
        else if (--_timeWaitCount == 0 && _moreTimeWaits is { Count: > 0 } more)
        {
            // The first group is gone: the last listed one takes its place.
            (_timeWaitAddress, _timeWaitReuseAddress, _timeWaitCount) = more[^1];
            more.RemoveAt(more.Count - 1);
        }

        return true;
    }

    private readonly int IndexOfTimeWaits(IPv4Address address, bool reuseAddress)
    {
        int groups = TimeWaitGroupCount;
        for (int i = 0; i < groups; i++)
        {
            var group = TimeWaitGroupAt(i);
            if (group.Address == address && group.ReuseAddress == reuseAddress)
            {
                return i;
            }
        }

        return -1;
    }

    public void Add(IPortHolder holder)
    {
        holder.BindSlot = HolderCount;
        if (_first is null)
        {
            _first = holder;
        }
        else
        {
            // A client port shared by connections to different peers has two or three holders: a list that starts
            // at one slot and doubles holds them in 24 or 32 bytes where the default first growth took 48.
            (_others ??= new List<IPortHolder>(1)).Add(holder);
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

    /// <summary>Makes an empty bucket (one the table let go) the new bucket of <paramref name="port"/>, keeping its lists' arrays.</summary>
    /// <summary>The slot becomes the bucket of <paramref name="port"/>, holding nothing yet.</summary>
    public void Open(ushort port, bool createdByConnect)
    {
        if (InUse)
        {
            throw new InvalidOperationException($"bind bucket of port {Port} opened while in use");
        }

        (Port, CreatedByConnect, InUse) = (port, createdByConnect, true);
    }

    /// <summary>The slot is free again; what it held is dropped (its lists too, so a free slot holds no reference).</summary>
    public void Close()
    {
        if (!IsEmpty)
        {
            throw new InvalidOperationException($"bind bucket of port {Port} closed while still held");
        }

        this = default;
    }
}
