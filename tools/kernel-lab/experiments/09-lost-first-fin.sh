#!/usr/bin/env bash
# 09: lost first FIN. The router drops every client->server FIN; client close() at t=2 (orphan in FIN_WAIT1).
# Variants: default tcp_orphan_retries (0, meaning 8), tcp_orphan_retries=2 and =4 (client ns).
# The server (ESTABLISHED, never saw the FIN) sends 10 bytes at the end to show what the client has left.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1 tend
  if [ $v = default ]; then tend=125; else tend=20; fi
  lab_init "09-lost-first-fin-$v" routed "kl09${v:0:2}" "lost first FIN: router drops client FINs; client close() at t=2; server sends 10 bytes at t=$tend; orphan retries $v"
  [ $v = orphan2 ] && lab_sysctl "$NS_C" net.ipv4.tcp_orphan_retries=2
  [ $v = orphan4 ] && lab_sysctl "$NS_C" net.ipv4.tcp_orphan_retries=4
  lab_tcpdump "$NS_C" c0 wire tcp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
t = float(os.environ["TEND"])
d.until(t); c.tcp_state(); c.send(10)
d.sleep(0.5); c.recv_nowait()
c.close()
EOF
  local spid=$!
  lab_ipt "$NS_R" -A FORWARD -s $CLIENT_IP -p tcp --tcp-flags FIN FIN -j DROP
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
EOF
  lab_at 2.1; lab_ss "$NS_C" "client after close"
  if [ $v = default ]; then lab_ss_every "$NS_C" 10 12 "client"; else lab_ss_every "$NS_C" 1 8 "client"; fi
  wait $spid
  lab_ss "$NS_C" "client at end"; lab_ss "$NS_S" "server at end"
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run orphan2; run orphan4; run default; fi
