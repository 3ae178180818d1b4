#!/usr/bin/env bash
# 57: a half-open connection after the client lost its state, and the client reconnecting from the same port.
# The client closes with SO_LINGER {1,0} at t=2 while its OUTPUT chain drops RSTs (from t=1.5 to t=2.5), so the
# server stays ESTABLISHED in recv(). At t=3 a new client socket binds the same port and connect()s: its SYN finds
# the server's ESTABLISHED socket, which answers with a challenge ACK (RFC 5961 4.2); the SYN-SENT client answers
# that ACK with an RST at its ack number, which is the server's rcv_nxt, so the old connection is reset
# (ECONNRESET in the server's recv()); the client's SYN, retransmitted after 1 s, opens a new connection that
# carries 10 bytes each way. Variant "data": the server also sends 10 bytes at t=2.7, which the client's host
# answers with an RST (no socket) before the reconnect. Variant "plain": no such data.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "57-half-open-reconnect-$v" routed ks57 "half-open after the client lost its state, reconnect from the same port ($v)"
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  VARIANT=$v lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
if os.environ["VARIANT"] == "data":
    d.until(2.7)
    c.send(10)
c.recv()
c.close()
n = srv.accept("server")
n.recv()
n.send(10)
n.recv()
n.close()
PY
  lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.linger(1, 0)
s.close()
d.until(3.0)
n = d.Sock("client"); n.bind((os.environ["CIP"], 40000))
n.connect((os.environ["SIP"], 8080))
n.send(10)
n.recv()
d.until(5.0)
n.close()
PY
  local cpid=$!
  lab_at 1.5; lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_at 2.2; lab_ss "$NS_S" "server (half-open)"
  lab_at 2.5; lab_ipt "$NS_C" -D OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_at 3.5; lab_ss "$NS_S" "server after the challenge ACK"
  wait $cpid
  lab_at 6
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run plain; run data; fi
