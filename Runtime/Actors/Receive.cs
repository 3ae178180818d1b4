namespace TcpActors.Runtime;

/// <summary>A behaviour: handles a message and says whether it did (Akka's <c>Receive</c> delegate).</summary>
public delegate bool Receive(object message);
