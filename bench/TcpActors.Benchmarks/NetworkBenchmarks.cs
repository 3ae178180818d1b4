using BenchmarkDotNet.Attributes;
using TcpActors.Network;
using TcpActors.Runtime;

namespace TcpActors.Benchmarks;

/// <summary>
/// Segment forwarding across host → link → host (and through a router): what one segment costs the
/// network layer (output hooks, link serialisation and delay, arrival, input hooks, delivery).
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmarks
{
    private const int Segments = 200_000;

    [Params(false, true)]
    public bool ThroughRouter { get; set; }

    [Benchmark(OperationsPerInvoke = Segments)]
    public long Forward()
    {
        var system = ActorSystem.Create("bench");
        var builder = new TopologyBuilder(system)
            .AddHost("a", h => h.Address("10.0.1.2/24"))
            .AddHost("b", h => h.Address("10.0.2.2/24"));
        if (ThroughRouter)
        {
            builder.AddRouter("r").Connect("a", "r", new LinkSettings(Duration.FromMicroseconds(10), 10_000_000_000)).Connect("r", "b", new LinkSettings(Duration.FromMicroseconds(10), 10_000_000_000));
        }
        else
        {
            builder.Connect("a", "b", new LinkSettings(Duration.FromMicroseconds(10), 10_000_000_000));
        }

        var topology = builder.Build();
        var sink = new CountingTransport();
        topology["b"].Transport = sink;
        var segment = new Segment
        {
            Source = IPv4Address.Parse("10.0.1.2"),
            Destination = IPv4Address.Parse("10.0.2.2"),
            SourcePort = 40000,
            DestinationPort = 80,
            Flags = TcpFlags.Ack | TcpFlags.Psh,
            PayloadLength = 100,
        };
        var a = topology["a"];
        for (int i = 0; i < Segments; i++)
        {
            a.Output(segment);
            if ((i & 1023) == 1023)
            {
                system.RunUntilIdle();
            }
        }

        system.RunUntilIdle();
        return sink.Count;
    }

    private sealed class CountingTransport : ITransportProtocol
    {
        public long Count { get; private set; }

        public void Deliver(Packet packet, NetworkInterface arrivedOn) => Count++;
    }
}
