#!/usr/bin/env bash
# 19: bind() while old connections are in TIME_WAIT, and SO_REUSEPORT.
# For each (old SO_REUSEADDR, new SO_REUSEADDR) in {0,1}x{0,1} a listener on port 8081..8084 (old option)
# accepts one connection and close()s it first at t=1.5 (server TIME_WAIT), then close()s the listener at
# t=2; at t=3 a new socket (new option) bind()s and listen()s on the same port.
# Also: a listener still open (both with SO_REUSEADDR) on 8085; SO_REUSEPORT: two listeners on 8090 with
# SO_REUSEPORT and 6 clients, then a third socket without SO_REUSEPORT. sysctls: none changed.
source "$(dirname "$0")/../lab.sh"
lab_init "19-bind-reuse" routed kl19 "bind() over TIME_WAIT with/without SO_REUSEADDR (old x new); listener still open; SO_REUSEPORT"
lab_tcpdump "$NS_C" c0 wire tcp
lab_py "$NS_S" <<'EOF' &
import driver as d, os, select
SIP = os.environ["SIP"]
combos = [(0, 0), (0, 1), (1, 0), (1, 1)]
lst, conns = [], []
for i, (old, new) in enumerate(combos):
    l = d.Sock("server[old ra=%d port %d]" % (old, 8081 + i))
    if old: l.reuseaddr()
    l.bind((SIP, 8081 + i)); l.listen(8); lst.append(l)
l5 = d.Sock("server[8085 listener kept]"); l5.reuseaddr(); l5.bind((SIP, 8085)); l5.listen(8)
for l in lst:
    conns.append(l.accept(l.role.replace("old", "old conn")))
d.until(1.5)
for c in conns: c.close()
d.until(2.0)
for l in lst: l.close()
d.until(3.0)
for i, (old, new) in enumerate(combos):
    n = d.Sock("server[new ra=%d after old ra=%d, port %d]" % (new, old, 8081 + i))
    if new: n.reuseaddr()
    if n.bind((SIP, 8081 + i)) == 0:
        n.listen(8)
    n.close()
n = d.Sock("server[8085 second socket]"); n.reuseaddr(); n.bind((SIP, 8085)); n.close()
# SO_REUSEPORT
a = d.Sock("server[8090 A]"); a.reuseport(); a.bind((SIP, 8090)); a.listen(8)
b = d.Sock("server[8090 B]"); b.reuseport(); b.bind((SIP, 8090)); b.listen(8)
c = d.Sock("server[8090 C no reuseport]"); c.bind((SIP, 8090)); c.close()
c = d.Sock("server[8090 D reuseport+reuseaddr]"); c.reuseaddr(); c.reuseport(); c.bind((SIP, 8090)); c.close()
d.until(5.0)
got = 0
for _ in range(20):
    r, _, _ = select.select([a.s, b.s], [], [], 1.0)
    for x in (a, b):
        if x.s in r:
            x.accept(x.role + " conn").close(); got += 1
    if got >= 6: break
d.log("server", "accepted %d connections on 8090" % got)
EOF
lab_py "$NS_C" <<'EOF' &
import driver as d, os
SIP, CIP = os.environ["SIP"], os.environ["CIP"]
d.until(1.0)
cs = []
for i in range(4):
    s = d.Sock("client[%d]" % (8081 + i)); s.bind((CIP, 40001 + i)); s.connect((SIP, 8081 + i)); cs.append(s)
for s in cs:
    s.recv()
    s.close()
d.until(4.0)
for i in range(6):
    s = d.Sock("client[8090 #%d]" % i); s.bind((CIP, 40010 + i)); s.connect((SIP, 8090)); s.close()
EOF
lab_at 2.5; lab_ss "$NS_S" "server (TIME_WAITs on 8081-8084, listener on 8085)"
lab_wait_jobs
lab_ss "$NS_S" "server at end"
lab_finish
