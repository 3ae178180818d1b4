#!/usr/bin/env bash
# 56: RFC 5961 challenge ACKs of an ESTABLISHED socket and their per-socket rate limit (tcp_invalid_ratelimit
# 500 ms; tcp_challenge_ack_limit is INT_MAX by default), the ACK field's checks, and an old ACK in FIN-WAIT-2.
# A raw peer (driver.RawPeer in the client namespace, MSS 1460, SACK, timestamps, no window scaling, window
# 65535; its host's own RSTs, which carry no ACK flag, dropped; the peer's RSTs carry ACK) opens a connection
# to a real listener; the server sends 1000 bytes at t=1.5, which the peer ACKs at 1.6; then the peer sends:
#   t=2.0  RST+ACK at seq 101 (in the window, not rcv_nxt)   -> challenge ACK
#   t=2.2  RST+ACK at seq 201                                 -> rate-limited (200 ms after the last)
#   t=2.8  SYN at seq 5001                                    -> challenge ACK
#   t=3.4  100 bytes at 1 acking 2001 (not yet sent)          -> challenge ACK, data dropped (6.18)
#   t=4.0  100 bytes at 1 acking 0 (below snd_una - bytes_acked) -> challenge ACK, data dropped
#   t=4.6  100 bytes at 1 acking 1001                         -> ACKed, read
#   server shutdown(SHUT_WR) at 5.0 (FIN 1001), the peer ACKs it at 5.1 (FIN-WAIT-2)
#   t=5.5  100 bytes at 101 acking 1001 (old, within the window) -> accepted in a closing state
#   t=6.0  FIN at 201 acking 1002                              -> TIME-WAIT
source "$(dirname "$0")/../lab.sh"

lab_init "56-challenge-ack" routed ks56 "challenge ACKs and their rate limit, the ACK field's checks, an old ACK in FIN-WAIT-2 (raw peer)"
lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os, socket
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(1.5)
c.send(1000)
d.until(4.8)
c.recv_nowait()
d.until(5.0)
c.shutdown(socket.SHUT_WR)
d.until(5.8)
c.recv_nowait()
d.until(6.3)
c.recv_nowait()
d.until(7.0)
c.close()
PY
lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(0.5)
d._wait_for_listener()
p = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(1.0)
p.connect(1460, sack_ok=True, win=65535)
d.until(1.6); p.send(1, 0, "A", 65535, ack=1001)
d.until(2.0); p.send(101, 0, "RA", 65535, ack=1001)
d.until(2.2); p.send(201, 0, "RA", 65535, ack=1001)
d.until(2.8); p.send(5001, 0, "S", 65535, ack=0)
d.until(3.4); p.send(1, 100, "PA", 65535, ack=2001)
d.until(4.0); p.send(1, 100, "PA", 65535, ack=0)
d.until(4.6); p.send(1, 100, "PA", 65535, ack=1001)
d.until(5.1); p.send(101, 0, "A", 65535, ack=1002)
d.until(5.5); p.send(101, 100, "PA", 65535, ack=1001)
d.until(6.0); p.send(201, 0, "FA", 65535, ack=1002)
d.until(6.5)
PY
lab_ss "$NS_S" "server"
lab_wait_jobs
lab_finish
lab_cleanup
