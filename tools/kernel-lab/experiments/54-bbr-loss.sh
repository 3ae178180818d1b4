#!/usr/bin/env bash
# 54: BBR through losses (net/ipv4/tcp_bbr.c with tcp_input.c's recovery). The path of experiment 53: the router
# forwards through tools/kernel-lab/delayline.py, 10 ms each way at 10 Mbit/s each direction; one segment per skb.
# Congestion control bbr (set explicitly), everything else default. The client connects at t=1, writes 1200000
# bytes at t=2 and shuts down; the server reads (recv 65536) until EOF and closes. The delay line bypasses the
# router's netfilter (packet sockets), so the drops are in the server's INPUT chain (the client's data, IP length
# > 52): from t=2.25 to t=2.35 the first such segment only (`-m statistic --mode nth --every 100000 --packet 0`):
# one hole, SACKed around (fast recovery, packet conservation in bbr); from t=2.55 to t=2.80 every one: the flight,
# the tail loss probe and nothing acknowledged until the RTO (TCP_CA_Loss under bbr). ss -tanoi of the client every
# 20 ms from t=2.0 to t=3.8; the client namespace's TcpExt counters at the end.
# Variant "nth4" (54-bbr-loss-nth4): instead, every 4th data segment dropped from t=2.3 to t=3.1 (25% loss, above
# bbr_lt_loss_thresh's 20%: the long-term bandwidth sampler's policer detection, bbr_lt_bw_sampling).
# Variant "hold" (54-bbr-loss-hold): nothing dropped; the server's INPUT sends the client's packets to NFQUEUE, where
# tools/kernel-lab/nfq_hold.py holds the original of the segment at relative sequence 463361 for 8 ms: the segments
# behind it overtake it, three SACKs make RACK retransmit it, the original then arrives and the retransmission is
# D-SACKed: an undo (tcp_try_undo_dsack, bbr_undo_cwnd).
source "$(dirname "$0")/../lab.sh"

run() {
  local variant=${1:-} LAB_ARGS=${1:-}
  if [ "$variant" = hold ]; then
    lab_init "54-bbr-loss-hold" routed "kb54" \
      "1200000 bytes at t=2 over a 20 ms round trip at 10 Mbit/s (delay line), bbr; the server's NFQUEUE holds the original of relative seq 463361 for 8 ms; ss -tanoi every 20 ms"
  elif [ "$variant" = nth4 ]; then
    lab_init "54-bbr-loss-nth4" routed "kb54" \
      "1200000 bytes at t=2 over a 20 ms round trip at 10 Mbit/s (delay line), bbr; server drops every 4th data segment from t=2.3 to t=3.1; ss -tanoi every 20 ms"
  else
    lab_init "54-bbr-loss" routed "kb54" \
      "1200000 bytes at t=2 over a 20 ms round trip at 10 Mbit/s (delay line), bbr; server drops one data segment after t=2.25 and all from t=2.55 to t=2.80; ss -tanoi every 20 ms"
  fi
  lab_delay_line 10 10000 || exit 1
  lab_sysctl "$NS_C" net.ipv4.tcp_congestion_control=bbr
  lab_sysctl "$NS_S" net.ipv4.tcp_congestion_control=bbr
  if [ "$variant" = hold ]; then
    ip netns exec "$NS_S" timeout 60 python3 "$LAB_DIR/nfq_hold.py" --queue 0 --hold 463361:8 \
      --log "$LAB_WORK/hold.log" --seconds 30 &
    LAB_BG+=($!)
    local i; for i in $(seq 1 50); do grep -q ready "$LAB_WORK/hold.log" 2>/dev/null && break; sleep 0.1; done
    lab_ipt "$NS_S" -A INPUT -s "$CLIENT_IP" -p tcp -j NFQUEUE --queue-num 0 --queue-bypass
  fi
  lab_tcpdump "$NS_C" c0 wire tcp
  lab_py_reading_server "$NS_S" 20000 &
  local spid=$!
  lab_py "$NS_C" <<'PY' &
import driver as d, os, socket
d.until(1.0)
s = d.Sock("client"); s.bind((os.environ["CIP"], 40000))
s.connect((os.environ["SIP"], 8080))
d.until(2.0); s.sendall(1200000, b"x")
s.shutdown(socket.SHUT_WR)
s.recv()
s.close()
PY
  local cpid=$!
  local times
  times=$(python3 -c "print(','.join('%.2f' % (2.0 + 0.02 * i) for i in range(91)))")
  ip netns exec "$NS_C" env LAB_T0="$LAB_T0" timeout "${LAB_PY_TIMEOUT:-300}" \
    python3 "$LAB_DRIVER" snaps "$NS_C client" "$LAB_SS" "$times" -- ss -tanoi sport = :40000 &
  LAB_BG+=($!)
  local one="INPUT -s $CLIENT_IP -p tcp -m length --length 53:65535 -m statistic --mode nth --every 100000 --packet 0 -j DROP"
  local all="INPUT -s $CLIENT_IP -p tcp -m length --length 53:65535 -j DROP"
  if [ "$variant" = hold ]; then
    :
  elif [ "$variant" = nth4 ]; then
    local nth="INPUT -s $CLIENT_IP -p tcp -m length --length 53:65535 -m statistic --mode nth --every 4 --packet 0 -j DROP"
    lab_at 2.30; lab_ipt "$NS_S" -A $nth
    lab_at 3.10; lab_ipt "$NS_S" -D $nth
  else
    lab_at 2.25; lab_ipt "$NS_S" -A $one
    lab_at 2.35; lab_ipt "$NS_S" -D $one
    lab_at 2.55; lab_ipt "$NS_S" -A $all
    lab_at 2.80; lab_ipt "$NS_S" -D $all
  fi
  wait $spid $cpid
  python3 "$LAB_DRIVER" snap "$NS_C client TcpExt counters" "$LAB_SS" -- ip netns exec "$NS_C" sh -c \
    "nstat -az | grep -E 'TcpRetransSegs|TCPLossProbes|TCPLossProbeRecovery|TCPTimeouts|TCPSackRecovery|TCPLossUndo|TCPSpuriousRTOs|TCPLostRetransmit|TCPFastRetrans|TCPSlowStartRetrans|TCPSACKReorder|TCPDSACKRecv|TCPDSACKUndo|TCPFullUndo|TCPPartialUndo|TCPSackRecoveryFail|TCPSackShifted|TCPSackMerged'"
  lab_delay_line_stop
  [ "$variant" = hold ] && sed 's/^/hold: /' "$LAB_WORK/hold.log" >>"$LAB_WORK/notes"
  lab_ipt_counters "$NS_S"
  lab_finish
  lab_cleanup
}
run "$@"
