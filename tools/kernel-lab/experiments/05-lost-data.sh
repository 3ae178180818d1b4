#!/usr/bin/env bash
# 05: lost data. After the handshake the router drops every client->server segment carrying data
# (IP total length > 52 = 20 IP + 32 TCP with timestamps: `-m length --length 53:65535`).
# Client sends 100 bytes at t=2 and blocks in recv(); TLP, RTO series, ETIMEDOUT.
# Variants: "retries2-5" (net.ipv4.tcp_retries2=5 in the client ns), "retries2-3" (3) and "default" (15, ~924 s).
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  if [ $v = default ]; then export LAB_PY_TIMEOUT=1100 SERVER_END=950; else export SERVER_END=30; fi
  lab_init "05-lost-data-$v" routed "kl05${v:0:2}" "lost data: router drops client->server segments with payload from t=1.5; client sends 100 bytes at t=2 then recv() ($v)"
  [ $v = retries2-5 ] && lab_sysctl "$NS_C" net.ipv4.tcp_retries2=5
  [ $v = retries2-3 ] && lab_sysctl "$NS_C" net.ipv4.tcp_retries2=3
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(float(os.environ.get("SERVER_END", "60")))
c.tcp_state()
EOF
  LAB_BG+=($!)
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.send(100)
s.recv(1000)
s.send(10)
s.close()
EOF
  local cpid=$!
  lab_at 1.5; lab_ipt "$NS_R" -A FORWARD -s $CLIENT_IP -d $SERVER_IP -p tcp -m length --length 53:65535 -j DROP
  lab_at 2.1; lab_ss "$NS_C" "client after send"
  lab_at 2.5; lab_ss "$NS_C" "client"
  if [ $v = default ]; then lab_ss_every "$NS_C" 60 16 "client"; else lab_ss_every "$NS_C" 2 8 "client"; fi
  wait $cpid
  lab_ss "$NS_C" "client after recv() returned"
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run retries2-5; run retries2-3; run default; fi
