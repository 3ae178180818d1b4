namespace TcpActors.Simulation.Tests;

/// <summary>
/// Runs made for the duplicate-ACK comparison with tshark, beside the built-in library: the library has no
/// SACK holes, no reordering and no zero window, and these are where receivers send duplicate ACKs.
/// </summary>
internal static class DuplicateAckRuns
{
    /// <summary>
    /// Lost data with SACK holes: the router drops every fourth full-sized segment of the client's first
    /// flight (three of ten: 1449:2897, 7241:8689 and the last), the server answers each segment beyond a
    /// hole with an ACK carrying SACK blocks, the client's fast retransmissions and loss probe fill the holes.
    /// The first three of those ACKs offer a larger window each (held data grows rcv_ssthresh with SACK, as
    /// in tests/reference/kernel/35-out-of-order-window.txt: 67, 70, 73, 75), so only the last three repeat
    /// the previous ACK and window: duplicate ACKs. GSO is off on the client's link (gso_max_segs 1): the rule counts
    /// segments, and a GSO packet would be one packet to it.
    /// </summary>
    public const string SackHoles = """
        name: sack-holes
        description: Three segments of a 14000-byte write are lost; the server's duplicate ACKs carry SACK blocks until the retransmissions fill the holes.
        duration: 4s
        hosts:
          client: { addresses: 10.0.1.2/24 }
          router: { addresses: [10.0.1.1/24, 10.0.2.1/24], forward: true }
          server: { addresses: 10.0.2.2/24 }
        links:
          - { between: [client, router], delay: 5ms, gso_max_segs: 1 }
          - { between: [router, server], delay: 5ms }
        capture: { host: server }
        apps:
          server:
            host: server
            script:
              - s = socket()
              - bind(s, 10.0.2.2:8080)
              - listen(s, 8)
              - c = accept(s)
              - recv_all(c)
              - close(c)
          client:
            host: client
            script:
              - at 1s: s = connect(10.0.2.2:8080)
              - send(s, 14000)
              - at 3s: close(s)
        chaos:
          - { at: 1s, host: router, iptables: -A FORWARD -s 10.0.1.2 -p tcp -m length --length 1000:65535 -m statistic --mode nth --every 4 --packet 1 -j DROP }
          - { at: 1.03s, host: router, iptables: -D FORWARD -s 10.0.1.2 -p tcp -m length --length 1000:65535 -m statistic --mode nth --every 4 --packet 1 -j DROP }
        expect:
          - segments: ">S <S. >. >. <.(nodup) >. <.(nodup) >. <.(nodup) >. <.(nodup) >. <.(dup) >. <.(dup) >. <.(dup) >.(retx) <.(nodup) >.(retx) <.(nodup) >P. <.(nodup) >F. <F. >."
          - { call: recv_all, app: server, result: 14000 bytes then eof }
        """;

    /// <summary>
    /// Reordering: netem on the client's interface sends a quarter of its segments ahead of the 10 ms
    /// queue; every segment that overtakes another reaches the server beyond a hole and draws a duplicate ACK. GSO
    /// is off (gso_max_segs 1) so that netem chooses among segments, not GSO packets.
    /// </summary>
    public const string Reordering = """
        name: reordering
        description: netem reorders a quarter of the client's segments; the server answers each one that arrives beyond a hole with a duplicate ACK.
        duration: 6s
        seed: 3
        hosts:
          client: { addresses: 10.0.1.2/24 }
          server: { addresses: 10.0.1.3/24 }
        links:
          - { between: [client, server], gso_max_segs: 1 }
        capture: { host: server }
        apps:
          server:
            host: server
            script:
              - s = socket()
              - bind(s, 10.0.1.3:8080)
              - listen(s, 8)
              - c = accept(s)
              - recv_all(c)
              - close(c)
          client:
            host: client
            script:
              - at 1s: s = connect(10.0.1.3:8080)
              - send(s, 60000)
              - at 5s: close(s)
        chaos:
          - { at: 0s, host: client, tc: qdisc add dev eth0 root netem delay 10ms reorder 25% 50% }
        expect:
          - { call: recv_all, app: server, result: 60000 bytes then eof }
        """;

    /// <summary>
    /// A zero window: the server's 4 KB buffer fills while it does not read; it answers the client's window
    /// probes with ACKs that repeat ack and window 0 until the read at 6 s opens the window.
    /// </summary>
    public const string ZeroWindow = """
        name: zero-window
        description: A server that does not read fills its 4 KB buffer; its answers to the client's window probes repeat a zero window.
        duration: 8s
        hosts:
          client: { addresses: 10.0.1.2/24 }
          server: { addresses: 10.0.1.3/24 }
        links:
          - { between: [client, server], delay: 1ms }
        capture: { host: server }
        apps:
          server:
            host: server
            script:
              - s = socket(rcvbuf=4096)
              - bind(s, 10.0.1.3:8080)
              - listen(s, 8)
              - c = accept(s)
              - at 6s: recv_all(c)
          client:
            host: client
            script:
              - at 1s: s = connect(10.0.1.3:8080)
              - send(s, 30000)
              - at 7s: close(s)
        expect:
          - { call: recv_all, app: server, result: 30000 bytes then eof }
        """;

    /// <summary>A built-in scenario by name, or one of the runs above.</summary>
    public static Scenario Load(string name) => name switch
    {
        "sack-holes" => ScenarioLoader.Load(SackHoles, "sack-holes.yaml", name),
        "reordering" => ScenarioLoader.Load(Reordering, "reordering.yaml", name),
        "zero-window" => ScenarioLoader.Load(ZeroWindow, "zero-window.yaml", name),
        _ => BuiltInScenarios.Load(name),
    };
}
