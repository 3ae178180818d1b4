namespace TcpActors.Endpoints;

/// <summary>
/// The bytes a socket has been given to send and that are not yet acknowledged, from snd_una onwards
/// (sent-but-unacknowledged first, then not yet sent). Chunks keep their real bytes when the run has
/// them; a segment's payload is cut out of this queue when it is (re)transmitted.
/// </summary>
internal sealed class SendQueue
{
    // Created with the first bytes and dropped when all are acknowledged: an idle connection holds none.
    private LinkedList<ByteChunk>? _chunks;
    private int _headOffset;

    /// <summary>Bytes queued (unacknowledged plus unsent).</summary>
    public long Length { get; private set; }

    public bool CarriesBytes { get; private set; }

    public void Append(ByteChunk chunk)
    {
        if (chunk.Length == 0)
        {
            return;
        }

        (_chunks ??= new()).AddLast(chunk);
        Length += chunk.Length;
        CarriesBytes |= chunk.HasBytes;
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front.</summary>
    public void Consume(long count)
    {
        Length -= count;
        while (count > 0 && _chunks?.First is { } first)
        {
            int available = first.Value.Length - _headOffset;
            if (count >= available)
            {
                count -= available;
                _chunks.RemoveFirst();
                _headOffset = 0;
                if (_chunks.Count == 0)
                {
                    _chunks = null;
                }
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
        var node = _chunks?.First;
        while (node is not null && position >= node.Value.Length)
        {
            position -= node.Value.Length;
            node = node.Next;
        }

        if (node is null)
        {
            return ByteChunk.OfLength(length);
        }

        if (position + length <= node.Value.Length)
        {
            return node.Value.Slice((int)position, length);
        }

        var buffer = new byte[length];
        int written = 0;
        while (written < length && node is not null)
        {
            int take = (int)Math.Min(length - written, node.Value.Length - position);
            if (node.Value.HasBytes)
            {
                node.Value.Bytes.Span.Slice((int)position, take).CopyTo(buffer.AsSpan(written));
            }

            written += take;
            position = 0;
            node = node.Next;
        }

        return ByteChunk.Of(buffer);
    }
}
