namespace TcpActors.Endpoints;

/// <summary>
/// A host's TCP counters, named after Linux's SNMP and netstat MIB counters (<c>nstat</c> names in the
/// comments) so that a run's numbers read like a real machine's.
/// </summary>
public sealed class TcpCounters
{
    /// <summary>TcpActiveOpens: connect() sent a SYN.</summary>
    public long ActiveOpens { get; internal set; }

    /// <summary>TcpPassiveOpens: a listener accepted a SYN.</summary>
    public long PassiveOpens { get; internal set; }

    /// <summary>TcpAttemptFails: a connection attempt failed (refused, timed out, reset in SYN states).</summary>
    public long AttemptFails { get; internal set; }

    /// <summary>TcpEstabResets: established connections that were reset.</summary>
    public long EstablishedResets { get; internal set; }

    /// <summary>TcpInSegs: every segment TCP was handed, a bad one included (tcp_v4_rcv counts before it checks).</summary>
    public long InSegments { get; internal set; }

    /// <summary>TcpInCsumErrors (nstat; <c>Tcp: ... InCsumErrors</c> in /proc/net/snmp): segments that failed their checksum (netem corrupt) and were discarded.</summary>
    public long InCsumErrors { get; internal set; }

    /// <summary>TcpOutSegs (retransmissions excluded).</summary>
    public long OutSegments { get; internal set; }

    /// <summary>TcpRetransSegs.</summary>
    public long RetransmittedSegments { get; internal set; }

    /// <summary>TcpExtTCPRetransFail: retransmissions the host refused to send (an OUTPUT rule, a full queue).</summary>
    public long RetransmitFailures { get; internal set; }

    /// <summary>TcpOutRsts.</summary>
    public long OutResets { get; internal set; }

    /// <summary>Resets received (TcpExtTCPRcvRst-like).</summary>
    public long InResets { get; internal set; }

    /// <summary>TcpExtTCPTimeWaitOverflow: no TIME_WAIT kept because tcp_max_tw_buckets was reached.</summary>
    public long TimeWaitOverflow { get; internal set; }

    /// <summary>TcpExtTWRecycled: TIME_WAIT sockets reused by connect() (tcp_tw_reuse).</summary>
    public long TimeWaitRecycled { get; internal set; }

    /// <summary>TcpExtTWKilled-like: TIME_WAIT sockets ended early (RST assassination, reopened by SYN).</summary>
    public long TimeWaitKilled { get; internal set; }

    /// <summary>TIME_WAIT sockets that ran their course.</summary>
    public long TimeWaitExpired { get; internal set; }

    /// <summary>TcpExtListenOverflows: accept queue full.</summary>
    public long ListenOverflows { get; internal set; }

    /// <summary>TcpExtListenDrops: SYNs or ACKs dropped by a listener.</summary>
    public long ListenDrops { get; internal set; }

    /// <summary>TcpExtSyncookiesSent.</summary>
    public long SyncookiesSent { get; internal set; }

    /// <summary>TcpExtSyncookiesRecv.</summary>
    public long SyncookiesReceived { get; internal set; }

    /// <summary>TcpExtOutOfWindowIcmps: ICMP errors quoting a sequence number outside [snd_una, snd_nxt], ignored.</summary>
    public long OutOfWindowIcmps { get; internal set; }

    /// <summary>TcpExtLockDroppedIcmps: ICMP errors that arrived while the socket was in a system call, kept only as the soft error.</summary>
    public long LockDroppedIcmps { get; internal set; }

    /// <summary>TcpExtTCPLossProbes.</summary>
    public long LossProbes { get; internal set; }

    /// <summary>TcpExtTCPFastRetrans: segments marked lost retransmitted outside the Loss state (tcp_xmit_retransmit_queue).</summary>
    public long FastRetransmits { get; internal set; }

    /// <summary>TcpExtTCPSlowStartRetrans: segments retransmitted in the Loss state after an RTO, on the ACKs that follow.</summary>
    public long SlowStartRetransmits { get; internal set; }

    /// <summary>TcpExtTCPSackRecovery: fast recoveries entered on SACK information.</summary>
    public long SackRecoveries { get; internal set; }

    /// <summary>TcpExtTCPLostRetransmit: retransmissions RACK found lost in their turn.</summary>
    public long LostRetransmits { get; internal set; }

    /// <summary>TcpExtTCPDSACKRecv (with TCPDSACKOfoRecv): ACKs whose first SACK block is a D-SACK.</summary>
    public long DsacksReceived { get; internal set; }

    /// <summary>TcpExtTCPSACKReorder: reordering detected from SACKs (a hole filled by an original).</summary>
    public long SackReorders { get; internal set; }

    /// <summary>TcpExtTCPTSReorder: reordering detected from a timestamp echo in fast recovery.</summary>
    public long TimestampReorders { get; internal set; }

    /// <summary>TcpExtTCPFullUndo: fast recoveries undone when they ended (nothing needed retransmitting).</summary>
    public long FullUndos { get; internal set; }

    /// <summary>TcpExtTCPPartialUndo: fast recoveries undone on a partial ACK (timestamps showed reordering).</summary>
    public long PartialUndos { get; internal set; }

    /// <summary>TcpExtTCPDSACKUndo: reductions undone because D-SACKs showed every retransmission needless.</summary>
    public long DsackUndos { get; internal set; }

    /// <summary>TcpExtTCPLossUndo: RTO (Loss state) reductions undone.</summary>
    public long LossUndos { get; internal set; }

    /// <summary>TcpExtTCPSpuriousRTOs: RTOs F-RTO found spurious.</summary>
    public long SpuriousRtos { get; internal set; }

    /// <summary>TcpExtTCPTimeouts: RTO firings.</summary>
    public long Timeouts { get; internal set; }

    /// <summary>TcpExtDelayedACKs: ACKs sent by the delayed-ACK timer.</summary>
    public long DelayedAcks { get; internal set; }

    /// <summary>TcpExtTCPACKCompressed: duplicate ACKs not sent because one compressed ACK stood for them (the one sent is not counted).</summary>
    public long AcksCompressed { get; internal set; }

    /// <summary>TcpExtTCPAbortOnData: RST because data arrived after close, or close() with SO_LINGER {1,0}.</summary>
    public long AbortOnData { get; internal set; }

    /// <summary>TcpExtTCPAbortOnClose: RST because close() found unread data.</summary>
    public long AbortOnClose { get; internal set; }

    /// <summary>TcpExtTCPAbortOnTimeout: gave up after retransmissions or keepalive probes.</summary>
    public long AbortOnTimeout { get; internal set; }

    /// <summary>TcpExtTCPAbortOnLinger: RST by an orphan in FIN_WAIT2 whose TCP_LINGER2 is negative (never set: the option is not modelled).</summary>
    public long AbortOnLinger { get; internal set; }

    /// <summary>TcpExtPruneCalled: in-coming data found the receive buffer overcommitted (tcp_prune_queue).</summary>
    public long PruneCalled { get; internal set; }

    /// <summary>TcpExtTCPRcvCollapsed: received segments copied into compact buffers to make room (tcp_collapse).</summary>
    public long ReceiveCollapsed { get; internal set; }

    /// <summary>TcpExtOfoPruned: out-of-order data dropped to make room (tcp_prune_ofo_queue).</summary>
    public long OutOfOrderPruned { get; internal set; }

    /// <summary>TcpExtRcvPruned: pruning did not make room; the segment was refused.</summary>
    public long ReceivePruned { get; internal set; }

    /// <summary>TcpExtTCPRcvQDrop: in-order data dropped for lack of receive memory.</summary>
    public long ReceiveQueueDrops { get; internal set; }

    /// <summary>TcpExtTCPOFODrop: out-of-order data dropped for lack of receive memory.</summary>
    public long OutOfOrderDrops { get; internal set; }

    /// <summary>TcpExtTCPOFOMerge: out-of-order data dropped as held already (a segment wholly held, or a held buffer a new segment covers).</summary>
    public long OutOfOrderMerged { get; internal set; }

    /// <summary>TcpExtTCPChallengeACK.</summary>
    public long ChallengeAcks { get; internal set; }

    /// <summary>TcpExtPAWSEstab and PAWSTimewait.</summary>
    public long PawsRejected { get; internal set; }

    /// <summary>PAWSOldAck: a bare ACK below rcv_nxt failing PAWS, dropped without a duplicate ACK (Linux 6.14+).</summary>
    public long PawsOldAcks { get; internal set; }

    /// <summary>TcpExtTCPKeepAlive: keepalive probes sent.</summary>
    public long KeepaliveProbes { get; internal set; }

    /// <summary>Segments for which no socket existed (answered with RST unless they were RSTs).</summary>
    public long NoSocket { get; internal set; }

    /// <summary>connect() calls that failed with EADDRNOTAVAIL.</summary>
    public long PortExhaustion { get; internal set; }
}
