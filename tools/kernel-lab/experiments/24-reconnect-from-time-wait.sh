#!/usr/bin/env bash
# 24: the client closes first (its TIME-WAIT holds 10.0.1.2:40000 -> 10.0.2.2:8080), then a new client
# socket binds the same port explicitly and connects to the same server at t=3 (LINUX-TCP.md B: an explicit
# bind reuses a TIME-WAIT with timestamps regardless of tcp_tw_reuse, ISN = old snd_nxt + 65537).
# "reuseaddr": both client sockets set SO_REUSEADDR; "plain": neither does (bind() -> EADDRINUSE).
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "24-reconnect-from-time-wait-$v" routed "kl24${v:0:2}" \
    "client closes first, then rebinds 40000 and reconnects at t=3 ($v)"
  LAB_ABS=1
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.reuseaddr(); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
for i in range(2):
    c = srv.accept("server")
    if not c: break
    c.recv(); c.close()
PY
  LAB_BG+=($!)
  V=$v lab_py "$NS_C" <<'PY'
import driver as d, os
reuse = os.environ["V"] == "reuseaddr"
d.until(1.0)
s = d.Sock("client")
if reuse: s.reuseaddr()
s.bind((os.environ["CIP"], 40000)); s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.close()
d.until(3.0)
n = d.Sock("client2")
if reuse: n.reuseaddr()
if n.bind((os.environ["CIP"], 40000)) == 0:
    if n.connect((os.environ["SIP"], 8080)) == 0:
        n.send(10)
        d.until(4.0)
n.close()
d.until(5.0)
PY
  lab_ss "$NS_C" "client at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run reuseaddr; run plain; fi
