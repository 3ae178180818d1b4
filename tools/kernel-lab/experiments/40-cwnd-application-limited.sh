#!/usr/bin/env bash
# 40: tcp_cwnd_application_limited (RFC 2861). A sender whose congestion window grew, then left it unused for an
# RTO, shrinks it toward what it used: at a send (tcp_cwnd_validate after tcp_write_xmit), once an RTO has passed
# since snd_cwnd_stamp, cwnd = (cwnd + max(snd_cwnd_used, initial window)) / 2. The stamp is refreshed by a full
# window and by every ACK that acknowledges data (tcp_cong_avoid), and a send after an RTO with nothing in flight
# restarts the window instead (tcp_cwnd_restart), so the shrink needs a send while an earlier one is still
# unacknowledged an RTO after the last ACK. BBR (this host's default) skips it (it has cong_control): the server's
# namespace runs reno, and tcp_early_retrans=0 (no loss probe: the raw peer's ACKs come late on purpose).
# s0 sends one segment per skb (gso_max_segs 1). A raw peer (driver.RawPeer, MSS 1460, SACK, timestamps, window
# scale 7, window 1000 × 128) receives; the server
#  - at t=1.5 sends 14480 bytes (10 segments, the initial window), ACKed one by one at 1.51 (cwnd 20);
#  - at t=1.7 sends 28960 bytes (20 segments), ACKed one by one at 1.71 (cwnd 40);
#  - from t=1.85 sends 100 bytes every 150 ms (ten times, TCP_NODELAY so that Nagle does not hold the second of
#    two outstanding); the peer ACKs them two at a time, 10 ms after the
#    second (2.01, 2.31, … 3.21): each second send comes 290 ms after the last ACK, an RTO (212 ms) later;
#  - at t=3.35 sends 72400 bytes (50 segments): the first flight is the window left (not ACKed; the capture ends).
# ss -i snapshots of the server at 1.8, 2.05, 2.35 and 3.3 show cwnd.
source "$(dirname "$0")/../lab.sh"

lab_init "40-cwnd-application-limited" routed "probes40" \
  "a window grown to 40 then left unused (one segment every 150 ms), then a 50-segment write; reno, raw peer"
lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=reno net.ipv4.tcp_early_retrans=0
ip -n "$NS_S" link set s0 gso_max_segs 1
lab_note "s0: gso_max_segs 1"
lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.nodelay()
d.until(1.5); c.send(14480)
d.until(1.7); c.send(28960)
for k in range(10):
    d.until(1.85 + 0.15 * k); c.send(100)
d.until(3.35); c.send(72400)
d.until(4.5)
PY
lab_ss_at "$NS_S" "server" 1.8,2.05,2.35,3.3
lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True, wscale=7, win=1000)
d.until(1.51)
for k in range(1, 11):
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * k)
d.until(1.71)
for k in range(11, 31):
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * k)
for k in range(5):
    d.until(2.01 + 0.3 * k)
    p.send(1, 0, "A", win=1000, ack=1 + 1448 * 30 + 200 * (k + 1))
d.until(4.0)
PY
lab_wait_jobs
lab_finish
lab_cleanup
