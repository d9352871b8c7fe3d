#!/usr/bin/env bash
# The side-by-side benchmark, tiny: Parley and Debian's Janus each carry one publisher and
# two subscribers for two seconds (scripts/bench-vs-janus.sh). It checks that both runs
# deliver media and report their figures; how fast either is, is the benchmark's business. Janus must run in a network namespace, which
# needs root and CAP_NET_ADMIN: where the machine cannot make one, the test is skipped (77).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v janus >/dev/null || { echo "skipped: janus is not installed"; exit 77; }
probe=pbprobe$$
if ! ip netns add "$probe" 2>/dev/null; then echo "skipped: cannot make a network namespace here"; exit 77; fi
ip netns del "$probe"
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! out=$(BUILD_DIR=${1:-$root/build} "$root/scripts/bench-vs-janus.sh" --subscribers 2 --seconds 2 2>"$errors"); then
  echo "$out"
  echo "scripts/bench-vs-janus.sh failed:"
  tail -n 40 "$errors"
  exit 1
fi
echo "$out"
python3 - "$out" <<'PY'
import sys
lines = sys.argv[1].split('\n')
table = {l[:38].strip(): l[38:].split() for l in lines if l.startswith(('forwarded packets/s', 'server CPU per'))}
parley, janus = (float(v) for v in table['forwarded packets/s'][:2])
# One publisher to two subscribers, through each server: media went through both.
assert parley > 0, 'Parley forwarded nothing'
assert janus > 0, 'Janus forwarded nothing'
# The CPU figures are reported (a figure, not a bound: two seconds may round to 0 ticks).
cpu = next(v for k, v in table.items() if k.startswith('server CPU per'))
assert len(cpu) >= 2 and all(float(v) >= 0 for v in cpu[:2]), f'no CPU figures: {cpu}'
print('side-by-side smoke test: ok')
PY
