using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The host's established hash (Linux's ehash): 4-tuple to socket (generic only so that it can be tested alone), looked up for every arriving segment.
/// <para>
/// Open addressing with linear probing over one array of (tuple, socket) pairs, its length a power of two,
/// at most three quarters full; a removal shifts the following entries of its run back, so there are no
/// tombstones and a lookup stops at the first empty slot. Against a <c>Dictionary</c> this saves the
/// comparer's interface calls, the buckets array and the entry's hash and chain fields (24 bytes an entry
/// instead of 28 plus a bucket), and it is as deterministic: where an entry sits depends only on the tuples
/// and the order they came in. <see cref="Sockets"/> lists in slot order; callers that show them sort.
/// </para>
/// </summary>
internal sealed class ConnectionTable<TSocket>
    where TSocket : class
{
    private const int InitialCapacity = 16;

    private Entry[] _entries = new Entry[InitialCapacity];
    private int _mask = InitialCapacity - 1;

    public int Count { get; private set; }

    /// <summary>The socket of <paramref name="tuple"/>, or null.</summary>
    public TSocket? Find(FourTuple tuple)
    {
        var entries = _entries;
        int mask = _mask;
        for (int i = Home(tuple, mask); ; i = (i + 1) & mask)
        {
            ref var entry = ref entries[i];
            if (entry.Socket is null)
            {
                return null;
            }

            if (entry.Tuple.Equals(tuple))
            {
                return entry.Socket;
            }
        }
    }

    public bool Contains(FourTuple tuple) => Find(tuple) is not null;

    /// <summary>Adds <paramref name="tuple"/>; it must not be in the table.</summary>
    public void Add(FourTuple tuple, TSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if ((Count + 1) * 4 > _entries.Length * 3)
        {
            Grow();
        }

        int i = Home(tuple, _mask);
        while (_entries[i].Socket is not null)
        {
            if (_entries[i].Tuple.Equals(tuple))
            {
                throw new ArgumentException($"the connection {tuple} is already in the table", nameof(tuple));
            }

            i = (i + 1) & _mask;
        }

        _entries[i] = new Entry { Tuple = tuple, Socket = socket };
        Count++;
    }

    /// <summary>Removes <paramref name="tuple"/> if it maps to <paramref name="socket"/>; returns whether it did.</summary>
    public bool Remove(FourTuple tuple, TSocket socket)
    {
        var entries = _entries;
        int mask = _mask;
        int i = Home(tuple, mask);
        while (true)
        {
            var current = entries[i].Socket;
            if (current is null)
            {
                return false;
            }

            if (entries[i].Tuple.Equals(tuple))
            {
                if (!ReferenceEquals(current, socket))
                {
                    return false;
                }

                break;
            }

            i = (i + 1) & mask;
        }

        // Backward-shift deletion: move up every later entry of the run whose home slot is not between the hole
        // and itself (cyclically), so that no lookup meets an empty slot before its entry.
        int hole = i;
        for (int j = (hole + 1) & mask; entries[j].Socket is not null; j = (j + 1) & mask)
        {
            int home = Home(entries[j].Tuple, mask);
            bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays)
            {
                entries[hole] = entries[j];
                hole = j;
            }
        }

        entries[hole] = default;
        Count--;
        return true;
    }

    /// <summary>Every socket in the table, in slot order.</summary>
    public IEnumerable<TSocket> Sockets()
    {
        foreach (var entry in _entries)
        {
            if (entry.Socket is { } socket)
            {
                yield return socket;
            }
        }
    }

    private static int Home(FourTuple tuple, int mask) => tuple.GetHashCode() & mask;

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        _mask = _entries.Length - 1;
        foreach (var entry in old)
        {
            if (entry.Socket is not null)
            {
                int i = Home(entry.Tuple, _mask);
                while (_entries[i].Socket is not null)
                {
                    i = (i + 1) & _mask;
                }

                _entries[i] = entry;
            }
        }
    }

    private struct Entry
    {
        public FourTuple Tuple;
        public TSocket? Socket;
    }
}
