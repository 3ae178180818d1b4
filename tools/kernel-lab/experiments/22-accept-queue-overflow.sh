#!/usr/bin/env bash
# 22: accept-queue overflow. listen(backlog=1) (the accept queue then holds 2), never accept().
# t=1   c1 (port 40001) connects                       -> accept queue 1
# t=1.5 router starts dropping c3's ACK-flagged segments (rule deleted at t=4)
# t=2   c3 (40003) connects: request socket in SYN_RECV, its third ACK is held
# t=2.5 c2 (40002) connects                            -> accept queue 2 = full
# t=4   rule deleted; c3's next ACK (answer to the SYN-ACK retransmission) meets a full queue
# t=6   c1, c2, c3 send 10 bytes and wait in recv()
# t=7   c4 (40004) connects while the queue is full
# Variants: default (tcp_abort_on_overflow=0, watched 80 s) and abort (tcp_abort_on_overflow=1 in server ns).
source "$(dirname "$0")/../lab.sh"
RULE=(FORWARD -s 10.0.1.2 -p tcp --sport 40003 --tcp-flags ACK ACK -j DROP)

run() {
  local v=$1 LAB_ARGS=$1 tend
  if [ $v = abort ]; then tend=15; else tend=80; fi
  lab_init "22-accept-queue-overflow-$v" routed "kl22${v:0:2}" "accept queue overflow: listen(1), no accept(); c1 t=1, c3 t=2 (third ACK held t=1.5..4), c2 t=2.5, data t=6, c4 t=7 ($v)"
  [ $v = abort ] && lab_sysctl "$NS_S" net.ipv4.tcp_abort_on_overflow=1
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_tcpdump "$NS_S" s0 server tcp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(1)
d.until(float(os.environ["TEND"]))
EOF
  LAB_BG+=($!)
  for i in 1 2 3 4; do
    I=$i TEND=$tend lab_py "$NS_C" <<'EOF' &
import driver as d, os
i = int(os.environ["I"])
d.until({1: 1.0, 2: 2.5, 3: 2.0, 4: 7.0}[i])
s = d.Sock("c%d" % i); s.bind((os.environ["CIP"], 40000 + i))
if s.connect((os.environ["SIP"], 8080)) == 0 and i != 4:
    d.until(6.0)
    s.send(10)
    s.recv()
s.close()
EOF
  done
  lab_at 1.5; lab_ipt "$NS_R" -A "${RULE[@]}"
  lab_at 2.7; lab_ss "$NS_S" "server (c3 ACK held)"; lab_ss "$NS_C" "clients"
  lab_at 4; lab_ipt "$NS_R" -D "${RULE[@]}"
  lab_at 5.5; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "clients"
  lab_at 8; lab_ss "$NS_S" "server"; lab_ss "$NS_C" "clients"
  if [ $v = default ]; then
    lab_ss_every "$NS_S" 10 7 "server"
    lab_ss_every "$NS_C" 10 7 "clients"
  fi
  lab_at $((tend - 1)); lab_ss "$NS_S" "server before the listener closes"; lab_ss "$NS_C" "clients"
  lab_at $((tend + 1))
  lab_ss "$NS_S" "server after the listener closed"; lab_ss "$NS_C" "clients"
  # bounded: every client process is under lab_py's timeout; kill leftovers (blocked connect()/recv())
  local pid; for pid in $(ip netns pids "$NS_C"); do kill "$pid" 2>/dev/null; done
  lab_log lab "remaining client processes killed (their sockets close)"
  lab_at $((tend + 2))
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run abort; run default; fi
