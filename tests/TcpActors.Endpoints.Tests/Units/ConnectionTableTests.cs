using TcpActors.Network;

namespace TcpActors.Endpoints.Tests.Units;

/// <summary>The established hash: open addressing with backward-shift removal must behave as a map under any order of adds and removes.</summary>
public sealed class ConnectionTableTests
{
    [Fact]
    public void Agrees_with_a_dictionary_through_adds_removes_collisions_and_growth()
    {
        // Proves Find, Add, Remove and Count agree with Dictionary through 20,000 seeded operations over few enough
        // tuples (one address pair, 600 ports) that runs of occupied slots form and wrap, the table grows several
        // times, and removals in the middle of a run must shift later entries back for them to stay findable.
        var sockets = Enumerable.Range(0, 600).Select(_ => new object()).ToArray();
        var table = new ConnectionTable<object>();
        var model = new Dictionary<FourTuple, object>();
        var random = new Random(1234);
        for (int step = 0; step < 20_000; step++)
        {
            int port = random.Next(600);
            var tuple = Tuple(port);
            if (model.TryGetValue(tuple, out var present))
            {
                Assert.True(table.Remove(tuple, present));
                model.Remove(tuple);
            }
            else
            {
                table.Add(tuple, sockets[port]);
                model.Add(tuple, sockets[port]);
            }

            if (step % 97 == 0)
            {
                for (int p = 0; p < 600; p++)
                {
                    Assert.Same(model.GetValueOrDefault(Tuple(p)), table.Find(Tuple(p)));
                }
            }

            Assert.Equal(model.Count, table.Count);
        }

        Assert.Equal(model.Values.ToHashSet(), table.Sockets().ToHashSet());
    }

    [Fact]
    public void Removes_only_the_socket_it_is_asked_to_and_refuses_a_second_add()
    {
        // Proves RemoveConnection's rule (a tuple now owned by another socket stays) and that a duplicate add throws.
        object[] sockets = [new(), new()];
        var table = new ConnectionTable<object>();
        table.Add(Tuple(1), sockets[0]);
        Assert.False(table.Remove(Tuple(1), sockets[1]));
        Assert.Same(sockets[0], table.Find(Tuple(1)));
        Assert.Throws<ArgumentException>(() => table.Add(Tuple(1), sockets[1]));
        Assert.False(table.Remove(Tuple(2), sockets[0]));
        Assert.True(table.Remove(Tuple(1), sockets[0]));
        Assert.Null(table.Find(Tuple(1)));
        Assert.Equal(0, table.Count);
    }

    private static FourTuple Tuple(int port) =>
        new(IPv4Address.Parse("10.0.0.1"), (ushort)(10_000 + port), IPv4Address.Parse("10.0.0.2"), 80);
}
