namespace TcpActors.Simulation.Tests;

/// <summary>
/// Bad scenario texts give one message that starts with <c>file:line:col</c> and says what is wrong;
/// the column points at the offending word (for iptables and tc lines, the bad word inside the line).
/// </summary>
public sealed class LoaderErrorTests
{
    public static TheoryData<string, string, string?> Cases => new()
    {
        { "unknown key", "nme: x\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:1:1: unknown key 'nme' in the scenario (expected one of: name, description, seeds, behaviours, seed, duration, hosts, links, apps, chaos, snapshots, capture, expect, workload)" },
        { "wrong type", "seed: many\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:1:7: seed must be an integer, not 'many'" },
        { "hosts not a mapping", "hosts: [a, b]\n", "bad.yaml:1:8: hosts must be a mapping of host names to their settings (at least one host)" },
        { "bad duration", "duration: 10 parsecs\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:1:11: duration must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not '10 parsecs'" },
        { "bad step time", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - at soon: close(s)\n", "bad.yaml:10:12: the step time must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not 'soon'" },
        { "unknown host", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: boxx\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:5:11: no host named 'boxx' (hosts: box)" },
        { "unknown function", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - frobnicate(s)\n", "bad.yaml:10:9: unknown function 'frobnicate' (expected one of: socket, setsockopt, bind, listen, accept, connect, send, recv, recv_all, shutdown, close, sleep)" },
        { "wrong argument count", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - bind(s)\n", "bad.yaml:10:13: bind takes 2 argument(s); usage: bind(s, ADDRESS:PORT)" },
        { "undefined socket variable", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - close(t)\n", "bad.yaml:10:15: no socket named 't' yet (sockets: s)" },
        { "bad address", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - c = connect(127.0.0.300:80)\n", "bad.yaml:10:21: '127.0.0.300:80' is not ADDRESS:PORT (e.g. 127.0.0.1:60000 or 0.0.0.0:8080)" },
        { "bad host address", "hosts:\n  box: { addresses: 10.0.0.256/24 }\n", "bad.yaml:2:21: '10.0.0.256/24' is not an IPv4 address or address/prefix-length (e.g. 10.0.0.1/24)" },
        { "unknown socket option", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - t = socket(lingerr=1)\n", "bad.yaml:10:20: unknown socket option 'lingerr' (expected reuseaddr, reuseport, nodelay, keepalive, linger=N|off, keepidle=S, keepintvl=S, keepcnt=N, syncnt=N, linger2=S, rcvbuf=B, sndbuf=B, user_timeout=D, max_pacing_rate=B/s, congestion=NAME)" },
        { "bad max_pacing_rate", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - setsockopt(s, max_pacing_rate=1mbit)\n", "bad.yaml:10:23: max_pacing_rate is a rate in bytes a second (a whole number, e.g. max_pacing_rate=1000000) or 'unlimited', not '1mbit'" },
        { "negative max_pacing_rate", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket(max_pacing_rate=-1)\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:7:20: max_pacing_rate is a rate in bytes a second (a whole number, e.g. max_pacing_rate=1000000) or 'unlimited', not '-1'" },
        { "unknown congestion control", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - t = socket(congestion=vegas)\n", "bad.yaml:10:20: unknown congestion control 'vegas' (available: reno cubic bbr)" },
        { "bad shutdown mode", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - shutdown(s, SHUT_UP)\n", "bad.yaml:10:21: expected SHUT_RD, SHUT_WR or SHUT_RDWR, not 'SHUT_UP'" },
        { "steps out of order", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - at 0.5s: recv(s)\n      - at 0.2s: close(s)\n", "bad.yaml:11:9: 'at 200ms' is earlier than the previous step's 'at 500ms' (steps run in order)" },
        { "bad iptables target", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nchaos:\n  - { at: 1s, iptables: -A INPUT -p tcp --dport 80 -j DORP }\n", "bad.yaml:11:55: Chain 'DORP' does not exist (expected ACCEPT, DROP, REJECT or RETURN; user-defined chains are not modelled)" },
        { "bad iptables option, quoted", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nchaos:\n  - { at: 1s, iptables: \"-A INPUT -p tcp --dprt 80 -j DROP\" }\n", "bad.yaml:11:42: unknown option \"--dprt\"" },
        { "bad tc value", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nchaos:\n  - { at: 1s, tc: qdisc add dev lo root netem delay fast }\n", "bad.yaml:11:53: Illegal \"latency\" (expected a time such as 20ms, 1.5s or 100us, got \"fast\")" },
        { "chaos step without a kind", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nchaos:\n  - { at: 1s }\n", "bad.yaml:11:5: a chaos step has exactly one of: iptables, tc, partition, heal, isolate, link-down, link-up" },
        { "bad pattern", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - segments: \">S <S. >X\"\n", "bad.yaml:11:24: expected TCP flags as tcpdump prints them (S, S., ., P., F., R, R.) in '>X'" },
        { "bad pattern marker", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - segments: \">S(retransmitted)\"\n", "bad.yaml:11:18: unknown marker '(retransmitted)' (expected (retx), (new), (dup), (nodup), (len=N), (seq=N) or (ack=N))" },
        { "bad repetition", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - segments: \">S{2,1}\"\n", "bad.yaml:11:18: bad repetition in '>S{2,1}' (the maximum must be a number not below the minimum)" },
        { "bad sysctl value", "hosts:\n  box: { loopback-only: true, sysctls: { net.ipv4.tcp_fin_timeout: soon } }\n", "bad.yaml:2:68: net.ipv4.tcp_fin_timeout: 'soon' is not an integer" },
        { "unknown sysctl", "hosts:\n  box: { loopback-only: true, sysctls: { net.ipv4.tcp_fun: 1 } }\n", "bad.yaml:2:60: unknown sysctl 'net.ipv4.tcp_fun' (see `tcpactors sysctls` for the supported ones)" },
        { "bad address pattern", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { state: ESTABLISHED, host: box, at: 1s, local: \"127.0.0.1\" }\n", "bad.yaml:11:53: local must be ADDRESS:PORT with '*' for any part and a port from 1 to 65535 (e.g. 127.0.0.1:60000, *:60000), not '127.0.0.1'" },
        { "unknown state", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { state: HALF-OPEN, host: box, at: 1s }\n", "bad.yaml:11:14: unknown TCP state 'HALF-OPEN' (e.g. ESTABLISHED, TIME-WAIT, FIN_WAIT2, CLOSE-WAIT, SYN-RECV, LISTEN; 'none' for no socket)" },
        { "call never made", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { call: connect, app: server, result: ok }\n", "bad.yaml:11:13: application 'server' never calls connect()" },
        { "bad call result", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { call: listen, app: server, result: EWHATEVER }\n", "bad.yaml:11:42: result must be ok, eof, a byte count, 'N bytes then eof' (recv_all), or an errno name such as ECONNREFUSED, ETIMEDOUT, ECONNRESET, EPIPE, EADDRINUSE, EADDRNOTAVAIL; not 'EWHATEVER'" },
        { "unknown counter", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { counter: Nope, host: box, equals: 1 }\n", null },
        { "empty trace text", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { trace: \"\" }\n", "bad.yaml:11:14: trace needs the text a tcpdump line must contain, e.g. 'Flags [F.], seq 101, ack 51'" },
        { "workload with hosts", "hosts:\n  box: { loopback-only: true }\nworkload:\n  rate: 10\n", "bad.yaml:2:3: 'hosts' does not go with 'workload' (a workload declares its clients, servers, duration and chaos itself)" },
        { "workload with rate and concurrency", "workload:\n  rate: 10\n  concurrency: 5\n", "bad.yaml:2:3: a workload has either 'rate' (connections per second) or 'concurrency' (connections in flight)" },
        { "workload bad rate", "workload:\n  rate: lots\n", "bad.yaml:2:9: rate must be a positive number of connections per second, not 'lots'" },
        { "workload bad close", "workload:\n  rate: 10\n  close: both\n", "bad.yaml:3:10: close must be one of: client, server; not 'both'" },
        { "loopback workload with server sysctls", "workload:\n  rate: 10\n  loopback: true\n  server-sysctls:\n    net.core.somaxconn: 10\n", "bad.yaml:5:5: 'server-sysctls' does not apply to a loopback workload (one host): put the settings under 'sysctls'" },
        { "workload duration zero", "workload:\n  rate: 10\n  duration: 0\n", "bad.yaml:3:13: duration must be positive: the load runs that long (drain: 0 is how to stop at once afterwards)" },
        { "loopback workload with a link delay", "workload:\n  rate: 10\n  loopback: true\n  link-delay: 1ms\n", "bad.yaml:4:15: 'link-delay' does not apply to a loopback workload (one host, no links; use netem: \"delay …\" to delay lo)" },
        { "a load figure of an unknown errno", "workload:\n  rate: 10\nexpect:\n  - { load: failed.EFOO, equals: 0 }\n", "bad.yaml:4:13: 'EFOO' in 'failed.EFOO' is not an errno name (e.g. failed.EADDRNOTAVAIL, failed.ECONNREFUSED, failed.ETIMEDOUT)" },
        { "a load figure of a host the run lacks", "workload:\n  rate: 10\n  clients: 3\nexpect:\n  - { load: peak-time-wait.client-4, at-most: 0 }\n", "bad.yaml:5:13: no host named 'client-4' in 'peak-time-wait.client-4' (hosts: client-1..client-3, server-1, switch)" },
        { "a load figure of a server on loopback", "workload:\n  rate: 10\n  loopback: true\nexpect:\n  - { load: final-time-wait.server-1, equals: 0 }\n", "bad.yaml:5:13: no host named 'server-1' in 'final-time-wait.server-1' (a loopback run has one host, client-1)" },
        { "arrival with concurrency", "workload:\n  concurrency: 5\n  arrival: poisson\n", "bad.yaml:3:12: arrival shapes an open loop (rate); with concurrency a connection starts when another ends" },
        { "a think time never used", "workload:\n  rate: 5\n  think-time: 10ms\n", "bad.yaml:3:15: think-time is the pause between requests on a connection (requests-per-connection above 1) or before a closed loop reconnects (concurrency); with one request per connection at a rate it would never be used" },
        { "loopback not a boolean", "workload:\n  rate: 10\n  loopback: sometimes\n", "bad.yaml:3:13: loopback must be true or false, not 'sometimes'" },
        { "workload bad size", "workload:\n  rate: 10\n  request-bytes: big\n", "bad.yaml:3:18: 'big' is not a byte count like 100, 100-2000 or exp:500, from 1 to 2147483647 (a request or response has at least one byte)" },
        { "workload unknown key", "workload:\n  rate: 10\n  clinets: 5\n", null },
        { "unknown load figure", "workload:\n  rate: 10\nexpect:\n  - { load: happiness, equals: 1 }\n", null },
        { "unknown expectation", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { weather: sunny }\n", "bad.yaml:11:5: an expectation starts with one of: state, call, segments, counter, trace" },
        { "behaviour out of range", "behaviours: [23]\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n", "bad.yaml:1:14: behaviours are the numbers 1-22 of DESIGN.md, not '23'" },
        { "not YAML", "hosts: [1, 2\n", null },
        { "empty file", "", "bad.yaml:1:1: the file is empty" },
        { "invalid host name", "hosts:\n  box: {}\n  -box: {}\n", "bad.yaml:3:3: invalid host name '-box': use letters, digits, '-', '_' and '.', starting with a letter or digit" },
        { "link to itself", "hosts:\n  a: {}\nlinks:\n  - [a, a]\n", "bad.yaml:4:9: a link joins two different hosts, not 'a' to itself (it has a loopback)" },
        { "link step naming a host", "hosts:\n  a: {}\n  b: {}\nlinks:\n  - [a, b]\nchaos:\n  - { at: 1s, link-down: a }\n", "bad.yaml:7:26: link-down names no link: 'a' (name a link by its two hosts, as in 'client server'; links: a b)" },
        { "link step naming hosts not linked", "hosts:\n  a: {}\n  b: {}\n  c: {}\nlinks:\n  - [a, b]\n  - [b, c]\nchaos:\n  - { at: 1s, link-up: a c }\n", "bad.yaml:9:24: link-up names no link: 'a c' (name a link by its two hosts, as in 'client server'; links: a b, b c)" },
        { "link step without links", "hosts:\n  a: {}\nchaos:\n  - { at: 1s, link-down: a-b }\n", "bad.yaml:4:26: link-down names no link: 'a-b' (name a link by its two hosts, as in 'client server'; this scenario has no links)" },
        { "nested too deep", "hosts:\n  box: {}\nname: " + new string('[', 70) + new string(']', 70) + "\n", "bad.yaml:3:70: nested more than 64 levels deep (mappings and lists inside each other)" },
        { "a NUL character", "hosts:\n  box: {}\nna\0me: x\n", "bad.yaml:3:3: a NUL character: this looks like a binary file, not a scenario (YAML text) ('na\\0')" },
        { "a line break and an escape in a value", "seed: \"1\\n2\\u001b[0m\"\nhosts:\n  box: {}\n", "bad.yaml:1:7: seed must be an integer, not '1\\n2\\u001b[0m'" },
        { "a long value", "seed: " + new string('7', 100) + "x\nhosts:\n  box: {}\n", "bad.yaml:1:7: seed must be an integer, not '" + new string('7', 60) + "...' (101 characters)" },
        { "gso_max_segs out of range", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\nlinks:\n  - { between: [a, b], gso_max_segs: 0 }\n", "bad.yaml:5:38: gso_max_segs must be between 1 and 65535, not 0" },
        { "a snapshot's info not a boolean", "hosts:\n  box: {}\nsnapshots:\n  - { at: 1s, info: maybe }\n", "bad.yaml:4:21: info must be true or false, not 'maybe'" },
        { "a link's netem that tc refuses", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\nlinks:\n  - { between: [a, b], netem: loss 300% }\n", "bad.yaml:5:36: Illegal \"loss percent\" (expected a percentage from 0% to 100%, got \"300%\")" },
        { "an unclosed flow mapping", "a: {b\nc: d\n", null },
        { "a host address with an octal-looking part", "hosts:\n  a: { addresses: 010.0.0.1/24 }\n", "bad.yaml:2:19: '010.0.0.1/24' has a leading zero in '010', which iptables and inet_aton read as octal: write the address without leading zeros" },
        { "a bind address with an octal-looking part", "hosts:\n  box: {}\napps:\n  a: { host: box, script: [ 's = socket()', 'bind(s, 127.0.0.010:80)' ] }\n", "bad.yaml:4:54: '127.0.0.010:80' has a leading zero in '010', which iptables and inet_aton read as octal: write the address without leading zeros" },
        { "a pattern with port 0", "hosts:\n  box: {}\nexpect:\n  - { state: TIME-WAIT, host: box, at: 1s, local: \"127.0.0.1:0000\" }\n", "bad.yaml:4:51: local must be ADDRESS:PORT with '*' for any part and a port from 1 to 65535 (e.g. 127.0.0.1:60000, *:60000), not '127.0.0.1:0000'" },
        { "a seed past 64 bits", "seed: 18446744073709551616\nhosts:\n  box: {}\n", "bad.yaml:1:7: seed must be between 0 and 18446744073709551615, not '18446744073709551616'" },
        { "a queue past 64 bits", "hosts:\n  a: {}\n  b: {}\nlinks:\n  - { between: [a, b], queue: 99999999999999999999 }\n", "bad.yaml:5:31: queue must be between 1 and 1000000, not '99999999999999999999'" },
        { "an application name with a space", "hosts:\n  box: {}\napps:\n  'a b': { host: box, script: [ 's = socket()' ] }\n", "bad.yaml:4:3: invalid application name 'a b': use letters, digits, '-', '_' and '.', starting with a letter or digit" },
        { "an empty script", "hosts:\n  box: {}\napps:\n  a: { host: box, script: [] }\n", "bad.yaml:4:27: application 'a' has an empty script (give it at least one step, or leave the application out)" },
        { "a snapshot after the duration", "duration: 5s\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nsnapshots: [{ at: 10s }]\n", "bad.yaml:11:13: the snapshot's at 10s is after the end of the run (duration: 5s): it would never happen" },
        { "a chaos step after the duration", "duration: 5s\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nchaos:\n  - { at: 5.5s, iptables: -A INPUT -j DROP }\n", "bad.yaml:12:27: the chaos step's at 5.5s is after the end of the run (duration: 5s): it would never happen" },
        { "a script step after the duration", "duration: 5s\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - at 6s: close(s)\n", "bad.yaml:11:9: the step time 6s is after the end of the run (duration: 5s): it would never happen" },
        { "an expectation after the duration", "duration: 5s\nhosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { state: none, host: box, at: 1m }\n", "bad.yaml:12:5: the expectation's at 60s is after the end of the run (duration: 5s): it would never happen" },
        { "a comma in an unquoted flow value", "hosts:\n  box: {}\nchaos:\n  - { at: 1s, iptables: -A INPUT -p tcp --tcp-flags SYN,ACK SYN -j DROP }\n", "bad.yaml:4:57: unknown key 'ACK SYN -j DROP' in a chaos step (expected one of: at, host, iptables, tc, partition, heal, isolate, link-down, link-up); inside { } a ',' ends the value before it: quote a value that holds a comma" },
        { "a duration's parts that overflow", "duration: 10000d10000d10000d10000d10000d10000d10000d10000d10000d10000d10000d10000d\nhosts:\n  box: {}\n", "bad.yaml:1:11: duration must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not '10000d10000d10000d10000d10000d10000d10000d10000d10000d10000d...' (72 characters)" },
        { "a duration's unit given twice", "duration: 1s1s\nhosts:\n  box: {}\n", "bad.yaml:1:11: duration must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not '1s1s'" },
        { "a duration's units out of order", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - at 1m1h: close(s)\n", "bad.yaml:10:12: the step time must be a duration like 200ms, 1.5s, 60s, 2m or 2h11m15s, not '1m1h'" },
        { "an empty name", "name: ''\nhosts:\n  box: {}\n", "bad.yaml:1:7: name must not be empty (leave it out to use the file's name)" },
        { "loopback-only with addresses", "hosts:\n  a: { addresses: 10.0.0.1/24, loopback-only: true }\n", "bad.yaml:2:47: host 'a' is loopback-only (lo and 127.0.0.1 only): it cannot have addresses too" },
        { "a loopback-only host linked", "hosts:\n  a: { loopback-only: true }\n  b: { addresses: 10.0.0.1/24 }\nlinks:\n  - [a, b]\n", "bad.yaml:5:5: host 'a' is loopback-only (lo and 127.0.0.1 only): it cannot be linked" },
        { "an unknown escape in a string", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - c = accept(s)\n      - send(c, \"GET \\x41\")\n", "bad.yaml:11:22: unknown escape '\\x' in a string (write \\n, \\r, \\t, \\\\ or \\\")" },
        { "a partition with an empty group", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\n  c: { addresses: 10.0.0.3/24 }\nlinks:\n  - [a, b]\n  - [b, c]\nchaos:\n  - { at: 1s, partition: [[a], []] }\n", "bad.yaml:9:26: each group of a partition names at least one host, as in [[client], [server]], not '[a] []'" },
        { "heal with a value", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\n  c: { addresses: 10.0.0.3/24 }\nlinks:\n  - [a, b]\n  - [b, c]\nchaos:\n  - { at: 1s, heal: b }\n", "bad.yaml:9:21: heal takes no value (write heal: \"\"): it undoes every partition and isolation, not 'b'" },
        { "isolate with two hosts", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\n  c: { addresses: 10.0.0.3/24 }\nlinks:\n  - [a, b]\n  - [b, c]\nchaos:\n  - { at: 1s, isolate: [a, b] }\n", "bad.yaml:9:24: isolate names one host, not 'a b' (one isolate step per host)" },
        { "host on a step that names its hosts", "hosts:\n  a: { addresses: 10.0.0.1/24 }\n  b: { addresses: 10.0.0.2/24 }\n  c: { addresses: 10.0.0.3/24 }\nlinks:\n  - [a, b]\n  - [b, c]\nchaos:\n  - { at: 1s, host: a, partition: [[a], [b]] }\n", "bad.yaml:9:21: 'host' goes with iptables and tc steps only (a partition names its two groups of hosts)" },
        { "recv-q of no connection", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { state: none, host: box, at: 1s, recv-q: 1 }\n", "bad.yaml:11:47: recv-q does not go with state none: no connection is there to measure" },
        { "tolerance without at", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { call: listen, app: server, result: ok, tolerance: 1ms }\n", "bad.yaml:11:57: tolerance goes with 'at' (how far from that time the call may return)" },
        { "recv_all's result on recv", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\n      - c = accept(s)\n      - recv(c)\nexpect:\n  - { call: recv, app: server, result: 100 bytes then eof }\n", "bad.yaml:13:40: recv() returns a byte count, eof or an errno name, not '100 bytes then eof' ('N bytes then eof' is what recv_all returns)" },
        { "a byte count from listen", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - { call: listen, app: server, result: 100 }\n", "bad.yaml:11:42: listen() returns ok or an errno name, not '100'" },
        { "contradicting pattern markers", "hosts:\n  box: { loopback-only: true }\napps:\n  server:\n    host: box\n    script:\n      - s = socket()\n      - bind(s, 127.0.0.1:8080)\n      - listen(s, 10)\nexpect:\n  - segments: \">S(retx)(new)\"\n", "bad.yaml:11:24: '(new)' contradicts or repeats an earlier marker in '>S(retx)(new)' (one of (retx)/(new), one of (dup)/(nodup), and len, seq, ack once each)" },
        { "an empty complex key", "? :\n  ", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_scenario_gives_the_exact_message(string what, string text, string? expected)
    {
        // Proves the loader rejects the text with a located message (the exact one where the table gives it).
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(text, "bad.yaml", "bad"));
        if (expected is null)
        {
            Assert.Matches(@"^bad\.yaml:\d+:\d+: \S", error.Message);
        }
        else
        {
            Assert.Equal(expected, error.Message);
        }

        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(what));
    }

    [Fact]
    public void A_file_that_is_not_UTF_8_is_refused_at_the_first_bad_byte()
    {
        // Proves a Latin-1 byte is bad input at its line and column (it was read as U+FFFD), while a UTF-8 BOM is fine.
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tcpactors-latin1-{Environment.ProcessId}.yaml");
        try
        {
            File.WriteAllBytes(path, [.. "hosts:\n  box: {}\ndescription: caf"u8, 0xE9, (byte)'\n']);
            var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadFile(path));
            Assert.Equal($"{path}:3:17: not UTF-8 text: byte 0xE9 does not belong here (a scenario file is UTF-8; save it as UTF-8)", error.Message);

            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "hosts:\n  box: {}\ndescription: caf\u00e9\n"u8]);
            Assert.Equal("caf\u00e9", ScenarioLoader.LoadFile(path).Description);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_built_in_scenario_loads_from_its_file_too()
    {
        // Proves the files under scenarios/ and the embedded copies agree (the CLI can run either).
        string directory = System.IO.Path.Combine(RepositoryRoot(), "scenarios");
        var files = Directory.GetFiles(directory, "*.yaml").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(BuiltInScenarios.Names, files);
        foreach (var file in Directory.GetFiles(directory, "*.yaml"))
        {
            var scenario = ScenarioLoader.LoadFile(file);
            Assert.Equal(System.IO.Path.GetFileNameWithoutExtension(file), scenario.Name);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file)!, "..", ".."));
}
