#!/bin/bash
# Runs scenario.py in a fresh namespace with tcpdump on its loopback; leaves ref.pcap and snapshots here.
set -u
ns=telref$$
ip netns add $ns
trap 'ip netns delete $ns' EXIT
ip netns exec $ns ip link set lo up
ip netns exec $ns sysctl -qw net.ipv4.tcp_fin_timeout=1
ip netns exec $ns tcpdump -i lo --immediate-mode -U -w ref.pcap 2>tcpdump.err & tp=$!
for i in $(seq 50); do grep -q listening tcpdump.err && break; sleep 0.1; done
ip netns exec $ns timeout 60 python3 scenario.py
sleep 0.3
kill -INT $tp; wait $tp
