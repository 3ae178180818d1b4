#!/usr/bin/env bash
# 12: lost FIN of the passive closer. Client close() at t=2 (FIN, ACKed; client FIN_WAIT2);
# server close() at t=3 but the router drops every server FIN; LAST_ACK re-sends it.
# "heal": the rule is deleted at t=8 and the next FIN completes the close (client TIME_WAIT).
# "forever": the rule stays; the LAST_ACK orphan gives up (tcp_orphan_retries budget).
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "12-lost-last-fin-$v" routed "kl12${v:0:2}" "lost FIN of the passive closer: client close() at t=2; server close() at t=3; router drops server FINs $( [ $v = heal ] && echo 'until t=8' || echo 'for good')"
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(3.0); c.close()
EOF
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
EOF
  lab_ipt "$NS_R" -A FORWARD -s $SERVER_IP -p tcp --tcp-flags FIN FIN -j DROP
  lab_at 3.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  if [ $v = heal ]; then
    lab_at 8; lab_ipt_counters "$NS_R"; lab_ipt "$NS_R" -D FORWARD -s $SERVER_IP -p tcp --tcp-flags FIN FIN -j DROP
    lab_at 14; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  else
    lab_ss_every "$NS_S" 10 13 "server"
    lab_ss_every "$NS_C" 10 13 "client"
    lab_at 125; lab_ipt_counters "$NS_R"
  fi
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run heal; run forever; fi
