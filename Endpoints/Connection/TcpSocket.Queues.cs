namespace TcpActors.Endpoints;

/// <summary>
/// The send and receive queues are made when something is to be queued and dropped once an event leaves them
/// as a new one would be (<see cref="SendQueue.IsIdle"/>, <see cref="ReceiveQueue.IsIdle"/>), as Linux's idle
/// socket holds no sk_buff: an idle connection then carries neither object. Nothing a run does depends on
/// whether a queue object was kept or made again, so an idle queue goes to the host's spares (<see cref="Spares{T}"/>)
/// for the next socket instead of the collector.
/// </summary>
internal sealed partial class TcpSocket
{
    /// <summary>The send queue, made by the first write after it was last emptied.</summary>
    private SendQueue Sending => _sendQueue ??= _stack.SpareSendQueues.TryTake(out var spare) ? spare : new();

    /// <summary>The receive queue, made by the first data (or D-SACK) after it was last emptied.</summary>
    private ReceiveQueue Receiving => _receiveQueue ??= _stack.SpareReceiveQueues.TryTake(out var spare) ? spare : new();

    /// <summary>Unread in-order bytes (Recv-Q without the FIN).</summary>
    private long UnreadBytes => _receiveQueue?.UnreadBytes ?? 0;

    /// <summary>Out-of-order sk_buffs held.</summary>
    private int OutOfOrderHeld => _receiveQueue?.OutOfOrderCount ?? 0;

    /// <summary>At the end of each event: drop a queue that holds nothing and remembers nothing.</summary>
    private void ReleaseIdleQueues()
    {
        if (_sendQueue is { IsIdle: true } sendQueue)
        {
            _sendQueue = null;
            _stack.SpareSendQueues.Give(sendQueue);
        }

        if (_receiveQueue is { IsIdle: true } receiveQueue)
        {
            _receiveQueue = null;
            _stack.SpareReceiveQueues.Give(receiveQueue);
        }
    }
}
