#!/usr/bin/env bash
# 16: data arriving for a socket that was close()d.
# "after-fin": client close() at t=2 (FIN ACKed, client orphan in FIN_WAIT2); server sends 100 bytes at t=3.
# "in-flight": server sends 100 bytes at t=1.5 but the router drops server data (length > 52) until t=2.5,
#   so the data is still in flight (being retransmitted) when the client close()s at t=2.
# Server then: recv() at t=3.5, send() at t=4, send() at t=4.5. sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "16-data-to-closed-$v" routed "kl16${v:0:2}" "data to a close()d socket ($v)"
  lab_tcpdump "$NS_C" c0 wire tcp
  V=$v lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
if os.environ["V"] == "in-flight":
    d.until(1.5); c.send(100)
else:
    d.until(3.0); c.send(100)
d.until(3.5); c.recv_nowait()
d.until(4.0); c.send(10)
d.until(4.5); c.send(10)
c.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
EOF
  if [ $v = in-flight ]; then
    lab_at 1.3; lab_ipt "$NS_R" -A FORWARD -s $SERVER_IP -p tcp -m length --length 53:65535 -j DROP
    lab_at 2.5; lab_ipt_counters "$NS_R"; lab_ipt "$NS_R" -D FORWARD -s $SERVER_IP -p tcp -m length --length 53:65535 -j DROP
  fi
  lab_at 2.3; lab_ss "$NS_C" "client after close"; lab_ss "$NS_S" "server"
  lab_at 5; lab_ss "$NS_C" "client at end"; lab_ss "$NS_S" "server at end"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run after-fin; run in-flight; fi
