#!/usr/bin/env bash
# 07: closing with RST.
# Variant "unread": the server sends 100 bytes at t=1.5 that the client never reads; client close() at t=2.
# Variant "linger0": client sets SO_LINGER {1,0} and close()s at t=2 (nothing unread).
# In both the server then calls recv() at t=3, send() at t=3.5 and send() again at t=4.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "07-close-rst-$v" routed "kl07${v:0:2}" "close with RST ($v): client close() at t=2 $( [ $v = unread ] && echo 'with 100 unread bytes the server sent at t=1.5' || echo 'after SO_LINGER {1,0}'); server recv() at t=3, send() at t=3.5 and t=4"
  lab_tcpdump "$NS_C" c0 wire tcp
  V=$v lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
if os.environ["V"] == "unread":
    d.until(1.5); c.send(100)
d.until(3.0); c.recv(1000)
d.until(3.5); c.send(10)
d.until(4.0); c.send(10)
c.close()
EOF
  local spid=$!
  V=$v lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
if os.environ["V"] == "linger0":
    s.linger(1, 0)
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.close()
EOF
  local cpid=$!
  lab_at 1.7; lab_ss "$NS_C" "client before close"
  lab_at 2.3; lab_ss "$NS_C" "client after close (no TIME_WAIT expected)"; lab_ss "$NS_S" "server after client close"
  wait $cpid $spid
  lab_ss "$NS_S" "server at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run unread; run linger0; fi
