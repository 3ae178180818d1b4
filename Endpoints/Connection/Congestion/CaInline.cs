namespace TcpActors.Endpoints;

/// <summary>
/// Sixteen bytes of icsk_ca_priv kept inside the socket, for what an algorithm must remember from the first ACKs of
/// every connection, so that a connection that never needs more (a short request and response) allocates nothing.
/// An algorithm that needs more makes its own object (<see cref="TcpSocket.CaPriv"/>) and may move these values into
/// it. CUBIC keeps delay_min and its HyStart round (round_start, last_ack, end_seq) here while the window is under
/// hystart_low_window and no loss has been seen.
/// </summary>
internal struct CaInline
{
    public uint A;
    public uint B;
    public uint C;
    public uint D;
}
