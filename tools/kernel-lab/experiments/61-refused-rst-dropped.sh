#!/usr/bin/env bash
# 61: connect() to a closed port while the client's INPUT drops the RSTs that answer it (net.ipv4.tcp_syn_retries=3
# in the client namespace, tcp_syn_linear_timeouts at its default 4, so SYNs 1 s apart):
#   c1 (40001) -> 8080 (closed): every RST dropped; the SYN retransmitted until connect() fails with ETIMEDOUT
#   c2 (40002) -> 8080 (closed): RSTs dropped until t=2.5; the SYN at t=3 draws an RST that gets through: ECONNREFUSED
#   c3 (40003) -> 8081: RSTs dropped throughout; the server opens a listener on 8081 at t=2.5: the SYN at t=3 connects
# All three connect at t=1.
source "$(dirname "$0")/../lab.sh"
R1=(INPUT -p tcp --dport 40001 --tcp-flags RST RST -j DROP)
R2=(INPUT -p tcp --dport 40002 --tcp-flags RST RST -j DROP)
R3=(INPUT -p tcp --dport 40003 --tcp-flags RST RST -j DROP)

lab_init "61-refused-rst-dropped" routed kf61 "connect() to a closed port with the RSTs dropped on the client (all of them, the first ones) and to a port that opens later"
lab_sysctl "$NS_C" net.ipv4.tcp_syn_retries=3
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
lab_ipt "$NS_C" -A "${R1[@]}"
lab_ipt "$NS_C" -A "${R2[@]}"
lab_ipt "$NS_C" -A "${R3[@]}"
lab_py "$NS_S" <<'PY' &
import driver as d, os
d.until(2.5)
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8081)); srv.listen(8)
c = srv.accept("server")
c.recv()
c.close()
srv.close()
PY
for i in 1 2 3; do
  I=$i lab_py "$NS_C" <<'PY' &
import driver as d, os
i = int(os.environ["I"])
d.until(1.0)
s = d.Sock("c%d" % i); s.bind((os.environ["CIP"], 40000 + i))
s.connect((os.environ["SIP"], 8081 if i == 3 else 8080), wait_for_listener=False)
s.close()
PY
done
lab_at 2.5; lab_ipt "$NS_C" -D "${R2[@]}"
lab_wait_jobs
lab_ipt_counters "$NS_C"
lab_finish
lab_cleanup
