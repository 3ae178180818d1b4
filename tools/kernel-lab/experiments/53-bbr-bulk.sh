#!/usr/bin/env bash
# 53: BBR over a bottleneck (net/ipv4/tcp_bbr.c): STARTUP, DRAIN, PROBE_BW's gain cycle and an idle restart. The
# router forwards through tools/kernel-lab/delayline.py, 10 ms each way, serialising at 10 Mbit/s in each direction
# (a 20 ms round trip, a BDP of about 17 segments); one segment per skb (the delay line sets gso_max_segs 1).
# Congestion control bbr (the namespaces' default here; set explicitly), everything else default. connect() at
# t=1, one 3000000-byte write at t=2 (about 2.4 s at the bottleneck), then after an idle second one 300000-byte
# write at t=6, close at t=8; the server reads (recv 65536) until EOF and closes. ss -tanoi of the client every
# 50 ms from t=2.0 to t=5.0, and every 50 ms from t=5.95 to t=6.5, shows cwnd, pacing_rate and bbr:(bw, mrtt,
# pacing_gain, cwnd_gain). (PROBE_RTT, 10 s after the last min_rtt refresh, is not reached.)
source "$(dirname "$0")/../lab.sh"

run() {
  local LAB_ARGS=""
  lab_init "53-bbr-bulk" routed "kb53" \
    "3000000 bytes at t=2 and 300000 at t=6 over a 20 ms round trip at 10 Mbit/s (delay line), bbr; ss -tanoi every 50 ms"
  lab_delay_line 10 10000 || exit 1
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=bbr
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=bbr
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py_reading_server "$NS_S" 20000 &
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.sendall(3000000, b"x")
d.until(6.0); s.sendall(300000, b"y")
d.until(8.0); s.close()
PY
  local cpid=$!
  local times
  times=$(python3 -c "print(','.join(['%.2f' % (2.0 + 0.05 * i) for i in range(61)] + ['%.2f' % (5.95 + 0.05 * i) for i in range(12)]))")
  ip netns exec "$NS_C" env LAB_T0="$LAB_T0" timeout "${LAB_PY_TIMEOUT:-300}" \
    python3 "$LAB_DRIVER" snaps "$NS_C client" "$LAB_SS" "$times" -- ss -tanoi sport = :40000 &
  LAB_BG+=($!)
  wait $spid $cpid
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
run
