#!/usr/bin/env bash
# 55: TCP_USER_TIMEOUT on the client (reno in both namespaces, so nothing is paced).
# Variants:
#   syn        user timeout 1500 ms; the router drops the client's SYNs: SYN, one retransmission at 1 s, then the
#              retransmission timer clamped to the time left (tcp_clamp_rto_to_user_timeout), ETIMEDOUT at 1.5 s
#   data       user timeout 2000 ms; the router drops client->server data from t=1.5; 100 bytes at t=2, recv()
#   keepalive  user timeout 2500 ms, keepalive idle 1 s, interval 1 s, count 9; the router drops everything from
#              the server from t=1.5; the client idle in recv() (tcp_keepalive_timer gives up on the user timeout)
#   zero-window user timeout 2500 ms; the server (SO_RCVBUF 4096) never reads; the client writes 8000 bytes at
#              t=1.5 and the server keeps answering the window probes with a zero window (tcp_probe_timer)
source "$(dirname "$0")/../lab.sh"

run() {
  local v=$1 LAB_ARGS=$1
  lab_init "55-user-timeout-$v" routed ks55 "TCP_USER_TIMEOUT on the client ($v)"
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=reno
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=reno
  lab_tcpdump "$NS_C" c0 wire --immediate-mode tcp
  [ $v = syn ] && lab_ipt "$NS_R" -A FORWARD -s $CLIENT_IP -p tcp --syn -j DROP
  VARIANT=$v lab_py "$NS_S" <<'PY' &
import driver as d, os, socket
v = os.environ["VARIANT"]
srv = d.Sock("server")
if v == "zero-window":
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096, "SO_RCVBUF")
srv.bind((os.environ["SIP"], 8080)); srv.listen(8)
if v != "syn":
    c = srv.accept("server")
    d.until(10.0)
    c.tcp_state()
else:
    d.until(4.0)
PY
  LAB_BG+=($!)
  VARIANT=$v lab_py "$NS_C" <<'PY' &
import driver as d, os, socket
v = os.environ["VARIANT"]
timeout = {"syn": 1500, "data": 2000, "keepalive": 2500, "zero-window": 2500}[v]
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, timeout, "TCP_USER_TIMEOUT")
if v == "keepalive":
    s.keepalive(idle=1, intvl=1, cnt=9)
s.connect((os.environ["SIP"], 8080))
if v == "data":
    d.until(2.0)
    s.send(100)
elif v == "zero-window":
    d.until(1.5)
    s.send(8000)
s.recv(1000)
s.close()
PY
  local cpid=$!
  case $v in
    data) lab_at 1.5; lab_ipt "$NS_R" -A FORWARD -s $CLIENT_IP -d $SERVER_IP -p tcp -m length --length 53:65535 -j DROP ;;
    keepalive) lab_at 1.5; lab_ipt "$NS_R" -A FORWARD -s $SERVER_IP -j DROP ;;
  esac
  lab_ss_at "$NS_C" "client" 1.2,2.2,3.2,4.2
  wait $cpid
  lab_ss "$NS_C" "client after recv() returned"
  [ -n "$NS_R" ] && lab_ipt_counters "$NS_R"
  lab_note "client nstat: $(ip netns exec "$NS_C" nstat -az TcpOutRsts TcpExtTCPAbortFailed TcpExtTCPAbortOnTimeout TcpExtTCPKeepAlive TcpExtTCPWinProbe TcpRetransSegs 2>/dev/null | awk 'NR > 1 { printf "%s %s  ", $1, $2 }')"
  lab_wait_jobs
  lab_finish
  lab_cleanup
}
if [ $# -gt 0 ]; then run "$1"; else run syn; run data; run keepalive; run zero-window; fi
