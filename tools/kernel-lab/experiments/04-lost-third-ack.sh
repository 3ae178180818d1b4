#!/usr/bin/env bash
# 04: lost third ACK (seed 002): on the server `iptables -I INPUT -s <client> -p tcp --tcp-flag ACK ACK -j DROP`.
# Client connect() at t=1 (ESTABLISHED at once); server stays SYN_RECV and re-sends SYN-ACKs.
# Variant A ("early"): at t=3 the rule is deleted, at t=3.5 the client sends 100 bytes: the handshake completes.
# Variant B ("late"): the request socket expires (~64 s); at t=70 the rule is deleted, at t=71 the client
# sends 100 bytes: it gets RST and recv() reports ECONNRESET.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"
RULE=(-I INPUT -s 10.0.1.2 -p tcp --tcp-flag ACK ACK -j DROP)
RULE_D=(-D INPUT -s 10.0.1.2 -p tcp --tcp-flag ACK ACK -j DROP)

run() {
  local v=$1 LAB_ARGS=$1 tdel tsend
  if [ $v = early ]; then tdel=3; tsend=3.5; else tdel=70; tsend=71; fi
  lab_init "04-lost-third-ack-$v" routed "kl04${v:0:2}" "lost third ACK (seed 002): server INPUT drops every ACK-flagged segment from the client; client connect() at t=1; rule deleted at t=$tdel; client sends 100 bytes at t=$tsend"
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  TSEND=$tsend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
srv.settimeout(float(os.environ["TSEND"]) + 3)
c = srv.accept("server")
if c:
    c.recv(1000)
    c.send(20)
    d.sleep(1)
    c.close()
EOF
  LAB_BG+=($!)
  lab_ipt "$NS_S" "${RULE[@]}"
  TSEND=$tsend lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(float(os.environ["TSEND"]))
s.send(100)
s.settimeout(5)
s.recv(1000)
s.send(10)
d.sleep(0.5)
s.close()
EOF
  local cpid=$!
  lab_at 1.5; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "client"
  if [ $v = late ]; then
    lab_ss_every "$NS_S" 5 14 "server"
    lab_at 69; lab_ss "$NS_C" "client before rule deletion"
  fi
  lab_at $tdel; lab_ipt_counters "$NS_S"; lab_ipt "$NS_S" "${RULE_D[@]}"; lab_log lab "rule deleted"
  lab_at $(python3 -c "print($tsend+0.5)"); lab_ss "$NS_S" "server after client data"; lab_ss "$NS_C" "client after client data"
  wait $cpid
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run early; run late; fi
