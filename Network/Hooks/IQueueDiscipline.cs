namespace TcpActors.Network;

/// <summary>A packet leaving a queueing discipline at <see cref="Time"/>.</summary>
public readonly record struct Departure(Packet Packet, Runtime.SimTime Time);

/// <summary>
/// An egress queueing discipline on an interface (tc qdisc; netem is implemented by Chaos). The
/// interface hands it each departing packet and gets back zero departures (dropped), one, or several
/// (duplicated), each with the virtual time it leaves for the link; later packets may leave earlier
/// (reordering). Without one, packets leave at once, in order.
/// </summary>
public interface IQueueDiscipline
{
    /// <summary>Takes <paramref name="packet"/>, handed over at <paramref name="now"/>, and appends its departures to <paramref name="departures"/>.</summary>
    void Enqueue(Packet packet, Runtime.SimTime now, List<Departure> departures);
}
