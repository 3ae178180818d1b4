#!/usr/bin/env bash
# 63: Nagle and the delayed ACK with small writes (write-write-read). Two request/response connections side by side:
#   c1 (40001 -> 8080, Nagle on, the default) and c2 (40002 -> 8081, TCP_NODELAY). From t=3 (c1) and t=3.25 (c2)
#   every 0.5 s, six rounds: the client writes a 100-byte header and a 100-byte body (two send()s), then reads the
#   100-byte response; each server reads exactly 200 bytes (recv() until it has them) and sends the response.
# Expected on Linux: round 1 quick (the server's quick-ACK credit answers the header at once); from then on the
# server is in ping-pong mode (it answered within ato of receiving), so the header's ACK is delayed (40 ms) and c1's
# body, held by Nagle until that ACK, leaves 40 ms late; c2's body leaves at once.
source "$(dirname "$0")/../lab.sh"

lab_init "63-nagle-delayed-ack" routed kf63 "Nagle and the delayed ACK with write-write-read: the 40 ms stall (c1) and TCP_NODELAY (c2)"
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
for i in 1 2; do
  I=$i lab_py "$NS_S" <<'PY' &
import driver as d, os
i = int(os.environ["I"])
srv = d.Sock("server%d" % i); srv.bind((os.environ["SIP"], 8079 + i)); srv.listen(8)
c = srv.accept("server%d" % i)
for _ in range(6):
    got = 0
    while got < 200:
        r = c.recv(200 - got)
        if not r:
            break
        got += len(r)
    if got < 200:
        break
    c.send(100)
c.recv()
c.close()
PY
done
for i in 1 2; do
  I=$i lab_py "$NS_C" <<'PY' &
import driver as d, os
i = int(os.environ["I"])
d.until(2.0)
s = d.Sock("c%d" % i)
if i == 2:
    s.nodelay()
s.bind((os.environ["CIP"], 40000 + i))
s.connect((os.environ["SIP"], 8079 + i))
for r in range(6):
    d.until(3.0 + 0.25 * (i - 1) + 0.5 * r)
    s.send(100)
    s.send(100)
    got = 0
    while got < 100:
        b = s.recv(100 - got)
        if not b:
            break
        got += len(b)
s.close()
PY
done
lab_ss_at "$NS_S" "server" 5.9
lab_wait_jobs
lab_finish
lab_cleanup
