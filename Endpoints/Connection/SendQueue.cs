namespace TcpActors.Endpoints;

/// <summary>
/// The bytes a socket has been given to send and that are not yet acknowledged, from snd_una onwards
/// (sent-but-unacknowledged first, then not yet sent). Chunks keep their real bytes when the run has
/// them; a segment's payload is cut out of this queue when it is (re)transmitted. The oldest chunk is
/// held inline and later ones in a queue created when first needed, so a request-response connection
/// (one send() in flight at a time) allocates nothing here.
/// </summary>
internal sealed class SendQueue
{
    private ByteChunk _head;
    private Queue<ByteChunk>? _behind;
    private int _headOffset;

    /// <summary>Bytes queued (unacknowledged plus unsent).</summary>
    public long Length { get; private set; }

    public bool CarriesBytes { get; private set; }

    /// <summary>
    /// Nothing queued, and in the state a new queue starts in (a queue that ever carried bytes keeps slicing
    /// from its chunks, so it is not idle).
    /// </summary>
    public bool IsIdle => Length == 0 && _head.Length == 0 && _headOffset == 0 && _behind is not { Count: > 0 } && !CarriesBytes;

    public void Append(ByteChunk chunk)
    {
        if (chunk.Length == 0)
        {
            return;
        }

        if (_head.Length == 0)
        {
            _head = chunk;
        }
        else
        {
            (_behind ??= new()).Enqueue(chunk);
        }

        Length += chunk.Length;
        CarriesBytes |= chunk.HasBytes;
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front.</summary>
    public void Consume(long count)
    {
        Length -= count;
        while (count > 0 && _head.Length > 0)
        {
            int available = _head.Length - _headOffset;
            if (count >= available)
            {
                count -= available;
                _head = _behind is { Count: > 0 } ? _behind.Dequeue() : ByteChunk.Empty;
                _headOffset = 0;
            }
            else
            {
                _headOffset += (int)count;
                count = 0;
            }
        }
    }

    /// <summary>The bytes at [offset, offset + length) from the front, as one chunk (copied only if they span chunks).</summary>
    public ByteChunk Slice(long offset, int length)
    {
        if (!CarriesBytes)
        {
            return ByteChunk.OfLength(length);
        }

        long position = offset + _headOffset;
        var chunks = Chunks().GetEnumerator();
        bool found = false;
        while (chunks.MoveNext())
        {
            if (position < chunks.Current.Length)
            {
                found = true;
                break;
            }

            position -= chunks.Current.Length;
        }

        if (!found)
        {
            return ByteChunk.OfLength(length);
        }

        var first = chunks.Current;
        if (position + length <= first.Length)
        {
            return first.Slice((int)position, length);
        }

        var buffer = new byte[length];
        int written = 0;
        var chunk = first;
        while (true)
        {
            int take = (int)Math.Min(length - written, chunk.Length - position);
            if (chunk.HasBytes)
            {
                chunk.Bytes.Span.Slice((int)position, take).CopyTo(buffer.AsSpan(written));
            }

            written += take;
            position = 0;
            if (written >= length || !chunks.MoveNext())
            {
                break;
            }

            chunk = chunks.Current;
        }

        return ByteChunk.Of(buffer);
    }

    /// <summary>The queued chunks in order, the head first.</summary>
    private IEnumerable<ByteChunk> Chunks()
    {
        if (_head.Length == 0)
        {
            yield break;
        }

        yield return _head;
        if (_behind is not null)
        {
            foreach (var chunk in _behind)
            {
                yield return chunk;
            }
        }
    }
}
