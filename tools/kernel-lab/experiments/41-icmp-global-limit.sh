#!/usr/bin/env bash
# 41: the host-wide ICMP error limit (icmp_global_allow / icmp_global_consume, per namespace: icmp_msgs_burst 50
# credits, refilled at icmp_msgs_per_sec 1000 once 20 ms have passed, each error that leaves consuming a random 0,
# 1 or 2) on top of the per-destination one (6 at once, then one a second per address). The server REJECTs TCP to
# port 8080 with icmp-port-unreachable. The client's c0 carries 100 more addresses (10.0.1.10 … 10.0.1.109); from
# each in turn it sends one SYN, as fast as it can (a burst of ~10 ms), at t=1.0 and again at t=2.0: no
# destination reaches its own limit, so every error refused is the global limit's. The capture on s0 counts the
# errors sent.
source "$(dirname "$0")/../lab.sh"

lab_init "41-icmp-global-limit" routed "probes41" \
  "100 SYNs from 100 client addresses at once, twice, to a port the server REJECTs with icmp-port-unreachable"
for i in $(seq 10 109); do ip -n "$NS_C" addr add "10.0.1.$i/24" dev c0; done
lab_note "c0: 10.0.1.10 to 10.0.1.109 added"
lab_ipt "$NS_S" -A INPUT -p tcp --dport 8080 -j REJECT --reject-with icmp-port-unreachable
lab_tcpdump "$NS_S" s0 wire "tcp or icmp"
lab_py "$NS_C" <<'PY'
import driver as d, os
for burst, t in enumerate([1.0, 2.0]):
    d.until(t)
    for i in range(10, 110):
        d.send_raw_tcp("client", "10.0.1.%d" % i, 40000 + burst, os.environ["SIP"], 8080, 1000, 0, "S", 64240)
d.until(3.0)
PY
ip netns exec "$NS_S" nstat -az 2>/dev/null | grep -E "IcmpOutDestUnreachs|IcmpOutRateLimit" | while read -r line; do lab_log "lab[$NS_S]" "nstat $line"; done
lab_ipt_counters "$NS_S"
lab_finish
lab_cleanup
