using TcpActors.Runtime;

namespace TcpActors.Simulation;

/// <summary>
/// The connections of one load client that are waiting out their think time, in the order they are due
/// (equal times in the order they started thinking). A client with 100,000 idle connections keeps
/// 24 bytes for each here and one timer for the earliest, rather than a queued event and a message
/// object per connection.
/// </summary>
internal sealed class ThinkingQueue
{
    private readonly PriorityQueue<IActorRef, (long Due, long Order)> _waiting = new();
    private long _order;

    public int Count => _waiting.Count;

    /// <summary>When the earliest connection is due, if any is waiting.</summary>
    public long? NextDue => _waiting.TryPeek(out _, out var key) ? key.Due : null;

    public void Add(IActorRef socket, long due) => _waiting.Enqueue(socket, (due, _order++));

    /// <summary>Takes the earliest connection if it is due at <paramref name="now"/>.</summary>
    public bool TryTakeDue(long now, out IActorRef socket)
    {
        if (_waiting.TryPeek(out var first, out var key) && key.Due <= now)
        {
            _waiting.Dequeue();
            socket = first;
            return true;
        }

        socket = null!;
        return false;
    }
}
