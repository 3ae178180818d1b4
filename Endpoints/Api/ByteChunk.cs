namespace TcpActors.Endpoints;

/// <summary>
/// A run of stream bytes: real bytes when a run carries payloads (reliability tests, scripted
/// applications), or only a length (load runs) — then the bytes are zeros, as a pcap shows them.
/// </summary>
public readonly record struct ByteChunk
{
    private ByteChunk(int length, ReadOnlyMemory<byte> bytes)
    {
        Length = length;
        Bytes = bytes;
    }

    public int Length { get; }

    /// <summary>The bytes, or empty when the chunk only has a length.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public bool HasBytes => !Bytes.IsEmpty;

    public static ByteChunk Empty => default;

    public static ByteChunk Of(ReadOnlyMemory<byte> bytes) => new(bytes.Length, bytes);

    public static ByteChunk OfLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new ByteChunk(length, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>A part of this chunk: bytes [offset, offset + length).</summary>
    public ByteChunk Slice(int offset, int length) =>
        HasBytes ? new ByteChunk(length, Bytes.Slice(offset, length)) : new ByteChunk(length, ReadOnlyMemory<byte>.Empty);

    public override string ToString() => HasBytes ? $"{Length} bytes" : $"{Length} bytes (length only)";
}
