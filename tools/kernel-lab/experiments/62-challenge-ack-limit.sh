#!/usr/bin/env bash
# 62: what limits RFC 5961 challenge ACKs in 6.18 (tcp_send_challenge_ack): first the per-socket
# tcp_invalid_ratelimit (500 ms, for every trigger, segments with data included, unlike the out-of-window dupacks of
# tcp_oow_rate_limited), then the per-netns tcp_challenge_ack_limit (INT_MAX by default: no limit; otherwise a count
# drawn from [(limit+1)/2, limit+(limit+1)/2-1] each second of jiffies/HZ, so exactly 1 a second for limit 1); and an
# RST at the right edge of the highest SACK block the socket advertises, which resets instead of being challenged.
# Raw peers (driver.RawPeer in the client namespace, MSS 1460, SACK, timestamps, no window scaling, window 65535;
# their host's own RSTs dropped) open connections to a real listener. Times leave 2 s for processes to start.
# Variant ratelimit (default sysctls), one peer (40000); the server sends 1000 bytes at 2.5, ACKed at 2.6:
#   t=3.0   100 bytes at 1 acking 2001 (unsent)  -> challenge ACK, data dropped
#   t=3.1   the same again                       -> per-socket limit: nothing
#   t=3.2   RST+ACK at seq 101 (in the window)   -> nothing (limit)
#   t=3.7   100 bytes at 1001, ack 1001          -> out of order: ACK with SACK 1001:1101 (not a challenge)
#   t=3.8   100 bytes at 1201, ack 1001          -> ACK with SACK 1201:1301 1001:1101
#   t=4.4   RST+ACK at seq 1101 (an edge, not the highest) -> challenge ACK
#   t=4.5   RST+ACK at seq 1301 (the highest SACK edge)    -> reset: the server's recv() ECONNRESET
# Variant limit1 (server: tcp_challenge_ack_limit=1, tcp_invalid_ratelimit=0), peers A (40000) and B (40001):
#   t=3.50 A RST at 101 -> challenge ACK (the netns count for this second: 1 -> 0)
#   t=3.52 A RST at 201 -> nothing;  t=3.54 B RST at 101 -> nothing (the count is per netns)
#   t=5.00 B SYN at 5001 -> challenge ACK (a new second);  t=5.02 A SYN at 5001 -> nothing
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1
  lab_init "62-challenge-ack-limit-$v" routed "kf62${v:0:1}" "challenge ACK limits: per socket for every trigger, per netns (tcp_challenge_ack_limit), RST at the highest SACK edge ($v)"
  [ "$v" = limit1 ] && lab_sysctl "$NS_S" net.ipv4.tcp_challenge_ack_limit=1 net.ipv4.tcp_invalid_ratelimit=0
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  V=$v lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
if os.environ["V"] == "ratelimit":
    d.until(2.5)
    c.send(1000)
    c.recv()
else:
    c2 = srv.accept("server")
    d.until(5.5)
    c2.close()
c.close()
PY
  V=$v lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
a = d.RawPeer("peerA", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(2.0)
a.connect(1460, sack_ok=True, win=65535)
if os.environ["V"] == "ratelimit":
    d.until(2.6); a.send(1, 0, "A", 65535, ack=1001)
    d.until(3.0); a.send(1, 100, "PA", 65535, ack=2001)
    d.until(3.1); a.send(1, 100, "PA", 65535, ack=2001)
    d.until(3.2); a.send(101, 0, "RA", 65535, ack=1001)
    d.until(3.7); a.send(1001, 100, "PA", 65535, ack=1001)
    d.until(3.8); a.send(1201, 100, "PA", 65535, ack=1001)
    d.until(4.4); a.send(1101, 0, "RA", 65535, ack=1001)
    d.until(4.5); a.send(1301, 0, "RA", 65535, ack=1001)
    d.until(5.0)
else:
    b = d.RawPeer("peerB", os.environ["CIP"], 40001, os.environ["SIP"], 8080, timestamps=True)
    d.until(2.2)
    b.connect(1460, sack_ok=True, win=65535)
    d.until(3.50); a.send(101, 0, "RA", 65535, ack=1)
    d.until(3.52); a.send(201, 0, "RA", 65535, ack=1)
    d.until(3.54); b.send(101, 0, "RA", 65535, ack=1)
    d.until(5.00); b.send(5001, 0, "S", 65535, ack=0)
    d.until(5.02); a.send(5001, 0, "S", 65535, ack=0)
    d.until(6.0)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run ratelimit; run limit1; fi
