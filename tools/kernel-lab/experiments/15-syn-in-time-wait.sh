#!/usr/bin/env bash
# 15: SYN in TIME_WAIT. The server close()s first at t=2 (server TIME_WAIT after the client's close at t=2.5);
# at t=4 the client binds the same port 40000 again and connect()s: the SYN hits the server's TIME_WAIT.
# Variants: "ts" (defaults, timestamps on) and "nots" (net.ipv4.tcp_timestamps=0 in the client ns).
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  LAB_ABS=1
  lab_init "15-syn-in-time-wait-$v" routed "kl15${v:0:2}" "SYN in TIME_WAIT: server close() first at t=2, client close() at t=2.5; client reconnects from the same port at t=4 ($v)"
  [ $v = nots ] && lab_sysctl "$NS_C" net.ipv4.tcp_timestamps=0
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(2.0); c.close()
c2 = srv.accept("server")
c2.recv()
c2.send(20)
d.until(6.0); c2.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
s.send(100)
s.recv()
d.until(2.5); s.close()
d.until(4.0)
s2 = d.Sock("client"); s2.bind((os.environ["CIP"], 40000))
s2.connect((os.environ["SIP"], 8080))
s2.send(10)
s2.recv()
s2.recv()
s2.close()
EOF
  lab_at 3; lab_ss "$NS_S" "server (TIME_WAIT expected)"; lab_ss "$NS_C" "client"
  lab_at 4.5; lab_ss "$NS_S" "server after the new SYN"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run ts; run nots; fi
