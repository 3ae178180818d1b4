namespace TcpActors.Simulation.Tests;

/// <summary>
/// A script goes on after a call fails, as a real program that does not check errors would: the variable of a failed
/// socket(), connect() or accept() holds -1, and a closed one no descriptor, so each later call on it fails with EBADF.
/// </summary>
public sealed class FailedCallTests
{
    [Fact]
    public void Calls_on_the_socket_of_a_failed_connect_fail_with_EBADF_and_can_be_expected()
    {
        // Proves every kind of socket call on an unassigned variable returns EBADF, and that EBADF is a result expectations accept.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            apps:
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:9)
                  - send(s, 10)
                  - recv(s)
                  - setsockopt(s, nodelay)
                  - shutdown(s, SHUT_WR)
                  - connect(s, 127.0.0.1:9)
                  - close(s)
            expect:
              - { call: connect, app: client, result: ECONNREFUSED, at: 1s }
              - { call: close, app: client, result: EBADF, at: 1s }
            """;

        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));

        Assert.True(report.Passed, string.Join("; ", report.Results));
        Assert.Equal(
            ["connect ECONNREFUSED", "send EBADF", "recv EBADF", "setsockopt EBADF", "shutdown EBADF", "connect EBADF", "close EBADF"],
            report.Calls.Select(c => c.Function + " " + c.Result));
    }

    [Fact]
    public void Calls_on_a_closed_socket_fail_with_EBADF()
    {
        // Proves close() releases the descriptor: a later send, recv or close on it is EBADF (the socket actor said EINVAL).
        const string Text = """
            hosts:
              box: { loopback-only: true }
            apps:
              server:
                host: box
                script:
                  - l = socket()
                  - bind(l, 127.0.0.1:8080)
                  - listen(l)
                  - c = accept(l)
                  - recv_all(c)
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:8080)
                  - close(s)
                  - send(s, 100)
                  - recv(s)
                  - close(s)
            """;

        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));

        Assert.Equal(["connect ok", "close ok", "send EBADF", "recv EBADF", "close EBADF"], report.Calls.Where(c => c.Application == "client").Select(c => c.Function + " " + c.Result));
    }

    [Fact]
    public void A_failed_call_unbinds_the_socket_its_variable_held_before()
    {
        // Proves 's = connect()' failing on a variable that held a live socket leaves s as -1, not the old socket.
        const string Text = """
            hosts:
              box: { loopback-only: true }
            apps:
              server:
                host: box
                script:
                  - l = socket()
                  - bind(l, 127.0.0.1:8080)
                  - listen(l)
                  - c = accept(l)
                  - recv_all(c)
              client:
                host: box
                script:
                  - at 1s: s = connect(127.0.0.1:8080)
                  - s = connect(127.0.0.1:9)
                  - send(s, 100)
            """;

        var report = ScenarioRunner.Run(ScenarioLoader.Load(Text, "t.yaml", "t"));

        Assert.Equal(["connect ok", "connect ECONNREFUSED", "send EBADF"], report.Calls.Where(c => c.Application == "client").Select(c => c.Function + " " + c.Result));
    }
}
