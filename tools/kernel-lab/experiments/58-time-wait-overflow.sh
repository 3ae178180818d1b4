#!/usr/bin/env bash
# 58: tcp_max_tw_buckets=1 in the client namespace. Two connections (client ports 40000 and 40001) are closed by
# the client at t=2 and t=2.5; the server closes each at t=3 and t=3.5. The first gets the one TIME-WAIT; the
# second has none (TCPTimeWaitOverflow): its last ACK is sent and the socket is gone. The router drops the
# client's segments from port 40001 between t=3.2 and t=3.7, so the server's FIN of the second connection is
# retransmitted; the client's host, with no socket for it, answers with an RST.
source "$(dirname "$0")/../lab.sh"

lab_init "58-time-wait-overflow" routed ks58 "tcp_max_tw_buckets=1: the second TIME-WAIT is not kept; a retransmitted FIN gets an RST"
lab_sysctl "$NS_C" net.ipv4.tcp_max_tw_buckets=1
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
a = srv.accept("server")
b = srv.accept("server")
a.recv()
d.until(3.0)
a.close()
b.recv()
d.until(3.5)
b.close()
PY
lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
a = d.Sock("client"); a.bind((os.environ["CIP"], 40000))
a.connect((os.environ["SIP"], 8080))
b = d.Sock("client"); b.bind((os.environ["CIP"], 40001))
b.connect((os.environ["SIP"], 8080))
d.until(2.0)
a.close()
d.until(2.5)
b.close()
PY
lab_at 3.2; lab_ipt "$NS_R" -A FORWARD -s $CLIENT_IP -p tcp --sport 40001 -j DROP
lab_at 3.6; lab_ss "$NS_C" "client"
lab_at 3.7; lab_ipt "$NS_R" -D FORWARD -s $CLIENT_IP -p tcp --sport 40001 -j DROP
lab_at 5; lab_ss "$NS_C" "client"
lab_note "client nstat: $(ip netns exec "$NS_C" nstat -az TcpExtTCPTimeWaitOverflow TcpOutRsts 2>/dev/null | awk 'NR > 1 { printf "%s %s  ", $1, $2 }')"
lab_wait_jobs
lab_finish
lab_cleanup
