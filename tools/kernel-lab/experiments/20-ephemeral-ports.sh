#!/usr/bin/env bash
# 20: ephemeral ports. net.ipv4.ip_local_port_range="40000 40009" (client ns). 10 connections without bind(),
# each close()d by the client at once (client TIME_WAIT); the 11th connect() -> EADDRNOTAVAIL. Then
# connect() is retried every 0.1 s (fresh socket, at most 75 s) until it succeeds; then 4 more connects.
# Variants: routed with tcp_tw_reuse 0, 1, 2 (2 = default) and loopback with 2 (default) and 0.
source "$(dirname "$0")/../lab.sh"

run() {
  local topo=$1 reuse=$2 LAB_ARGS="$1 $2"
  LAB_ABS=1
  lab_init "20-ephemeral-ports-$topo-reuse$reuse" "$topo" "kl20${topo:0:1}$reuse" "ephemeral ports: range 40000-40009, 10 client-closed connections, 11th connect, retry every 0.1 s; tcp_tw_reuse=$reuse ($topo)"
  lab_sysctl "$NS_C" "net.ipv4.ip_local_port_range=40000 40009"
  [ "$reuse" != 2 ] && lab_sysctl "$NS_C" net.ipv4.tcp_tw_reuse=$reuse
  if [ $topo = loopback ]; then lab_tcpdump "$NS_C" lo wire tcp port 8080; else lab_tcpdump "$NS_C" c0 wire tcp; fi
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(64)
srv.settimeout(90)
for i in range(15):
    c = srv.accept("server")
    if not c: break
    c.recv()
    c.close()
EOF
  LAB_BG+=($!)
  lab_py "$NS_C" <<'EOF'
import driver as d, os, socket, errno, time
SIP = os.environ["SIP"]
d.until(1.0)
ports = []
for i in range(11):
    s = d.Sock("client[%d]" % (i + 1))
    if s.connect((SIP, 8080)) == 0:
        ports.append(s.getsockname()[1])
        s.close()
    else:
        s.close()
d.log("client", "ports chosen in order: %s" % ports)
fails, first, last = 0, d.now(), None
ok = []
deadline = d.now() + 75
while d.now() < deadline and len(ok) < 5:
    x = socket.socket()
    try:
        x.connect((SIP, 8080))
    except OSError as e:
        fails += 1; last = (d.now(), errno.errorcode[e.errno]); x.close()
        time.sleep(0.1)
        continue
    if not ok:
        d.log("client", "retry loop: %d connect() failures (last %s at t=%.3f) since t=%.3f" % (fails, last[1], last[0], first))
    p = x.getsockname()[1]
    ok.append(p)
    d.log("client", "connect() -> 0 from port %d (retry success #%d)" % (p, len(ok)))
    x.close()
d.log("client", "retry successes: %s; failures in total %d" % (ok, fails))
EOF
  lab_ss "$NS_C" "client at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1" "$2"; else run routed 2; run routed 1; run routed 0; run loopback 2; run loopback 0; fi
