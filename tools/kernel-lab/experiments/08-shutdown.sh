#!/usr/bin/env bash
# 08: shutdown().
# "shut-wr": client sends 100 bytes and shutdown(SHUT_WR) at t=2; server reads until 0, then sends
#   3 x 1000 bytes at t=2.5, 3.0, 3.5 and close()s at t=4; client reads until 0 (gets all 3000).
# "shut-rd": server sends 200 bytes at t=1.5; client shutdown(SHUT_RD) at t=2, recv() twice; server
#   sends 300 bytes at t=3; client recv() at t=3.5; client close() at t=5; server recv() at t=6.
# "shut-rdwr": client shutdown(SHUT_RDWR) at t=2; server recv() (EOF) then sends 300 bytes at t=3;
#   client recv() at t=3.5, close() at t=5; server recv()/send() at t=6/6.5.
# sysctls: none changed.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "08-shutdown-$v" routed "kl08${v:6:2}" "shutdown variant $v (see script header for the timeline)"
  lab_tcpdump "$NS_C" c0 wire tcp
  case $v in
  shut-wr)
    lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv_until_eof()
for t in (2.5, 3.0, 3.5):
    d.until(t); c.send(1000, b"s")
d.until(4.0); c.close()
EOF
    lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.send(100); s.shutdown(2 - 1)
s.recv_until_eof()
d.until(4.5); s.close()
EOF
    ;;
  shut-rd)
    lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(1.5); c.send(200, b"a")
d.until(3.0); c.send(300, b"b")
d.until(6.0); c.recv_nowait(); c.send(10); d.sleep(0.2); c.send(10)
d.until(7.0); c.close()
EOF
    lab_py "$NS_C" <<'EOF' &
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.shutdown(socket.SHUT_RD)
s.recv_nowait(); s.recv_nowait()
d.until(3.5); s.recv_nowait(); s.recv_nowait()
s.send(10)
d.until(5.0); s.close()
EOF
    ;;
  shut-rdwr)
    lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
d.until(3.0); c.send(300, b"b")
d.until(6.0); c.recv_nowait(); d.until(6.5); c.send(10); d.sleep(0.2); c.send(10)
d.until(7.0); c.close()
EOF
    lab_py "$NS_C" <<'EOF' &
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.shutdown(socket.SHUT_RDWR)
s.recv_nowait()
d.until(3.5); s.recv_nowait()
s.send(10)
d.until(5.0); s.close()
EOF
    ;;
  esac
  local p2=$!
  lab_at 2.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  lab_at 3.6; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  lab_at 5.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  lab_at 7.5; lab_ss "$NS_C" "client"; lab_ss "$NS_S" "server"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run shut-wr; run shut-rd; run shut-rdwr; fi
