namespace TcpActors.Endpoints;

/// <summary>
/// What one incoming ACK did, as tcp_ack collects it (tcp_input.c's FLAG_* bits) for the loss-recovery state
/// machine to decide on.
/// </summary>
[Flags]
internal enum AckFlags
{
    None = 0,

    /// <summary>FLAG_DATA: the segment carried data (or a FIN).</summary>
    Data = 1 << 0,

    /// <summary>FLAG_WIN_UPDATE: the segment may update the send window (tcp_may_update_window).</summary>
    WindowUpdate = 1 << 1,

    /// <summary>FLAG_DATA_ACKED: new data was cumulatively acknowledged.</summary>
    DataAcked = 1 << 2,

    /// <summary>FLAG_RETRANS_DATA_ACKED: some of it had been retransmitted.</summary>
    RetransmittedDataAcked = 1 << 3,

    /// <summary>FLAG_SYN_ACKED: our SYN was acknowledged.</summary>
    SynAcked = 1 << 4,

    /// <summary>FLAG_DATA_SACKED: segments newly SACKed.</summary>
    DataSacked = 1 << 5,

    /// <summary>FLAG_LOST_RETRANS: a retransmission was found lost (RACK).</summary>
    LostRetransmission = 1 << 6,

    /// <summary>FLAG_ORIG_SACK_ACKED: never-retransmitted data sent before high_seq was (S)ACKed.</summary>
    OriginalSackedOrAcked = 1 << 7,

    /// <summary>FLAG_SND_UNA_ADVANCED.</summary>
    SndUnaAdvanced = 1 << 8,

    /// <summary>FLAG_DSACKING_ACK: the SACK option carried a D-SACK the sender believes.</summary>
    DsackingAck = 1 << 9,

    /// <summary>FLAG_SET_XMIT_TIMER: re-arm the loss probe or RTO after this ACK.</summary>
    SetTransmitTimer = 1 << 10,

    /// <summary>FLAG_SACK_RENEGING: snd_una advanced to a segment that was SACKed.</summary>
    SackReneging = 1 << 11,

    /// <summary>FLAG_DSACK_TLP: the D-SACK names the tail loss probe.</summary>
    DsackTailLossProbe = 1 << 12,

    /// <summary>FLAG_ACKED.</summary>
    Acked = DataAcked | SynAcked,

    /// <summary>FLAG_NOT_DUP: not a duplicate ACK.</summary>
    NotDuplicate = Data | WindowUpdate | Acked,

    /// <summary>FLAG_CA_ALERT: something the state machine must look at (ECN is not modelled).</summary>
    CongestionAlert = DataSacked | DsackingAck,

    /// <summary>FLAG_FORWARD_PROGRESS.</summary>
    ForwardProgress = Acked | DataSacked,
}
