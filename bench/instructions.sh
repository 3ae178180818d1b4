#!/bin/bash
# Instructions per connection lifecycle, counted by valgrind (cachegrind): a figure that does not depend on the
# machine's load, so two builds can be compared on a busy machine where wall-clock times cannot.
#
#   bench/instructions.sh [lifecycles|lifecycles-loopback] [congestion control] [benchmark binary]
#
# Runs the whole-run benchmark twice under cachegrind, with 10,000 and 30,000 lifecycles, and prints the
# difference divided by 20,000: the steady-state instructions of one lifecycle, without start-up and JIT work.
# Tiered compilation stays on (methods reach tier 1 quickly: no call-counting delay) but without dynamic PGO,
# whose instrumented phase would last too long under valgrind; so the figure is a little higher than what
# the PGO-optimised code of a normal run executes. Needs valgrind (apt-get install valgrind); takes minutes.
set -euo pipefail
mode=${1:-lifecycles-loopback}
congestion=${2:-cubic}
here=$(cd "$(dirname "$0")" && pwd)
binary=${3:-$here/TcpActors.Benchmarks/bin/Release/net10.0/TcpActors.Benchmarks}
if ! command -v valgrind >/dev/null; then
    echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
if [ ! -x "$binary" ]; then
    echo "instructions.sh: $binary not found: run 'dotnet build -c Release bench/TcpActors.Benchmarks' first" >&2
    exit 2
fi

count() {
    DOTNET_TieredPGO=0 DOTNET_TC_CallCountingDelayMs=0 DOTNET_EnableWriteXorExecute=0 \
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$binary" "$mode" "$1" "$congestion" 2>&1 |
        sed -n -E 's/.*I +refs: +([0-9,]+).*/\1/p' | tr -d ,
}

small=$(count 10000)
large=$(count 30000)
echo "$mode ($congestion): $(( (large - small) / 20000 )) instructions per lifecycle (10,000 lifecycles: $small, 30,000: $large)"
