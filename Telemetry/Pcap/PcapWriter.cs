using System.Buffers.Binary;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Telemetry;

/// <summary>
/// Writes packets to a classic libpcap file (not pcapng): the 24-byte global header (magic 0xa1b2c3d4,
/// version 2.4, snaplen 262144, microsecond timestamps) and, per packet, a 16-byte record header and the
/// bytes of <see cref="PacketEncoder"/>. Timestamps are <see cref="Epoch"/> plus the simulated time,
/// truncated to the microsecond as libpcap does. Records go straight to the stream (one reused buffer),
/// so a capture of any length costs constant memory; call <see cref="Flush"/> to make what was written
/// so far readable by tcpdump or Wireshark while the run goes on.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const uint Magic = 0xA1B2C3D4;
    public const int SnapLength = 262144;
    private const int EthernetHeaderLength = 14;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly long _epochMicroseconds;
    private readonly byte[] _record = new byte[16 + EthernetHeaderLength + 65535];
    private bool _disposed;

    /// <param name="output">Where the file goes; written from its current position.</param>
    /// <param name="linkType">Raw IPv4 (default) or synthetic Ethernet framing.</param>
    /// <param name="epoch">The wall-clock instant simulated time zero maps to; default 1970-01-01T00:00:00Z.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="output"/> open.</param>
    public PcapWriter(Stream output, PcapLinkType linkType = PcapLinkType.Raw, DateTimeOffset? epoch = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _leaveOpen = leaveOpen;
        LinkType = linkType;
        Epoch = epoch ?? DateTimeOffset.UnixEpoch;
        _epochMicroseconds = (Epoch - DateTimeOffset.UnixEpoch).Ticks / 10;
        WriteFileHeader();
    }

    public PcapLinkType LinkType { get; }

    public DateTimeOffset Epoch { get; }

    /// <summary>Packets written so far.</summary>
    public long PacketCount { get; private set; }

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>.</summary>
    public static PcapWriter Create(string path, PcapLinkType linkType = PcapLinkType.Raw, DateTimeOffset? epoch = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024), linkType, epoch);

    /// <summary>Appends one packet seen at simulated time <paramref name="time"/>.</summary>
    public void Write(SimTime time, Packet packet)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(packet);
        int linkHeaderLength = LinkType == PcapLinkType.Ethernet ? EthernetHeaderLength : 0;
        int ipLength = PacketEncoder.EncodedLength(packet);
        int capturedLength = linkHeaderLength + ipLength;
        var record = _record.AsSpan(0, 16 + capturedLength);

        long microseconds = _epochMicroseconds + (time.Nanoseconds / 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(record, checked((uint)(microseconds / 1_000_000)));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(microseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)capturedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)capturedLength);
        if (linkHeaderLength != 0)
        {
            WriteEthernetHeader(record[16..], packet);
        }

        PacketEncoder.Encode(packet, record[(16 + linkHeaderLength)..]);
        _output.Write(record);
        PacketCount++;
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _output.Flush();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _output.Flush();
        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }

    private void WriteFileHeader()
    {
        // Written in little-endian byte order, as libpcap does on x86; readers detect the order from the magic.
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)LinkType);
        _output.Write(header);
    }

    /// <summary>
    /// A synthetic Ethernet header: locally administered MACs 02:00:a.b.c.d built from the IP addresses, so
    /// each simulated address has a stable MAC (the simulator has no link layer to take real ones from).
    /// </summary>
    private static void WriteEthernetHeader(Span<byte> header, Packet packet)
    {
        WriteSyntheticMac(header, packet.Destination);
        WriteSyntheticMac(header[6..], packet.Source);
        BinaryPrimitives.WriteUInt16BigEndian(header[12..], 0x0800);
    }

    private static void WriteSyntheticMac(Span<byte> mac, IPv4Address address)
    {
        mac[0] = 0x02;
        mac[1] = 0x00;
        address.WriteBigEndian(mac[2..]);
    }
}
