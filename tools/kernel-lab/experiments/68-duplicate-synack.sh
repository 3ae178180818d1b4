#!/usr/bin/env bash
# 68: a duplicate SYN-ACK arriving at a socket that connect()ed, in ESTABLISHED and then in TIME_WAIT. The socket
# (10.0.2.2:8080, in the server namespace) connect()s at 2.0 to a raw peer (driver.RawPeer.accept in the client
# namespace at 10.0.1.2:40000, MSS 1460, SACK, no timestamps, no window scaling, window 65535; its host's own RSTs
# dropped, with and without ACK: it sees a SYN for a closed port), which answers the SYN with a SYN-ACK and then repeats it (same options) at:
#   t=2.5, 2.6, 3.2  (ESTABLISHED: RFC 5961 challenge ACK, one per 500 ms?)
#   t=3.5 10 bytes from the peer (read)  t=4.0 the SYN-ACK again (ACK with ack 11?)
#   t=4.5 the socket close()s; t=4.6 the peer ACKs the FIN with its own FIN: TIME_WAIT
#   t=5.0, 5.1, 5.6  the SYN-ACK to the TIME_WAIT (out of window with SYN: ACK, rate-limited?)
source "$(dirname "$0")/../lab.sh"

run() {
  lab_init "68-duplicate-synack" routed "kg68" "a duplicate SYN-ACK to a connect()ed socket in ESTABLISHED and TIME_WAIT"
  lab_ipt "$NS_C" -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  lab_ss_at "$NS_S" server 4.3,5.3
  lab_py "$NS_S" <<'PY' &
import driver as d, os
d.until(2.0)
s = d.Sock("server"); s.bind((os.environ["SIP"], 8080))
s.connect((os.environ["CIP"], 40000), wait_for_listener=False)
s.recv()
d.until(4.5)
s.close()
PY
  lab_py "$NS_C" <<'PY'
import driver as d, os
d.until(1.5)
a = d.RawPeer("peer", os.environ["CIP"], 40000, os.environ["SIP"], 8080)
a.accept(1460, sack_ok=True, win=65535)
def synack():
    d.send_raw_tcp("peer", a.src, a.sport, a.dst, a.dport, a.isn, (a.peer_isn + 1) & 0xffffffff, "SA", 65535,
                   options=d.tcp_options(1460, True, None))
for t in (2.5, 2.6, 3.2):
    d.until(t); synack()
d.until(3.5); a.send(1, 10, "PA", 65535, ack=1)
d.until(4.0); synack()
d.until(4.6); a.send(11, 0, "FA", 65535, ack=2)
for t in (5.0, 5.1, 5.6):
    d.until(t); synack()
d.until(5.8)
PY
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
run
