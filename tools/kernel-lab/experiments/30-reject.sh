#!/usr/bin/env bash
# 30: iptables REJECT on the server's INPUT (routed; the capture takes ICMP as well as TCP).
# The server listens on 8080 from the start; the client binds 40000.
# "tcp-reset": `-p tcp --dport 8080 -j REJECT --reject-with tcp-reset` from t=1.5; connect() at t=2 meets an RST.
# "port-unreachable": `-p tcp --dport 8080 -j REJECT` (icmp-port-unreachable) from t=1.5; connect() at t=2.
#   On this instant path the ICMP error comes back while connect() still holds the socket (the whole round
#   trip runs in the softirq its SYN raised): tcp_v4_err keeps it as the soft error only (LockDroppedIcmps),
#   and it is the retransmitted SYN's error, 1 s later, that fails connect().
# "port-unreachable-delayed": the same through tools/kernel-lab/delayline.py, 10 ms each way: the error
#   arrives after connect() has gone to sleep, and fails it at once.
# "host-unreachable-connect": `--reject-with icmp-host-unreachable` from t=1.5; connect() at t=2.
# "host-unreachable-established": tcp_retries2=3 on the client; connect() at t=2, then from t=2.5 the server
#   rejects the client's data segments (`-m length --length 53:65535`, bare ACKs pass) with icmp-host-unreachable;
#   the client sends 100 bytes at t=3 and waits in recv(): RFC 6069 RTO revert (tcp_ld_RTO_revert) on each
#   ICMP that answers a retransmission of snd_una, the soft error becoming recv()'s errno when tcp_retries2
#   gives up; the server's ICMP rate limit (icmp_ratelimit, icmp_ratemask) decides which retransmissions get one.
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1 rule tend=4
  case $v in
    tcp-reset) rule=(-p tcp --dport 8080 -j REJECT --reject-with tcp-reset) ;;
    port-unreachable|port-unreachable-delayed) rule=(-p tcp --dport 8080 -j REJECT) ;;
    host-unreachable-connect) rule=(-p tcp --dport 8080 -j REJECT --reject-with icmp-host-unreachable) ;;
    host-unreachable-established)
      rule=(-p tcp --dport 8080 -m length --length 53:65535 -j REJECT --reject-with icmp-host-unreachable); tend=12 ;;
  esac
  lab_init "30-reject-$v" routed "kexp30${v:0:1}${v:17:1}" "iptables REJECT on the server's INPUT ($v): ${rule[*]}"
  [ $v = host-unreachable-established ] && lab_sysctl "$NS_C" net.ipv4.tcp_retries2=3
  [ $v = port-unreachable-delayed ] && { lab_delay_line 10 || exit 1; }
  lab_tcpdump "$NS_C" c0 wire tcp or icmp
  lab_tcpdump "$NS_S" s0 server tcp or icmp
  TEND=$tend lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
srv.settimeout(float(os.environ["TEND"]) - d.now())
c = srv.accept("server")
if c is not None:
    c.settimeout(float(os.environ["TEND"]) - d.now())
    c.recv()
EOF
  V=$v lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(2.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
if os.environ["V"] == "host-unreachable-established":
    d.until(3.0)
    s.send(100)
    s.recv()
    s.getsockopt_error()
    s.send(10)
s.close()
EOF
  if [ $v = host-unreachable-established ]; then
    lab_ss_at "$NS_C" client 2.2,3.1,3.3,3.5,3.7,4.0,5.0,6.0,7.0,9.0
    lab_at 2.5
  else
    lab_at 1.5
  fi
  lab_ipt "$NS_S" -I INPUT "${rule[@]}"
  lab_wait_jobs
  lab_ipt_counters "$NS_S"
  lab_delay_line_stop
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPTimeouts|TcpExtTCPAbortOnTimeout|IcmpInDestUnreachs|IcmpInMsgs|TcpExtOutOfWindowIcmps|TcpExtLockDroppedIcmps'"
  python3 "$LAB_DRIVER" snap "$NS_S server Icmp counters" "$LAB_SS" -- ip netns exec "$NS_S" sh -c \
    "nstat -az | grep -E 'IcmpOutDestUnreachs|IcmpOutMsgs|IcmpOutRateLimit|IcmpMsgOutType3'"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else
  run tcp-reset; run port-unreachable; run port-unreachable-delayed; run host-unreachable-connect; run host-unreachable-established
fi
