using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The connection table (open addressing, backward-shift removal) against a Dictionary doing the same.</summary>
public sealed class ConnectionTableTests
{
    [Fact]
    public void Thousands_of_adds_and_removes_find_what_a_dictionary_finds()
    {
        // Proves lookups, counts and the set of values stay those of a Dictionary through 20,000 random adds and removes
        // over 600 tuples (the table grows from 16 slots and its clusters wrap around its end; every removal shifts
        // entries back), checking every tuple after each step.
        var table = new ConnectionTable<Item, ItemTuple>();
        var model = new Dictionary<FourTuple, Item>();
        var tuples = Enumerable.Range(0, 600)
            .Select(i => new FourTuple(new IPv4Address(0x0A000001), (ushort)(32768 + i), new IPv4Address(0x0A000102 + (uint)(i % 3)), 80))
            .ToArray();
        var random = new Random(7);
        for (int step = 0; step < 20_000; step++)
        {
            var tuple = tuples[random.Next(tuples.Length)];
            if (model.Remove(tuple))
            {
                Assert.True(table.Remove(tuple));
            }
            else if (step < 15_000 || random.Next(4) == 0)
            {
                var item = new Item(tuple);
                model.Add(tuple, item);
                table.Add(item);
            }
            else
            {
                Assert.False(table.Remove(tuple));
            }

            Assert.Equal(model.Count, table.Count);
            if (step % 97 == 0 || step >= 19_900)
            {
                foreach (var each in tuples)
                {
                    Assert.Equal(model.TryGetValue(each, out var expected), table.TryGetValue(each, out var found));
                    Assert.Same(expected, found);
                    Assert.Equal(model.ContainsKey(each), table.ContainsKey(each));
                }

                Assert.Equal(model.Values.OrderBy(i => i.Tuple.LocalPort).ThenBy(i => i.Tuple.RemoteAddress.Value), table.Values.OrderBy(i => i.Tuple.LocalPort).ThenBy(i => i.Tuple.RemoteAddress.Value));
            }
        }
    }

    [Fact]
    public void A_second_socket_of_the_same_tuple_is_refused()
    {
        var table = new ConnectionTable<Item, ItemTuple>();
        var tuple = new FourTuple(new IPv4Address(0x0A000001), 40000, new IPv4Address(0x0A000002), 80);
        table.Add(new Item(tuple));
        Assert.Throws<ArgumentException>(() => table.Add(new Item(tuple)));
        Assert.Equal(1, table.Count);
    }

    private sealed record Item(FourTuple Tuple);

    private readonly struct ItemTuple : ITupleOf<Item>
    {
        public static FourTuple Of(Item item) => item.Tuple;
    }
}
