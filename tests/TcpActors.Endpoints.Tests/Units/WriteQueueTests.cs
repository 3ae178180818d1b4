using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The write queue's sk_buff ends and PSH marks, across the ring it makes on the first write and drops when all is sent.</summary>
public sealed class WriteQueueTests
{
    [Fact]
    public void Sk_buffs_keep_their_ends_and_marks_and_an_emptied_queue_starts_again()
    {
        // Proves the bookkeeping tcp_sendmsg_locked and tcp_write_xmit rely on: a tail topped up, a new tail after
        // it, PSH on the tail, the head's start at snd_nxt and the tail's at the end of the one before; sending
        // all empties the queue (its ring is dropped), and the next write starts a fresh one.
        var pool = new RingArrayPool<WriteQueue.UnsentSkb>();
        var queue = new WriteQueue();
        Assert.True(queue.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => queue.Head);
        queue.Add(new SeqNum(1), pool);
        queue.ExtendTail(new SeqNum(1001));
        queue.ExtendTail(new SeqNum(1449));
        queue.Add(new SeqNum(1449), pool);
        queue.ExtendTail(new SeqNum(2001));
        queue.MarkTailPush();
        Assert.Equal(2, queue.Count);
        Assert.Equal(new WriteQueue.UnsentSkb(new SeqNum(1449), Push: false), queue.Head);
        Assert.Equal(new WriteQueue.UnsentSkb(new SeqNum(2001), Push: true), queue.Tail);
        Assert.Equal(new SeqNum(1449), queue.TailStart(new SeqNum(1)));
        Assert.Throws<InvalidOperationException>(() => queue.ExtendTail(new SeqNum(1500)));

        queue.Sent(new SeqNum(1449), pool);
        Assert.Equal(1, queue.Count);
        Assert.Equal(new SeqNum(1449), queue.TailStart(new SeqNum(1449)));
        queue.Sent(new SeqNum(2001), pool);
        Assert.True(queue.IsEmpty);
        Assert.Throws<InvalidOperationException>(() => queue.Tail);
        queue.Sent(new SeqNum(2001), pool);

        queue.Add(new SeqNum(2001), pool);
        queue.ExtendTail(new SeqNum(2101));
        queue.MarkHeadPush();
        Assert.Equal(new WriteQueue.UnsentSkb(new SeqNum(2101), Push: true), queue.Head);
    }
}
