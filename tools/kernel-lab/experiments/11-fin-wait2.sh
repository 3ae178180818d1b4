#!/usr/bin/env bash
# 11: FIN_WAIT2.
# "close-fin10": net.ipv4.tcp_fin_timeout=10 (client ns); client close() at t=2; the server never closes
#   until t=20, then its FIN gets R.
# "close-default": default tcp_fin_timeout (60); server close() at t=70.
# "shutwr": client shutdown(SHUT_WR) at t=2 and keeps the fd; observed 90 s; server close() at t=93.
# "close-fin65": tcp_fin_timeout=65 (above TIME_WAIT's 60 s): keepalive timer for 5 s, then a FIN_WAIT2 timewait
#   for the remaining 5 s (tcp_keepalive_timer); server close() at t=75.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1 tend
  case $v in close-fin10) tend=20 ;; close-fin65) tend=75 ;; close-default) tend=70 ;; shutwr) tend=93 ;; esac
  lab_init "11-fin-wait2-$v" routed "kl11${v:6:2}${v:0:1}" "FIN_WAIT2 ($v): client $( [ $v = shutwr ] && echo 'shutdown(SHUT_WR)' || echo 'close()') at t=2; server close() at t=$tend"
  [ $v = close-fin10 ] && lab_sysctl "$NS_C" net.ipv4.tcp_fin_timeout=10
  [ $v = close-fin65 ] && lab_sysctl "$NS_C" net.ipv4.tcp_fin_timeout=65
  lab_tcpdump "$NS_C" c0 wire tcp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(float(os.environ["TEND"])); c.close()
EOF
  local spid=$!
  V=$v TEND=$tend lab_py "$NS_C" <<'EOF' &
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
if os.environ["V"] == "shutwr":
    s.shutdown(socket.SHUT_WR)
    s.recv()
    d.sleep(1); s.close()
else:
    s.close()
EOF
  lab_at 2.5; lab_ss "$NS_C" "client"
  case $v in
    close-fin10) lab_ss_every "$NS_C" 1 16 "client" ;;
    close-fin65) lab_ss_every "$NS_C" 5 15 "client" ;;
    close-default) lab_ss_every "$NS_C" 5 15 "client" ;;
    shutwr) lab_ss_every "$NS_C" 10 10 "client" ;;
  esac
  wait $spid
  lab_at $((tend + 2)); lab_ss "$NS_C" "client at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run close-fin10; run close-default; run shutwr; run close-fin65; fi
