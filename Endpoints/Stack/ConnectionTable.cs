using System.Diagnostics.CodeAnalysis;
using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The connection table (the kernel's established hash, ehash): sockets by exact 4-tuple. An open-addressing table
/// with linear probing whose key is the socket's own tuple (<see cref="TcpSocket.Tuple"/>, read through
/// <typeparamref name="TTupleOf"/>, a struct so the read is inlined): a slot holds the socket and its
/// tuple's hash (0: empty), 12 bytes, where a <c>Dictionary</c> entry held a copy of the tuple, a hash and a chain
/// link beside the reference (32 bytes) and a bucket (4). It grows by doubling past three quarters full and never
/// shrinks (as the dictionary did not); a removal shifts the following entries back into the hole, so no tombstones
/// accumulate. The hash is <see cref="FourTuple.GetHashCode"/>, which no per-process seed perturbs.
/// </summary>
internal sealed class ConnectionTable<T, TTupleOf>
    where T : class
    where TTupleOf : struct, ITupleOf<T>
{
    private const int MinimumCapacity = 16;

    private int[] _hashes = [];
    private T?[] _sockets = [];

    public int Count { get; private set; }

    /// <summary>
    /// The sockets in slot order: an order fixed by the tuples' hashes and the order of insertions and removals, so
    /// deterministic, but of no meaning; whoever shows them sorts them.
    /// </summary>
    public IEnumerable<T> Values
    {
        get
        {
            foreach (var socket in _sockets)
            {
                if (socket is not null)
                {
                    yield return socket;
                }
            }
        }
    }

    public bool TryGetValue(FourTuple tuple, [NotNullWhen(true)] out T? socket)
    {
        int index = Find(tuple, Hash(tuple));
        socket = index >= 0 ? _sockets[index] : null;
        return socket is not null;
    }

    public bool ContainsKey(FourTuple tuple) => Find(tuple, Hash(tuple)) >= 0;

    /// <summary>Adds a socket under its tuple, which no other socket in the table may have (as Dictionary.Add).</summary>
    public void Add(T socket)
    {
        var tuple = TTupleOf.Of(socket);
        int hash = Hash(tuple);
        if (Find(tuple, hash) >= 0)
        {
            throw new ArgumentException($"{tuple} is already in the connection table", nameof(socket));
        }

        if ((Count + 1) * 4L > _hashes.Length * 3L)
        {
            Resize(Math.Max(MinimumCapacity, _hashes.Length * 2));
        }

        Insert(hash, socket);
        Count++;
    }

    /// <summary>
    /// Removes the socket of this tuple. Backward-shift deletion: each entry after the hole, up to the next empty slot,
    /// moves into the hole if the hole lies on its probe path (between its home slot and where it is), and leaves the
    /// new hole behind it.
    /// </summary>
    public bool Remove(FourTuple tuple)
    {
        int index = Find(tuple, Hash(tuple));
        if (index < 0)
        {
            return false;
        }

        int mask = _hashes.Length - 1;
        int hole = index;
        for (int next = (hole + 1) & mask; _hashes[next] != 0; next = (next + 1) & mask)
        {
            int home = _hashes[next] & mask;
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                _hashes[hole] = _hashes[next];
                _sockets[hole] = _sockets[next];
                hole = next;
            }
        }

        _hashes[hole] = 0;
        _sockets[hole] = null;
        Count--;
        return true;
    }

    /// <summary>The tuple's hash, never 0 (which marks an empty slot).</summary>
    private static int Hash(FourTuple tuple)
    {
        int hash = tuple.GetHashCode();
        return hash == 0 ? 1 : hash;
    }

    /// <summary>The slot of this tuple's socket, −1 if none. The table is never full, so the probe meets an empty slot.</summary>
    private int Find(FourTuple tuple, int hash)
    {
        if (Count == 0)
        {
            return -1;
        }

        int mask = _hashes.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            int slotHash = _hashes[i];
            if (slotHash == 0)
            {
                return -1;
            }

            if (slotHash == hash && TTupleOf.Of(_sockets[i]!) == tuple)
            {
                return i;
            }
        }
    }

    private void Insert(int hash, T socket)
    {
        int mask = _hashes.Length - 1;
        int i = hash & mask;
        while (_hashes[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _hashes[i] = hash;
        _sockets[i] = socket;
    }

    private void Resize(int capacity)
    {
        var hashes = _hashes;
        var sockets = _sockets;
        _hashes = new int[capacity];
        _sockets = new T?[capacity];
        for (int i = 0; i < hashes.Length; i++)
        {
            if (sockets[i] is { } socket)
            {
                Insert(hashes[i], socket);
            }
        }
    }
}
