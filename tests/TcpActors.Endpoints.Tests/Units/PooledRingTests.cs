namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The retransmission queue's ring: list semantics across wrap-around, growth, insertion and removal.</summary>
public sealed class PooledRingTests
{
    [Fact]
    public void Behaves_as_a_list_while_its_head_wraps_around_and_it_grows()
    {
        // Proves indexing, Add, RemoveAt (head and middle), Insert and enumeration agree with List<int> through
        // a sequence that wraps the ring's head past the end of its array several times and grows it twice.
        var pool = new RingArrayPool<int>();
        var ring = new PooledRing<int>();
        var list = new List<int>();
        int next = 0;
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 3 + (round % 5); i++)
            {
                ring.Add(next, pool);
                list.Add(next++);
            }

            if (round % 7 == 3 && list.Count > 2)
            {
                ring.Insert(1, -round, pool);
                list.Insert(1, -round);
                ring.RemoveAt(list.Count - 2, pool);
                list.RemoveAt(list.Count - 2);
            }

            for (int i = 0; i < 2 + (round % 4) && list.Count > 0; i++)
            {
                ring.RemoveAt(0, pool);
                list.RemoveAt(0);
            }

            Assert.Equal(list, ring.ToList());
            Assert.Equal(list.Count, ring.Count);
            Assert.Equal(list.FindIndex(v => v % 5 == 0), ring.FindIndex(v => v % 5 == 0));
        }

        ring[0] = 12345;
        ring[1] += 1;
        Assert.Equal(12345, ring[0]);
        Assert.Equal(list[1] + 1, ring[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring[ring.Count]);
    }

    [Fact]
    public void An_emptied_ring_starts_again_empty_and_usable()
    {
        // Proves that emptying the ring (by removal or Clear) gives its array back without losing later items.
        var pool = new RingArrayPool<long>();
        var ring = new PooledRing<long>();
        ring.Add(1, pool);
        ring.Add(2, pool);
        ring.RemoveAt(0, pool);
        ring.RemoveAt(0, pool);
        Assert.Equal(0, ring.Count);
        Assert.False(ring.Exists(_ => true));
        ring.Add(3, pool);
        ring.Add(4, pool);
        ring.Clear(pool);
        Assert.Empty(ring);
        ring.Add(5, pool);
        Assert.Equal([5L], ring.ToList());
    }
}
