#!/usr/bin/env bash
# 13: seed 000 exactly, on loopback. The server (port 60000) accept()s and close()s at once; the client
# (bound to 40000 for comparability) stays in CLOSE_WAIT. Then the seed's rule
#   iptables -A INPUT -p tcp -s 127.0.0.1 --sport 60000 -j DROP
# drops everything the server sends; the client close()s (LAST_ACK) and re-sends its FIN; the server,
# in TIME_WAIT, ACKs every FIN (dropped) and restarts its 60 s.
# "heal": the rule is deleted at t=14 (10 s after close); TIME_WAIT watched until it ends.
# "stay": the rule stays; net.ipv4.tcp_orphan_retries=10 so the client keeps re-sending FINs long enough
#         for TIME_WAIT to end in a gap between two FINs (>60 s); the FIN after that gets R.
source "$(dirname "$0")/../lab.sh"
RULE="-p tcp -s 127.0.0.1 --sport 60000 -j DROP"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "13-seed000-time-wait-fin-$v" loopback "kl13${v:0:2}" "seed 000: server accept()+close(); client close() at t=4 while INPUT drops everything from port 60000 (rule added t=3, $( [ $v = heal ] && echo 'deleted at t=14' || echo 'kept'))"
  [ $v = stay ] && lab_sysctl "$NS_C" net.ipv4.tcp_orphan_retries=10
  lab_tcpdump "$NS_C" lo wire tcp port 60000
  lab_py "$NS_S" <<'EOF' &
import driver as d
srv = d.Sock("server"); srv.bind(("127.0.0.1", 60000)); srv.listen(8)
c = srv.accept("server")
c.close()
srv.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d
d.until(1.0)
s = d.Sock("client"); s.bind(("127.0.0.1", 40000))
s.connect(("localhost", 60000))
d.until(4.0)
s.close()
EOF
  lab_at 2; lab_ss "$NS_C" "after connect (seed log1)"
  lab_at 3; lab_ipt "$NS_C" -A INPUT $RULE
  lab_at 4.5; lab_ss "$NS_C" "after client close (seed log2)"
  if [ $v = heal ]; then
    lab_at 14; lab_ipt_counters "$NS_C"; lab_ipt "$NS_C" -D INPUT $RULE
    lab_ss_every "$NS_C" 3 28 "watch"
    lab_at 88
  else
    lab_ss_every "$NS_C" 5 45 "watch"
    lab_at 222; lab_ipt_counters "$NS_C"
  fi
  lab_ss "$NS_C" "at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run heal; run stay; fi
