#!/usr/bin/env bash
# 22: accept-queue overflow. listen(backlog=1), never accept(). Client c1 (port 40001) connects at t=1.
# c2, c3, c4 (40002-40004) connect at t=2 while the router drops their third ACKs (rule t=1.5..2.5), so all
# three sit in SYN_RECV at once; when the rule goes, the SYN-ACK retransmission at ~t=3 brings their ACKs:
# one fits the queue (backlog 1 holds 2), the others overflow. c5 (40005) connects at t=5 (queue full).
# All clients send 10 bytes at t=6 and wait in recv().
# Variants: default (tcp_abort_on_overflow=0, watched 80 s) and abort (tcp_abort_on_overflow=1 in server ns).
source "$(dirname "$0")/../lab.sh"
RULE=(FORWARD -s 10.0.1.2 -p tcp -m multiport --sports 40002:40004 --tcp-flags SYN,ACK ACK -j DROP)

run() {
  local v=$1 LAB_ARGS=$1 tend
  if [ $v = abort ]; then tend=12; else tend=80; fi
  lab_init "22-accept-queue-overflow-$v" routed "kl22${v:0:2}" "accept queue overflow: listen(1), no accept(); c1 at t=1, c2-c4 at t=2 with third ACKs held until t=2.5, c5 at t=5; data at t=6 ($v)"
  [ $v = abort ] && lab_sysctl "$NS_S" net.ipv4.tcp_abort_on_overflow=1
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(1)
d.until(float(os.environ["TEND"]))
EOF
  LAB_BG+=($!)
  for i in 1 2 3 4 5; do
    I=$i TEND=$tend lab_py "$NS_C" <<'EOF' &
import driver as d, os
i = int(os.environ["I"])
d.until({1: 1.0, 2: 2.0, 3: 2.0, 4: 2.0, 5: 5.0}[i])
s = d.Sock("c%d" % i); s.bind((os.environ["CIP"], 40000 + i))
s.settimeout(float(os.environ["TEND"]) - 3)
if s.connect((os.environ["SIP"], 8080)) == 0:
    d.until(6.0)
    s.send(10)
    s.recv()
s.close()
EOF
  done
  lab_at 1.5; lab_ipt "$NS_R" -A "${RULE[@]}"
  lab_at 2.3; lab_ss "$NS_S" "server (c2-c4 ACKs held)"; lab_ss "$NS_C" "clients"
  lab_at 2.5; lab_ipt_counters "$NS_R"; lab_ipt "$NS_R" -D "${RULE[@]}"
  lab_at 4; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "clients"
  lab_at 7; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "clients"
  if [ $v = default ]; then
    lab_ss_every "$NS_S" 10 7 "server"
    lab_ss_every "$NS_C" 10 7 "clients"
  fi
  lab_wait_jobs
  lab_ss "$NS_S" "server at end"; lab_ss "$NS_C" "clients at end"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run abort; run default; fi
