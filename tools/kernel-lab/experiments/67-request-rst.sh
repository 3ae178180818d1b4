#!/usr/bin/env bash
# 67: RSTs arriving at a request socket (SYN-RECV, tcp_check_req) other than the RST at rcv_nxt of 62-request: in the
# window but not at rcv_nxt (no RFC 5961 challenge for requests?), out of the window, at rcv_nxt with a wrong ACK; then
# each peer's ACK of the SYN-ACK shows whether its request survived, and whether a dropped request still re-sends its
# SYN-ACK at 1 s. (An RST without ACK cannot be sent: the rule dropping the peer host's own RSTs drops it.) Raw peers (driver.RawPeer in the client namespace, MSS 1460, SACK, no timestamps, window 65535; their
# host's own RSTs dropped) send SYNs at 2.0 to a real listener that accepts nothing until 4.0:
#   A (40000) t=2.2 RST+ACK at 101 (in the window, not rcv_nxt), t=2.25 the same again
#   B (40001) t=2.2 RST+ACK at 1000001 (out of the window)
#   C (40002) t=2.2 RST+ACK at 1 acking 5 (not the SYN-ACK)
#   D (40003) t=2.2 RST+ACK at 101 acking 5
#   E (40004) t=2.2 bare ACK at 1000001 (out of the window), t=2.25 RST+ACK at 101
#   F (40005) t=2.2 RST+ACK at 101; no ACK afterwards (does the request re-send its SYN-ACK at 3.0?)
#   t=2.4 A to E: ACK of the SYN-ACK
# Variant ts: one peer A with timestamps and window scale 7 (TS val = its ms clock; TS ecr = the last TS val it saw) to a
# listener that accepts nothing: RST+ACK at 101 at 2.2 (the ACK's window scaled? its TS ecr?), the ACK of the SYN-ACK
# at 2.4 and 10 bytes at 2.5, both echoing the TS val of that ACK, newer than any SYN-ACK's (6.15+'s tsecr_reject?).
source "$(dirname "$0")/../lab.sh"

run() {
  [ "${1:-}" = ts ] && { run_ts; return; }
  lab_init "67-request-rst" routed "kg67" "RSTs to a request socket: in the window, out of it, with a wrong ACK"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 2.1,2.3,2.5
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(4.0)
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
peers = [d.RawPeer("peer" + n, os.environ["CIP"], 40000 + i, os.environ["SIP"], 8080) for i, n in enumerate("ABCDEF")]
syn = d.tcp_options(1460, True, None)
d.until(2.0)
for p in peers:
    d.send_raw_tcp(p.role, p.src, p.sport, p.dst, p.dport, p.isn, 0, "S", 64240, options=syn)
for p in peers:
    p._drain(want_synack=True)
a, b, c, dd, e, f = peers
d.until(2.2)
a.send(101, 0, "RA", 65535, ack=1)
b.send(1000001, 0, "RA", 65535, ack=1)
c.send(1, 0, "RA", 65535, ack=5)
dd.send(101, 0, "RA", 65535, ack=5)
e.send(1000001, 0, "A", 65535, ack=1)
f.send(101, 0, "RA", 65535, ack=1)
d.until(2.25)
a.send(101, 0, "RA", 65535, ack=1)
e.send(101, 0, "RA", 65535, ack=1)
d.until(2.4)
for p in (a, b, c, dd, e):
    p.send(1, 0, "A", 65535, ack=1)
d.until(3.6)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
run_ts() {
  local LAB_ARGS=ts
  lab_init "67-request-rst-ts" routed "kg67t" "an RST in a request's window with timestamps and window scaling"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(3.3)
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
a = d.RawPeer("peerA", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(2.0)
d.send_raw_tcp("peerA", a.src, a.sport, a.dst, a.dport, a.isn, 0, "S", 64240, options=d.tcp_options(1460, True, a._ts(), 7))
a._drain(want_synack=True)
d.until(2.2); a.send(101, 0, "RA", 512, ack=1)
d.until(2.4); a.send(1, 0, "A", 512, ack=1)
d.until(2.5); a.send(1, 10, "PA", 512, ack=1)
d.until(2.8)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run; run ts; fi
