#!/usr/bin/env bash
# 18: seed 003. Server (port 8888) accept()s then sleeps without reading; client connects (bound to 40000),
# sends 523 bytes and close()s at t=1. ss: server CLOSE_WAIT with Recv-Q, client FIN_WAIT2. The client's
# FIN_WAIT2 expires (tcp_fin_timeout 60, default); at t=66 the server reads (523, then 0) and close()s:
# its FIN gets R. Loopback (as the seed) and routed. sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local topo=$1 LAB_ARGS=$1
  lab_init "18-seed003-close-wait-$topo" "$topo" "kl18${topo:0:2}" "seed 003: server sleeps 65 s without reading; client sends 523 bytes and close()s at t=1; server reads and close()s at t=66"
  if [ $topo = loopback ]; then lab_tcpdump "$NS_C" lo wire tcp port 8888; else lab_tcpdump "$NS_C" c0 wire tcp; fi
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8888)); srv.listen(10)
c = srv.accept("server")
d.until(66)
c.recv(1024)
c.recv(1024)
c.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8888))
s.send(523, b"d")
s.close()
EOF
  lab_at 2; lab_ss "$NS_C" "client"; [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server"
  lab_at 31; lab_ss "$NS_C" "client"; [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server"
  lab_at 60; lab_ss_every "$NS_C" 0.5 8 "client around fin_timeout"
  lab_at 65; lab_ss "$NS_C" "client"; [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server"
  lab_wait_jobs
  lab_at 67; lab_ss "$NS_C" "client at end"; [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run loopback; run routed; fi
