#!/usr/bin/env bash
# 26: loss recovery after a short partition. The router drops everything (FORWARD) from t=1.9 to t=2.6; the
# client sends 65536 bytes at t=2 and shuts down its side; the server reads everything and closes. Routed,
# GSO off on the client's c0 (gso_max_segs 1, one segment per skb) and congestion control reno in the client
# namespace (the simulator's model; the host default is bbr), so that what is compared is loss recovery:
# the tail loss probe, the RTO, and how the segments lost in the partition are retransmitted after it.
source "$(dirname "$0")/../lab.sh"

run() {
  local LAB_ARGS=""
  lab_init "26-partition-recovery" routed "kl26" \
    "partition 1.9-2.6 s (router FORWARD DROP); client sends 65536 bytes at t=2 then SHUT_WR; reno, GSO off"
  ip -n "$NS_C" link set c0 gso_max_segs 1
  lab_note "client c0: gso_max_segs 1 (one segment per skb)"
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=reno
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py_reading_server "$NS_S" &
  local spid=$!
  lab_py_sending_client "$NS_C" 65536 &
  local cpid=$!
  lab_at 1.9; lab_ipt "$NS_R" -I FORWARD -j DROP
  lab_at 2.6; lab_ipt "$NS_R" -D FORWARD -j DROP
  wait $spid $cpid
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPTimeouts|TCPSackRecovery|TCPLossUndo|TCPSpuriousRTOs|TCPLostRetransmit|TCPFastRetrans|TCPSlowStartRetrans'"
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
run
