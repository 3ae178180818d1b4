#!/usr/bin/env bash
# 02: lost SYN. The router drops every SYN to the server (FORWARD). The client connects at t=1
# and we record every SYN retransmission until connect() fails.
# Variants: default sysctls; net.ipv4.tcp_syn_linear_timeouts=0; net.ipv4.tcp_syn_retries=2 (client ns).
# Usage: 02-lost-syn.sh [default|linear0|synretries2|synretries3]   (no argument: all, in sequence)
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "02-lost-syn-$v" routed "kl02${v:0:2}" "lost SYN: router drops all SYNs to the server; client connect() at t=1 ($v)"
  case $v in
    linear0) lab_sysctl "$NS_C" net.ipv4.tcp_syn_linear_timeouts=0 ;;
    synretries2) lab_sysctl "$NS_C" net.ipv4.tcp_syn_retries=2 ;;
    synretries3) lab_sysctl "$NS_C" net.ipv4.tcp_syn_retries=3 ;;
  esac
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py "$NS_S" <<'EOF' &
import driver as d, os
srv = d.Sock("server"); srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
d.until(150)
EOF
  LAB_BG+=($!)
  lab_ipt "$NS_R" -A FORWARD -d $SERVER_IP -p tcp --syn -j DROP
  lab_py "$NS_C" <<'EOF' &
import driver as d, os
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
s.close()
EOF
  local cpid=$!
  lab_at 1.5; lab_ss "$NS_C" "client while SYN_SENT"
  lab_at 10; lab_ss "$NS_C" "client while SYN_SENT"
  wait $cpid
  lab_ss "$NS_C" "client after connect() returned"
  lab_ipt_counters "$NS_R"
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else for v in default linear0 synretries2 synretries3; do run $v; done; fi
