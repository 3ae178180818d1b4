namespace TcpActors.Simulation.Tests.Load;

public sealed class HostNameOrderTests
{
    [Fact]
    public void Hosts_are_listed_as_people_count_them()
    {
        // Proves the per-host lines of a load summary: client-2 before client-10, stems apart, unnumbered names ordinal.
        string[] names = ["server-1", "client-10", "client-2", "client-1", "box", "client-02", "client-100", "alpha9", "alpha10"];
        var sorted = names.Order(HostNameOrder.Instance).ToArray();
        Assert.Equal(["alpha9", "alpha10", "box", "client-1", "client-02", "client-2", "client-10", "client-100", "server-1"], sorted);
    }

    [Fact]
    public void A_load_report_lists_its_hosts_in_that_order()
    {
        var report = LoadRunner.Run(new LoadSettings { Clients = 12, Servers = 1, Rate = 120, Duration = Runtime.Duration.FromSeconds(1), Drain = Runtime.Duration.FromSeconds(1) });
        var clients = report.PeakPortsInUseByHost.Keys.ToArray();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"client-{i}"), clients);
    }
}
