namespace TcpActors.Endpoints;

/// <summary>
/// The socket's yes/no state in one word: each <c>bool</c> member elsewhere (<c>_done</c>, <c>_sackOk</c>, ...) is a
/// property over a bit of <see cref="_flags"/>, as Linux keeps its flags in bitfields of tcp_sock. A byte each would
/// cost 36 bytes a socket; the word costs 8.
/// </summary>
internal sealed partial class TcpSocket
{
    private SocketFlags _flags = SocketFlags.RateAppLimited;

    private bool Has(SocketFlags flag) => (_flags & flag) != 0;

    private void Set(SocketFlags flag, bool value) => _flags = value ? _flags | flag : _flags & ~flag;

    // Small values in the word's upper bytes (above the flags): the congestion control's key, snd/rcv_wscale, and the
    // delayed-ACK pushed bits with the retransmission timer's mode, four bytes fewer a socket than as fields.
    private const int CaKeyShift = 40;
    private const int WindowScalesShift = 48;
    private const int AckPushedShift = 56;
    private const int RetransmitModeShift = 60;

    /// <summary>The value in bits <paramref name="shift"/> up of the word, <paramref name="mask"/> wide.</summary>
    private byte Field(int shift, byte mask) => (byte)(((ulong)_flags >> shift) & mask);

    /// <summary>Stores a value that must fit <paramref name="mask"/> (a wider one throws rather than be cut).</summary>
    private void SetField(int shift, byte mask, byte value)
    {
        if ((value & ~mask) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "wider than its field of the flags word");
        }

        _flags = (SocketFlags)(((ulong)_flags & ~((ulong)mask << shift)) | ((ulong)value << shift));
    }

    [Flags]
    private enum SocketFlags : ulong
    {
        None = 0,
        OwnedByWriter = 1u << 0,
        ChronoBusy = 1u << 1,
        OrphanPending = 1u << 2,
        FinQueued = 1u << 3,
        IsnInherited = 1u << 4,
        AckNoMemory = 1u << 5,
        WscaleOk = 1u << 6,
        SackOk = 1u << 7,
        TsOk = 1u << 8,
        TlpOutstanding = 1u << 9,
        Pingpong = 1u << 10,
        AckScheduled = 1u << 11,
        AckNow = 1u << 12,
        IsCwndLimited = 1u << 13,
        Accepted = 1u << 14,
        AckAnswersStaleSegment = 1u << 15,
        RackAdvanced = 1u << 16,
        WriterWaiting = 1u << 17,
        WriterWaking = 1u << 18,
        EndReported = 1u << 19,
        HoldsPort = 1u << 20,
        ExplicitlyBound = 1u << 21,
        InConnectionTable = 1u << 22,
        Orphaned = 1u << 23,
        SendShutdown = 1u << 24,
        ReceiveShutdown = 1u << 25,
        FinReceived = 1u << 26,
        FinConsumed = 1u << 27,
        HandedToTimeWait = 1u << 28,
        Done = 1u << 29,
        AutoRead = 1u << 30,
        LastAckSentKnown = 1u << 31,
        TailProbeRetransmitted = 1ul << 32,
        PacingWriteDeferred = 1ul << 33,
        RateAppLimited = 1ul << 34,
        SndSmlKnown = 1ul << 35,
    }
}
