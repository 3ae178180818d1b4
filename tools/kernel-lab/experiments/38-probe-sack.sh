#!/usr/bin/env bash
# 38: do probes carry the SACK blocks of the prober's out-of-order queue? Linux builds a window probe and a
# keepalive probe in tcp_xmit_probe_skb and sends it through tcp_transmit_skb, whose tcp_established_options
# adds the blocks the socket holds. A raw peer (driver.RawPeer, MSS 1460, SACK, timestamps, no window scaling;
# its host's RSTs dropped) opens a connection to a real listener and never acknowledges the server's data or
# answers a probe.
#  zero-window: the peer's third ACK offers window 0; the server send()s 1000 bytes at t=1.5, which wait for
#    the window (probe timer); the peer sends 101:201 at t=2.0 and 301:401 at t=3.0 (window 0), beyond holes.
#  keepalive: the server sets SO_KEEPALIVE, TCP_KEEPIDLE 2, TCP_KEEPINTVL 1, TCP_KEEPCNT 2 after accept(); the
#    peer sends 101:201 at t=1.5; the probes and the reset at the end show what they carry.
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 LAB_ARGS=$1
  lab_init "38-probe-sack-$variant" routed "probes38" \
    "probes of a socket holding out-of-order data from a raw peer ($variant)"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_tcpdump "$NS_C" c0 wire tcp
  VARIANT=$variant lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
if os.environ["VARIANT"] == "zero-window":
    d.until(1.5)
    c.send(1000)
    d.until(7.5)
else:
    c.keepalive(idle=2, intvl=1, cnt=2)
    c.recv()
PY
  VARIANT=$variant lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
if os.environ["VARIANT"] == "zero-window":
    p.connect(1460, sack_ok=True, win=0)
    d.until(2.0)
    p.send(101, 100, win=0)
    d.until(3.0)
    p.send(301, 100, win=0)
    d.until(7.0)
else:
    p.connect(1460, sack_ok=True)
    d.until(1.5)
    p.send(101, 100)
    d.until(6.5)
PY
  lab_ss "$NS_S" "server"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run zero-window; run keepalive; fi
