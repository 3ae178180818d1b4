using TcpActors.Network;

namespace TcpActors.Endpoints;

/// <summary>
/// The storage of <see cref="TimeWaitTable"/>: slots held by value in chunks of a fixed size (a slab, in
/// the kernel's words), addressed by a stable index, with freed slots reused first. Growing adds a chunk;
/// nothing is ever copied, and the slots hold no references, so the collector never scans them.
/// </summary>
internal sealed class TimeWaitSlots
{
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;

    private TimeWaitSlot[][] _chunks = [];
    private int _chunkCount;

    /// <summary>Slots handed out at least once; the ones below it that are free are on the free list.</summary>
    private int _used;

    /// <summary>The first free slot + 1 (0: none); free slots chain through <see cref="TimeWaitSlot.NextInBucket"/>.</summary>
    private int _free;

    public ref TimeWaitSlot this[int index] => ref _chunks[index >> ChunkShift][index & (ChunkSize - 1)];

    public int Allocate()
    {
        if (_free != 0)
        {
            int index = _free - 1;
            _free = this[index].NextInBucket;
            return index;
        }

        if (_used == _chunkCount * ChunkSize)
        {
            if (_chunkCount == _chunks.Length)
            {
                Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
            }

            _chunks[_chunkCount++] = new TimeWaitSlot[ChunkSize];
        }

        return _used++;
    }

    public void Free(int index)
    {
        ref var slot = ref this[index];
        slot = default;
        slot.NextInBucket = _free;
        _free = index + 1;
    }

    /// <summary>Gives every chunk back (only when no slot is in use).</summary>
    public void Clear()
    {
        _chunks = [];
        _chunkCount = 0;
        _used = 0;
        _free = 0;
    }
}

/// <summary>One timewait: its key, its entry, its bucket chain and its place in its expiry lane.</summary>
internal struct TimeWaitSlot
{
    public TimeWaitEntry Entry;
    public FourTuple Tuple;

    /// <summary>The next slot in the same hash bucket + 1 (0: the end); the next free slot when free.</summary>
    public int NextInBucket;

    public int LanePrevious;
    public int LaneNext;
    public int Lane;
}
