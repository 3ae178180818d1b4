#!/usr/bin/env bash
# 66: data and FIN in one segment to an ESTABLISHED socket whose application is blocked in recv() (tcp_data_queue
# then tcp_fin: the FIN puts the socket in ping-pong mode, so when and how is the segment ACKed?), and a retransmission
# of that segment in CLOSE-WAIT. A raw peer (driver.RawPeer in the client namespace, MSS 1460, SACK, timestamps, no
# window scaling, window 65535; its host's own RSTs dropped) connects to a real listener at 2.0; at 2.5 it sends 100
# bytes (ACKed, read), at 3.0 10 bytes with FIN (seq 101:111).
# Variant reply: the server reads 10 then 0 (EOF); the peer repeats the segment at 3.2; the server sends 100 bytes at
#   3.5 (ACKed by the peer at 3.6) and close()s at 4.0 (its FIN ACKed at 4.1).
# Variant close: the server close()s as soon as recv() returns 0; the peer ACKs its FIN at 3.1.
# Variant nagle (scenario k66-fin-with-data-nagle): no raw peer; a real client over a 100 ms round trip (delay line,
#   50 ms each way) sends 10 bytes at 3.0, 10 more at once (held by Nagle: the first is unacknowledged) and
#   close()s: the FIN joins the held segment, which leaves with the first ACK (FP. 11:21); the server reads 10, 10,
#   then 0 (EOF) and close()s at 3.5.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "66-fin-with-data-$v" routed "kg66${v:0:1}" "data and FIN in one segment to a socket blocked in recv() ($v)"
  if [ "$v" = nagle ]; then run_nagle; return; fi
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST,ACK RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 3.1,3.7,4.2
  V=$v lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
c.recv()
c.recv()
if os.environ["V"] == "reply":
    d.until(3.5)
    c.send(100)
    d.until(4.0)
c.close()
srv.close()
PY
  V=$v lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
d._wait_for_listener()
a = d.RawPeer("peerA", os.environ["CIP"], 40000, os.environ["SIP"], 8080, timestamps=True)
d.until(2.0)
a.connect(1460, sack_ok=True, win=65535)
d.until(2.5); a.send(1, 100, "PA", 65535, ack=1)
d.until(3.0); a.send(101, 10, "FPA", 65535, ack=1)
if os.environ["V"] == "reply":
    d.until(3.2); a.send(101, 10, "FPA", 65535, ack=1)
    d.until(3.6); a.send(112, 0, "A", 65535, ack=101)
    d.until(4.1); a.send(112, 0, "A", 65535, ack=102)
    d.until(4.4)
else:
    d.until(3.1); a.send(112, 0, "A", 65535, ack=2)
    d.until(3.4)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
run_nagle() {
  lab_delay_line 50 || exit 1
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 3.3
  lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
c.recv()
c.recv()
c.recv()
d.until(3.5)
c.close()
srv.close()
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(2.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(3.0)
s.send(10)
s.send(10)
s.close()
d.until(4.0)
PY
  lab_wait_jobs
  lab_delay_line_stop
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run reply; run close; run nagle; fi
