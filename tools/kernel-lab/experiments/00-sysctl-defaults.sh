#!/usr/bin/env bash
# 00: the TCP sysctls of a fresh network namespace -> tests/reference/kernel/sysctl-defaults.txt
source "$(dirname "$0")/../lab.sh"
ip netns add kl00-l
{
  echo "# sysctl defaults in a fresh network namespace"
  echo "kernel: $(uname -r)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command: ip netns exec NS sysctl -a 2>/dev/null | grep -E '^net.ipv4.(tcp_|ip_local)|^net.core.somaxconn'"
  echo "note: some values (tcp_congestion_control, tcp_max_tw_buckets, tcp_max_syn_backlog, tcp_mem...) depend on the host or are inherited from the initial namespace"
  echo
  ip netns exec kl00-l sysctl -a 2>/dev/null | grep -E '^net.ipv4.(tcp_|ip_local)|^net.core.somaxconn'
} >"$LAB_OUT_DIR/sysctl-defaults.txt"
ip netns del kl00-l
echo "wrote $LAB_OUT_DIR/sysctl-defaults.txt"
