#!/usr/bin/env bash
# 27: reordering in the router. This kernel has no netem (CONFIG_NET_SCH_NETEM is not set), so the router holds
# chosen segments in user space (tools/kernel-lab/nfq_hold.py, iptables NFQUEUE on FORWARD for the client's
# packets): the original of the segment at relative sequence 17377 (the 13th) for 2 ms (variant dsack: it arrives
# while the transfer goes on) or 10 ms (variant tail: after the connection has closed), and of the one at 97017
# (the 68th of 70, two segments after it) for 3 ms; every other packet passes at once, so the segments sent after
# a held one overtake it. The holds measured (user space, late under load) are in the notes. The client sends 100000 bytes at t=2 and shuts down; the server reads everything and
# closes. Routed, GSO off on c0 (gso_max_segs 1, one segment per skb) and congestion control reno in the client
# namespace (the simulator's model; the host default is bbr, whose pacing and windows would be compared instead),
# so that what is compared is loss detection under reordering: RACK's reordering window and timer, the
# retransmissions it decides, the D-SACK that shows one spurious, the undo and the reordering the sender learns.
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 first
  case $variant in dsack) first=2 ;; tail) first=10 ;; *) echo "variant: dsack or tail" >&2; return 2 ;; esac
  local LAB_ARGS=$variant
  lab_init "27-reorder-$variant" routed "${LAB_PREFIX:-kl27}" \
    "router holds the client's segments at relative seq 17377 ($first ms) and 97017 (3 ms); client sends 100000 bytes at t=2 then SHUT_WR; reno, GSO off"
  ip -n "$NS_C" link set c0 gso_max_segs 1
  lab_note "client c0: gso_max_segs 1 (one segment per skb)"
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=reno
  ip netns exec "$NS_R" timeout 60 python3 "$LAB_DIR/nfq_hold.py" --queue 0 --hold "17377:$first" --hold 97017:3 \
    --log "$LAB_WORK/hold.log" --seconds 30 &
  LAB_BG+=($!)
  local i; for i in $(seq 1 50); do grep -q ready "$LAB_WORK/hold.log" 2>/dev/null && break; sleep 0.1; done
  lab_ipt "$NS_R" -A FORWARD -s "$CLIENT_IP" -p tcp -j NFQUEUE --queue-num 0 --queue-bypass
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py_reading_server "$NS_S" &
  local spid=$!
  lab_py_sending_client "$NS_C" 100000 &
  local cpid=$!
  wait $spid $cpid
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPTimeouts|TCPSackRecovery|TCPLossUndo|TCPSpuriousRTOs|TCPLostRetransmit|TCPFastRetrans|TCPSlowStartRetrans|TCPSACKReorder|TCPTSReorder|TCPDSACKRecv|TCPDSACKOfoRecv|TCPDSACKUndo|TCPFullUndo|TCPPartialUndo|TCPDSACKIgnored|TCPSackRecoveryFail'"
  sed 's/^/hold: /' "$LAB_WORK/hold.log" >>"$LAB_WORK/notes"
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run dsack; run tail; fi
