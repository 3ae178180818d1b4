namespace TcpActors.Endpoints;

/// <summary>What tcp_data_queue_ofo did with a segment.</summary>
internal enum OutOfOrderOutcome
{
    /// <summary>Every byte was held already: dropped (TCPOFOMerge), charged nothing, D-SACKed.</summary>
    AlreadyHeld,

    /// <summary>Joined the held buffer it continues, at the cost of its bytes.</summary>
    Coalesced,

    /// <summary>Held in a buffer of its own, charged its truesize.</summary>
    Queued,
}
