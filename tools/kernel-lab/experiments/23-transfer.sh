#!/usr/bin/env bash
# 23: transfers larger than one segment (TSO/GSO on the capture, cwnd, ACK pacing, receive window growth):
# the client sends 20000 bytes in one send() at t=2, two 100-byte sends back to back at t=3 (Nagle),
# 3000 bytes at t=4 and 100000 bytes at t=5, and closes at t=6; the server reads everything (recv loop)
# and closes after EOF. Loopback and routed. sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local topo=$1 LAB_ARGS=$1
  lab_init "23-transfer-$topo" "$topo" "kl23${topo:0:1}" \
    "transfers: 20000 bytes at t=2, 2x100 at t=3, 3000 at t=4, 100000 at t=5, client close at t=6"
  if [ "$topo" = loopback ]; then lab_tcpdump "$NS_C" lo wire tcp; else lab_tcpdump "$NS_C" c0 wire tcp; fi
  lab_py_reading_server "$NS_S" &
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.sendall(20000, b"a")
d.until(3.0); s.send(100, b"b"); s.send(100, b"c")
d.until(4.0); s.sendall(3000, b"d")
d.until(5.0); s.sendall(100000, b"e")
d.until(6.0); s.close()
PY
  local cpid=$!
  wait $spid $cpid
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run loopback; run routed; fi
