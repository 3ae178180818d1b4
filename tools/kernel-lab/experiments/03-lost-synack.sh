#!/usr/bin/env bash
# 03: lost SYN-ACK. The router drops everything from the server to the client (seed 002's
# `iptables -I INPUT -s <server> -j DROP`, moved to the router's FORWARD chain).
# Variant "forever": the rule stays; client connect() at t=1 until it fails; server SYN_RECV watched.
# Variant "heal": the rule is deleted at t=4 (3 s after connect) and the handshake completes.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  if [ $v = forever ]; then export ACCEPT_TIMEOUT=150 SERVER_END=140; else export ACCEPT_TIMEOUT=20 SERVER_END=10; fi
  lab_init "03-lost-synack-$v" routed "kl03${v:0:2}" "lost SYN-ACK: router drops everything from the server; client connect() at t=1; rule $( [ $v = heal ] && echo 'deleted at t=4' || echo 'kept')"
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
srv.settimeout(float(os.environ.get("ACCEPT_TIMEOUT", "20")))
c = srv.accept("server")
if c:
    c.recv(1000)
    c.close()
d.until(float(os.environ.get("SERVER_END", "10")))
EOF
  LAB_BG+=($!)
  lab_ipt "$NS_R" -I FORWARD -s $SERVER_IP -j DROP
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
if s.connect((os.environ["SIP"], 8080)) == 0:
    s.send(10)
d.until(6)
s.close()
EOF
  local cpid=$!
  if [ $v = heal ]; then
    lab_at 1.5; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "client"
    lab_at 4; lab_ipt "$NS_R" -D FORWARD -s $SERVER_IP -j DROP
    lab_at 5.5; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "client"
  else
    lab_ss_every "$NS_S" 5 30 "server"
    lab_ss_every "$NS_C" 20 8 "client"
  fi
  wait $cpid
  lab_ss "$NS_S" "server after connect() returned"
  lab_at 8
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run heal; run forever; fi
