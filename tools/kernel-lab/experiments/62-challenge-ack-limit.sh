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
# Variant request (default sysctls, segments without timestamps): what a request socket (SYN-RECV, tcp_check_req) answers; nobody accept()s and
# the peers never complete the handshake. Peer A (40000), SYN at 2.0:
#   t=2.10 10 bytes at 100001 (out of the window)  -> ACK (tcp_oow_rate_limited lets data through)
#   t=2.15 bare ACK at 100001                        -> ACK (stamps the request's last_oow_ack_time)
#   t=2.20 the same                                  -> nothing (500 ms limit)
#   t=2.30 ACK of 5 (not the SYN-ACK)                -> R at seq 5
#   t=2.40 the SYN again                             -> nothing (the same limit covers the SYN-ACK resend)
#   t=2.80 the SYN again                             -> SYN-ACK
#   t=3.00 RST+ACK at 1 (rcv_nxt)                    -> the request dropped silently
#   t=3.20 bare ACK of the SYN-ACK                   -> no request: R at its ack
# Variant paws (default sysctls): what a segment failing PAWS (TS val 1000, older than ts_recent) draws from an
# established socket (6.14+: tcp_disordered_ack_check's PAWS_ACK reason for an old pure ACK). Peer A as in
# ratelimit: 1000 bytes from the server at 2.5, ACKed at 2.6; the peer sends 100 bytes at 2.7 (read by the server):
#   t=3.0  bare ACK at seq 1 (before rcv_nxt 101), old TS     -> nothing (old ACK: PAWSOldAck, no dupack)
#   t=3.1  bare ACK at seq 101 (rcv_nxt), old TS              -> duplicate ACK (PAWSEstab; stamps the limit)
#   t=3.2  10 bytes at 101, old TS                            -> duplicate ACK (data passes the rate limit)
#   t=3.3  bare ACK at seq 101, old TS                        -> nothing (rate limit)
#   t=4.0  RST at 101 (rcv_nxt), old TS                       -> reset (an RST is taken despite PAWS)
# Peer B (40001), SYN at 2.0; t=2.50 a SYN at 10 (in the window, not the first) -> R. seq 0 ack 11, request dropped;
#   t=2.70 bare ACK of the SYN-ACK -> R at its ack
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1
  lab_init "62-challenge-ack-limit-$v" routed "kf62${v:0:2}" "challenge ACK limits: per socket for every trigger, per netns (tcp_challenge_ack_limit), RST at the highest SACK edge ($v)"
  [ "$v" = limit1 ] && lab_sysctl "$NS_S" net.ipv4.tcp_challenge_ack_limit=1 net.ipv4.tcp_invalid_ratelimit=0
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  V=$v lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
if os.environ["V"] == "request":
    d.until(4.0)
    srv.close()
    raise SystemExit
c = srv.accept("server")
if os.environ["V"] in ("ratelimit", "paws"):
    d.until(2.5)
    c.send(1000)
    c.recv()
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
if os.environ["V"] == "request":
    a.timestamps = False  # no options but the MSS and SACK-permitted: the request keeps no timestamps
    b = d.RawPeer("peerB", os.environ["CIP"], 40001, os.environ["SIP"], 8080)
    syn = d.tcp_options(1460, True, None)
    d.until(2.0)
    d.send_raw_tcp("peerA", a.src, a.sport, a.dst, a.dport, a.isn, 0, "S", 64240, options=syn)
    d.send_raw_tcp("peerB", b.src, b.sport, b.dst, b.dport, b.isn, 0, "S", 64240, options=syn)
    a._drain(want_synack=True); b._drain(want_synack=True)
    d.until(2.10); a.send(100001, 10, "PA", 65535, ack=1)
    d.until(2.15); a.send(100001, 0, "A", 65535, ack=1)
    d.until(2.20); a.send(100001, 0, "A", 65535, ack=1)
    d.until(2.30); a.send(1, 0, "A", 65535, ack=5)
    d.until(2.40); d.send_raw_tcp("peerA", a.src, a.sport, a.dst, a.dport, a.isn, 0, "S", 64240, options=syn)
    d.until(2.50); b.send(10, 0, "S", 65535, ack=0)
    d.until(2.70); b.send(1, 0, "A", 65535, ack=1)
    d.until(2.80); d.send_raw_tcp("peerA", a.src, a.sport, a.dst, a.dport, a.isn, 0, "S", 64240, options=syn)
    d.until(3.00); a.send(1, 0, "RA", 65535, ack=1)
    d.until(3.20); a.send(1, 0, "A", 65535, ack=1)
    d.until(3.5)
    raise SystemExit
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
elif os.environ["V"] == "paws":
    def old(seq, length, flags, ack):
        d.send_raw_tcp("peerA", a.src, a.sport, a.dst, a.dport, a.isn + seq, (a.peer_isn + ack) & 0xffffffff, flags,
                       65535, b"x" * length, d.tcp_options(None, False, (1000, a.ts_recent)))
    d.until(2.6); a.send(1, 0, "A", 65535, ack=1001)
    d.until(2.7); a.send(1, 100, "PA", 65535, ack=1001)
    d.until(3.0); a._drain(); old(1, 0, "A", 1001)
    d.until(3.1); a._drain(); old(101, 0, "A", 1001)
    d.until(3.2); a._drain(); old(101, 10, "PA", 1001)
    d.until(3.3); a._drain(); old(101, 0, "A", 1001)
    d.until(4.0); a._drain(); old(101, 0, "RA", 1001)
    d.until(4.5)
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
if [ $# -gt 0 ]; then run "$1"; else run ratelimit; run limit1; run request; run paws; fi
