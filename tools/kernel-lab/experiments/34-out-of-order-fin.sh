#!/usr/bin/env bash
# 34: a FIN that arrives out of order. A raw peer (driver.RawPeer, MSS 1460, SACK, timestamps, no window
# scaling; its host's RSTs dropped) opens a connection to a real listener and at t=2 sends a segment beyond a
# hole that carries the FIN (variant data: 101:201 with FIN; variant bare: a FIN alone at 201), then at t=2.2 the
# data that fills the hole (1:101, or 1:201). The server reads until EOF and keeps the socket (CLOSE-WAIT).
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 LAB_ARGS=$1
  lab_init "34-out-of-order-fin-$variant" routed "sackorder34${variant:0:1}" \
    "a FIN beyond a hole, from a raw peer ($variant), then the data that fills the hole"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv_until_eof(10)
d.until(3.5)
PY
  VARIANT=$variant lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True)
d.until(2.0)
if os.environ["VARIANT"] == "data":
    p.send(101, 100, "FPA")
    d.until(2.2)
    p.send(1, 100)
else:
    p.send(201, 0, "FA")
    d.until(2.2)
    p.send(1, 200)
d.until(3.0)
PY
  lab_ss "$NS_S" "server"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run data; run bare; fi
