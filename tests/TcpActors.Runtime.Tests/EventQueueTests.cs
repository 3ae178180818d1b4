namespace TcpActors.Runtime.Tests;

public sealed class EventQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ring_lanes_and_heap_together_give_events_in_time_then_scheduling_order(int seed)
    {
        // Proves the merge of the three structures: events scheduled at the current instant, with one of a few
        // repeated delays (lanes, more distinct delays than there are lanes) and with arbitrary delays (heap),
        // interleaved with dequeues that move time on, come out exactly in (time, sequence) order.
        var random = new Random(seed);
        var queue = new EventQueue();
        var expected = new SortedSet<(long Time, long Sequence)>();
        long[] repeated = [25_000, 50_000, 40_000_000, 200_000_000, 1_000_000_000, 7, 3_000, 9_999, 123_456, 60_000_000_000, 11, 13];
        long now = 0;
        var dequeued = new List<(long, long)>();
        var wanted = new List<(long, long)>();
        for (int step = 0; step < 20_000; step++)
        {
            if (random.Next(3) > 0 || queue.Count == 0)
            {
                long delay = random.Next(4) switch
                {
                    0 => 0,
                    1 => random.NextInt64(1, 2_000_000_000),
                    _ => repeated[random.Next(repeated.Length)],
                };
                var item = new ScheduledEvent { Time = now + delay, Message = step };
                queue.Enqueue(ref item, now);
                expected.Add((item.Time, item.Sequence));
            }
            else
            {
                Assert.True(queue.TryPeekTime(out long peeked));
                Assert.True(queue.TryDequeue(out var item));
                Assert.Equal(peeked, item.Time);
                now = item.Time;
                dequeued.Add((item.Time, item.Sequence));
                var first = expected.Min;
                wanted.Add(first);
                expected.Remove(first);
            }
        }

        while (queue.TryDequeue(out var item))
        {
            dequeued.Add((item.Time, item.Sequence));
        }

        wanted.AddRange(expected);
        Assert.Equal(wanted, dequeued);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void An_event_queued_between_a_peek_and_the_dequeue_is_taken_first_if_earlier()
    {
        // Proves that the dequeue does not trust the structure the peek found once something was queued after it:
        // the peek sees a lane's event 25 us ahead, then an event for the current instant arrives and goes first.
        var queue = new EventQueue();
        var later = new ScheduledEvent { Time = 25_000, Message = "later" };
        queue.Enqueue(ref later, 0);
        Assert.True(queue.TryPeekTime(out long peeked));
        Assert.Equal(25_000, peeked);
        var now = new ScheduledEvent { Time = 0, Message = "now" };
        queue.Enqueue(ref now, 0);
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal("now", first.Message);
        Assert.True(queue.TryDequeue(out var second));
        Assert.Equal("later", second.Message);
    }

    [Fact]
    public void An_event_at_the_end_of_time_is_still_dequeued_from_its_lane()
    {
        // Proves an empty lane's marker (the largest time) is not mistaken for an event due then, nor one for it.
        var queue = new EventQueue();
        var never = new ScheduledEvent { Time = long.MaxValue, Message = "never" };
        queue.Enqueue(ref never, 0);
        var soon = new ScheduledEvent { Time = 5, Message = "soon" };
        queue.Enqueue(ref soon, 0);

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal("soon", first.Message);
        Assert.True(queue.TryPeekTime(out long time));
        Assert.Equal(long.MaxValue, time);
        Assert.True(queue.TryDequeue(out var last));
        Assert.Equal("never", last.Message);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public void A_lane_that_grew_in_a_burst_shrinks_as_it_drains_and_keeps_its_order()
    {
        // Proves the lane's shrinking: a burst of 200,000 events scheduled 1 µs ahead at one instant, most of them
        // run, then 100 more with the same delay from the later instant; every event comes out once, in order,
        // across the copies into smaller arrays (the lane wraps round its array before it shrinks).
        var queue = new EventQueue();
        for (int i = 0; i < 200_000; i++)
        {
            var item = new ScheduledEvent { Time = 1_000, Message = i };
            queue.Enqueue(ref item, 0);
        }

        int expected = 0;
        for (; expected < 190_000; expected++)
        {
            Assert.True(queue.TryDequeue(out var item));
            Assert.Equal(expected, item.Message);
        }

        for (int i = 200_000; i < 200_100; i++)
        {
            var item = new ScheduledEvent { Time = 2_000, Message = i };
            queue.Enqueue(ref item, 1_000);
        }

        while (queue.TryDequeue(out var item))
        {
            Assert.Equal(expected++, item.Message);
        }

        Assert.Equal(200_100, expected);
    }
}
