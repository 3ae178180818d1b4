#!/usr/bin/env bash
# 32: the SACK blocks a receiver reports (tp->selective_acks) and its D-SACKs for out-of-order data. The
# client is a hand-driven raw peer (driver.RawPeer; the client's own TCP has its RSTs dropped by an OUTPUT
# rule) that opens a connection to a real listener with MSS 1460 and SACK (variant ts: timestamps too; no
# window scaling, so windows are in bytes) and then sends 100-byte segments out of order, 0.2 s apart:
#   A (2.0-3.0)  three holes: 301, 101, 501, then the holes 401 (merges two blocks), 201, 1
#   B (3.2-4.0)  five holes: 1101, 701, 1501, 901, 1301 (the fourth remembered block is dropped)
#   (4.2)        601 in order: the block of 701 is removed, the forgotten 1101 stays unreported
#   (4.4)        801:1601 (800 bytes) in order over held data: D-SACK from tcp_ofo_queue
#   D (4.6-5.2)  1701, 1901, then 1601 and 1801 in order: blocks removed as rcv_nxt passes them
#   E (5.4-6.8)  2101:2301, a repeat of 2101:2201, 2201:2401 (partial), 2101:2501 (covers), 2601:2701,
#                2551:2651 (partly under the next), then 2001 and 2501 in order
# The server accept()s, never reads, and close()s at t=7.5 (unread data: RST).
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 LAB_ARGS=$1
  lab_init "32-sack-blocks-$variant" routed "sackorder32${variant:0:1}" \
    "SACK blocks and D-SACK of a receiver fed out-of-order segments by a raw peer ($variant)"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(7.5); c.close()
PY
  TS=$([ "$variant" = ts ] && echo 1 || echo 0) lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=os.environ["TS"] == "1")
d.until(1.0)
p.connect(1460, sack_ok=True)
plan = [
    (2.0, 301, 100), (2.2, 101, 100), (2.4, 501, 100), (2.6, 401, 100), (2.8, 201, 100), (3.0, 1, 100),
    (3.2, 1101, 100), (3.4, 701, 100), (3.6, 1501, 100), (3.8, 901, 100), (4.0, 1301, 100),
    (4.2, 601, 100), (4.4, 801, 800),
    (4.6, 1701, 100), (4.8, 1901, 100), (5.0, 1601, 100), (5.2, 1801, 100),
    (5.4, 2101, 200), (5.6, 2101, 100), (5.8, 2201, 200), (6.0, 2101, 400), (6.2, 2601, 100),
    (6.4, 2551, 100), (6.6, 2001, 100), (6.8, 2501, 50),
]
for at, seq, length in plan:
    d.until(at)
    p.send(seq, length)
d.until(8.0)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run nots; run ts; fi
