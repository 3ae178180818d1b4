#!/usr/bin/env bash
# 43: receive-buffer autotuning (dynamic right-sizing) over a bulk transfer. The router forwards through
# tools/kernel-lab/delayline.py, 20 ms each way, serialising at 10 Mbit/s in each direction (the kernel has no
# sch_netem), so the receiver measures a round trip (tcp_rcv_rtt_measure, tcp_rcv_rtt_measure_ts), its reader
# keeps up with every segment, and tcp_rcv_space_adjust grows sk_rcvbuf (and window_clamp) round after round.
# Congestion control reno in both namespaces (the simulator's model), one segment per skb (the delay line sets
# gso_max_segs 1); everything else default (tcp_rmem 4096 131072 33554432, tcp_moderate_rcvbuf 1).
# connect() at t=1, one 1000000-byte write at t=2, close at t=5; the server reads (recv 65536) until EOF and
# closes (at most 5000 recv() calls). ss -tmi of the server every 0.1 s from t=2.05 shows rcv_rtt, rcv_space, rcv_ssthresh and rb.
source "$(dirname "$0")/../lab.sh"

run() {
  local LAB_ARGS=""
  lab_init "43-receive-autotuning" routed "rcvtune43" \
    "1000000 bytes at t=2 over a 40 ms round trip at 10 Mbit/s (delay line), reno; receive-buffer autotuning"
  lab_delay_line 20 10000 || exit 1
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=reno
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=reno
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py_reading_server "$NS_S" 5000 &
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.sendall(1000000, b"x")
d.until(5.0); s.close()
PY
  local cpid=$!
  ip netns exec "$NS_S" env LAB_T0="$LAB_T0" timeout "${LAB_PY_TIMEOUT:-300}" \
    python3 "$LAB_DRIVER" snaps "$NS_S server" "$LAB_SS" \
    2.05,2.15,2.25,2.35,2.45,2.55,2.65,2.75,2.85,2.95,3.05,3.15,3.25 -- ss -tanoim sport = :8080 &
  LAB_BG+=($!)
  wait $spid $cpid
  lab_at 5.5
  python3 "$LAB_DRIVER" snap "$NS_S server TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_S" sh -c \
    "nstat -az | grep -E 'TcpExtTCPRcvQDrop|TcpExtPruneCalled|TcpExtTCPRcvCoalesce|DelayedACKs|TcpExtTCPOFOQueue'"
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
run
