namespace TcpActors.Endpoints;

/// <summary>
/// Linux's congestion-avoidance state of a connection (icsk_ca_state, tcp_input.c's "NewReno/SACK/ECN state
/// machine"), in Linux's order: a later state is a deeper one. CWR (an ECN or local-congestion reduction) is
/// not modelled.
/// </summary>
internal enum CongestionState : byte
{
    /// <summary>TCP_CA_Open: nothing dubious seen; the fast path.</summary>
    Open,

    /// <summary>TCP_CA_Disorder: SACKs, duplicate ACKs or retransmissions outstanding, but no loss declared.</summary>
    Disorder,

    /// <summary>TCP_CA_Recovery: fast recovery, the window reduced by PRR, lost segments retransmitted.</summary>
    Recovery,

    /// <summary>TCP_CA_Loss: after an RTO, what was outstanding is presumed lost until high_seq is acknowledged.</summary>
    Loss,
}
