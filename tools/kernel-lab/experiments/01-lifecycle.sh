#!/usr/bin/env bash
# 01: normal lifecycle. connect, client (t=1) sends 100 bytes, server replies 50 after 0.3 s,
# client close() at t=2.0, server close() at t=2.5 after reading EOF. Loopback and routed.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local topo=$1
  lab_init "01-lifecycle-$topo" "$topo" "kl01${topo:0:1}" \
    "normal lifecycle: handshake, 100 bytes client->server, 50 bytes server->client (0.3 s later), client connect at t=1, close at t=2.0, server close at t=2.5 after EOF"
  if [ "$topo" = loopback ]; then lab_tcpdump "$NS_C" lo wire tcp; else lab_tcpdump "$NS_C" c0 wire tcp; fi
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.reuseaddr(); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv(1000)
d.sleep(0.3)
c.send(50, b"s")
c.recv(1000)          # EOF after the client's FIN
d.until(2.5)
c.close()
d.until(4.0)
EOF
  local spid=$!
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
s.send(100, b"c")
s.recv(1000)
d.until(2.0)
s.close()
d.until(4.0)
EOF
  local cpid=$!
  lab_at 1.1; lab_ss "$NS_C" "client after handshake+request (before reply)"
  [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server after request"
  lab_at 1.5; lab_ss "$NS_C" "client after reply"
  lab_at 2.2; lab_ss "$NS_C" "client after client close (FIN_WAIT2 / CLOSE_WAIT)"
  [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server after client close"
  lab_at 2.8; lab_ss "$NS_C" "client after server close (TIME_WAIT)"
  [ "$NS_S" != "$NS_C" ] && lab_ss "$NS_S" "server after server close"
  wait $spid $cpid
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run loopback; run routed; fi
