namespace TcpActors.Simulation;

/// <summary>
/// The sequence ranges one direction of a connection has put on the wire, as offsets from its ISN
/// (the SYN is offset 0, the first data byte offset 1), merged into disjoint sorted intervals.
/// Reordering on the way (netem) only makes holes that later fill; a range seen twice is a re-send.
/// </summary>
internal sealed class SequenceSpace
{
    private readonly List<(long Start, long End)> _ranges = [];

    /// <summary>One past the highest offset seen.</summary>
    public long End => _ranges.Count == 0 ? 0 : _ranges[^1].End;

    public bool Overlaps(long start, long end)
    {
        foreach (var (rangeStart, rangeEnd) in _ranges)
        {
            if (rangeStart < end && start < rangeEnd)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every offset of [<paramref name="start"/>, <paramref name="end"/>) has been seen.</summary>
    public bool Covers(long start, long end)
    {
        foreach (var (rangeStart, rangeEnd) in _ranges)
        {
            if (rangeStart <= start && end <= rangeEnd)
            {
                return true;
            }
        }

        return end <= start;
    }

    /// <summary>
    /// Every offset of [<paramref name="start"/>, <paramref name="end"/>) that <paramref name="other"/> has seen,
    /// this space has seen too.
    /// </summary>
    public bool CoversWhatIsIn(SequenceSpace other, long start, long end)
    {
        foreach (var (rangeStart, rangeEnd) in other._ranges)
        {
            if (!Covers(Math.Max(start, rangeStart), Math.Min(end, rangeEnd)))
            {
                return false;
            }
        }

        return true;
    }

    public void Add(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        int index = 0;
        while (index < _ranges.Count && _ranges[index].End < start)
        {
            index++;
        }

        // Merge every range that touches [start, end) into one.
        while (index < _ranges.Count && _ranges[index].Start <= end)
        {
            start = Math.Min(start, _ranges[index].Start);
            end = Math.Max(end, _ranges[index].End);
            _ranges.RemoveAt(index);
        }

        _ranges.Insert(index, (start, end));
    }
}

/// <summary>
/// The payload bytes one direction has sent, by stream offset, up to a cap: every later copy of an
/// offset (retransmission, duplicate) must carry the same byte.
/// </summary>
internal sealed class StreamBytes(int capacityLimit)
{
    private byte[] _bytes = new byte[256];
    private bool[] _known = new bool[256];

    /// <summary>
    /// Records <paramref name="payload"/> at <paramref name="offset"/>; returns the first offset whose byte
    /// differs from one recorded before, or -1.
    /// </summary>
    public long Record(long offset, ReadOnlySpan<byte> payload)
    {
        long limit = Math.Min(offset + payload.Length, capacityLimit);
        if (offset < 0 || offset >= limit)
        {
            return -1;
        }

        Grow((int)limit);
        for (long position = offset; position < limit; position++)
        {
            byte value = payload[(int)(position - offset)];
            if (_known[position] && _bytes[position] != value)
            {
                return position;
            }

            _bytes[position] = value;
            _known[position] = true;
        }

        return -1;
    }

    public byte At(long offset) => _bytes[offset];

    private void Grow(int needed)
    {
        if (needed <= _bytes.Length)
        {
            return;
        }

        int size = Math.Min(Math.Max(needed, _bytes.Length * 2), capacityLimit);
        Array.Resize(ref _bytes, size);
        Array.Resize(ref _known, size);
    }
}
