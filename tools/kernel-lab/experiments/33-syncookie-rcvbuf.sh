#!/usr/bin/env bash
# 33: the SYN-ACK of a SYN cookie when the listener's receive buffer is set (SO_RCVBUF, so locked). The server
# namespace sends cookies for every SYN (tcp_syncookies=2); the listener sets SO_RCVBUF before listen() (variants
# default: not set; rcvbuf4k: 4096, so sk_rcvbuf 8192; rcvbuf64k: 65536, so 131072), the client connects at t=1,
# sends 100 bytes at t=1.5; the server accept()s, reads, answers 1000 bytes and close()s at t=2; the client reads
# the answer and EOF and closes. The cookie's SYN-ACK window and window scale come from tcp_openreq_init_rwin as
# for a request socket; the client's window scale comes back in the cookie's timestamp (1000 bytes fit its window).
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=$1 LAB_ARGS=$1
  lab_init "33-syncookie-rcvbuf-$variant" routed "sackorder33${variant:6:2}" \
    "SYN cookies (tcp_syncookies=2) from a listener with SO_RCVBUF ($variant)"
  lab_sysctl "$NS_S" net.ipv4.tcp_syncookies=2
  lab_tcpdump "$NS_C" c0 wire tcp
  RCVBUF=$(case $variant in rcvbuf4k) echo 4096 ;; rcvbuf64k) echo 65536 ;; *) echo 0 ;; esac) lab_py "$NS_S" <<'PY' &
import driver as d, os, socket
srv = d.Sock("server")
if os.environ["RCVBUF"] != "0":
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(os.environ["RCVBUF"]), "SO_RCVBUF")
srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
c.send(1000)
d.until(2.0); c.close()
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(1.5); s.send(100)
s.recv()
s.recv()
s.close()
d.until(3.0)
PY
  lab_wait_jobs
  python3 "$LAB_DRIVER" snap "$NS_S server TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_S" sh -c "nstat -az | grep -E 'SyncookiesSent|SyncookiesRecv|SyncookiesFailed'"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run default; run rcvbuf4k; run rcvbuf64k; fi
