#!/usr/bin/env bash
# StorageRequested → SlotFilled on the devnet for a 64 MiB dataset (issue:
# marketplace, benchmarks): `codex-agent devnet --preset bench-64mib` (three
# providers on this machine, production circuit, development key), then the
# split of each provider's way to its fill, read from its log: fetching the
# slot's blocks over the block exchange (s, MB/s), building the slot tree (s),
# the initial proof (s), and the whole time from the client's request to the
# provider's fill; plus the periodic proofs' times against the 10 s period
# (the margin the deadline check keeps: it refuses slots above half a period).
#
#   bench/devnet_fill_run.sh [path/to/codex-agent]
set -euo pipefail
AGENT=${1:-build/agent/codex-agent}
DIR=$(mktemp -d /tmp/codex-bench-fill.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$AGENT" devnet --preset bench-64mib --plain --data-dir "$DIR/net" >"$DIR/out.txt" 2>&1 || {
  cat "$DIR/out.txt"
  exit 1
}
# Log lines start "YYYY-MM-DD HH:MM:SS.mmm": seconds of the day.
secs() { awk -F'[ :]' '{ print ($2 * 3600 + $3 * 60 + $4) }'; }
# StorageRequested: the client's purchase is "submitted" once requestStorage is mined.
requested=$(grep -h "purchasing: request .*: submitted" "$DIR/net/client/node.log" | head -1 | secs)
printf '%-10s %8s %9s %9s %9s %9s %12s %s\n' provider MB fetch_s MB/s tree_s prove_s request→fill_s periodic_proofs_s
for p in "$DIR"/net/provider*; do
  log=$p/node.log
  fetch=$(grep -h "fetched .* blocks" "$log" | head -1)
  [ -n "$fetch" ] || continue
  mb=$(sed -E 's/.*blocks \(([0-9.]+) MB\).*/\1/' <<<"$fetch")
  fs=$(sed -E 's/.* in ([0-9.]+) s \(.*/\1/' <<<"$fetch")
  mbs=$(sed -E 's/.*\(([0-9.]+) MB\/s\).*/\1/' <<<"$fetch")
  ts=$(sed -E 's/.*slot tree in ([0-9.]+) s.*/\1/' <<<"$fetch")
  ps=$(grep -h "initial proof made in" "$log" | head -1 | sed -E 's/.* in ([0-9.]+) s.*/\1/')
  filled=$(grep -h "filled slot" "$log" | head -1 | secs)
  periodic=$(grep -h "proof submitted" "$log" | sed -E 's/.*take ([0-9.]+) s.*/\1/' | tr '\n' ' ')
  printf '%-10s %8s %9s %9s %9s %9s %12s %s\n' "$(basename "$p")" "$mb" "$fs" "$mbs" "$ts" "$ps" \
    "$(awk -v a="$requested" -v b="$filled" 'BEGIN { printf "%.1f", b - a }')" "$periodic"
done
