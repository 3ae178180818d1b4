#!/usr/bin/env bash
# 17: SO_LINGER {1,5}. Client sets linger {1,5} and close()s at t=2.
# "lost-ack": the router drops everything from the server t=1.5..12 -> the FIN's ACK is lost.
# "normal": no loss (close() returns as soon as the FIN is ACKed).
# The server close()s at t=20 (lost-ack) / t=4 (normal). sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1 tend
  if [ $v = lost-ack ]; then tend=20; else tend=4; fi
  lab_init "17-linger-timeout-$v" routed "kl17${v:0:2}" "SO_LINGER {1,5}, client close() at t=2 ($v); server close() at t=$tend"
  lab_tcpdump "$NS_C" c0 wire tcp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(float(os.environ["TEND"])); c.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.linger(1, 5)
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close(blocking=True)
EOF
  if [ $v = lost-ack ]; then
    lab_at 1.5; lab_ipt "$NS_R" -I FORWARD -s $SERVER_IP -j DROP
    lab_at 3; lab_ss "$NS_C" "client during close()"
    lab_at 7.5; lab_ss "$NS_C" "client after close() returned"
    lab_at 12; lab_ipt_counters "$NS_R"; lab_ipt "$NS_R" -D FORWARD -s $SERVER_IP -j DROP
    lab_at 19; lab_ss "$NS_C" "client"
    lab_at 21; lab_ss "$NS_C" "client"
  else
    lab_at 2.5; lab_ss "$NS_C" "client after close"
    lab_at 4.5; lab_ss "$NS_C" "client"
  fi
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run lost-ack; run normal; fi
