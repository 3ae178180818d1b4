#!/usr/bin/env bash
# 69: segments to an orphan in FIN-WAIT-2 (a timewait socket in its FIN_WAIT2 substate, tcp_timewait_state_process):
# bare ACKs, SYNs out of and in the window, data with FIN. A raw peer (driver.RawPeer in the client namespace, MSS
# 1460, SACK, timestamps, no window scaling, window 65535; its host's own RSTs dropped) connects to a real listener
# at 2.0; the server close()s at 2.5 (FIN 1); the peer ACKs it at 2.6 without a FIN: the server's orphan is in
# FIN-WAIT-2 (tcp_fin_timeout 60 s).
# Variant syn:
#   t=3.0 bare ACK at 1 (rcv_nxt)           -> nothing
#   t=3.1 SYN at 100001 (out of the window)  -> ACK;  t=3.2 the same -> nothing (500 ms limit)
#   t=3.3 SYN at 1001 (in the window)        -> RST, the orphan gone;  t=3.4 bare ACK -> R (no socket)
# Variant findata:
#   t=3.0 10 bytes with FIN at 1             -> RST (new data after a half-duplex close);  t=3.1 bare ACK -> R
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "69-fin-wait2-segments-$v" routed "kg69${v:0:1}" "segments to an orphan in FIN-WAIT-2 ($v)"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 2.8,3.25
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(2.5)
c.close()
d.until(3.6)
PY
  V=$v lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
a = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(2.0)
a.connect(1460, sack_ok=True, win=65535)
d.until(2.6); a.send(1, 0, "A", 65535, ack=2)
if os.environ["V"] == "syn":
    d.until(3.0); a.send(1, 0, "A", 65535, ack=2)
    d.until(3.1); a.send(100001, 0, "S", 65535, ack=0)
    d.until(3.2); a.send(100001, 0, "S", 65535, ack=0)
    d.until(3.3); a.send(1001, 0, "S", 65535, ack=0)
    d.until(3.4); a.send(1, 0, "A", 65535, ack=2)
else:
    d.until(3.0); a.send(1, 10, "FPA", 65535, ack=2)
    d.until(3.1); a.send(12, 0, "A", 65535, ack=2)
d.until(3.6)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run syn; run findata; fi
