#!/usr/bin/env bash
# 59: iptables REJECT --reject-with tcp-reset against an established connection. From t=1.5 the server's INPUT
# rejects the client's segments that carry data; the client sends 100 bytes at t=2: netfilter answers with R at the
# data's ack (nf_send_reset), which is the client's rcv_nxt, so the client's connection is reset (recv():
# ECONNRESET) while the server's socket, which never saw anything, stays ESTABLISHED; at t=3 the server sends 10
# bytes, which the client's host answers with R (no socket), and the server's recv() fails with ECONNRESET.
source "$(dirname "$0")/../lab.sh"

lab_init "59-reject-established" routed ks59 "REJECT --reject-with tcp-reset for an established connection's data"
lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
lab_py "$NS_S" <<'PY' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
c = srv.accept("server")
d.until(3.0)
c.send(10)
c.recv()
c.close()
PY
lab_py "$NS_C" <<'PY' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0)
s.send(100)
s.recv()
s.close()
PY
lab_at 1.5; lab_ipt "$NS_S" -A INPUT -p tcp --dport 8080 -m length --length 53:65535 -j REJECT --reject-with tcp-reset
lab_at 2.5; lab_ss "$NS_S" "server (client reset)"
lab_wait_jobs
lab_ipt_counters "$NS_S"
lab_finish
lab_cleanup
