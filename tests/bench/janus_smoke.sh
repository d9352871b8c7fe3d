#!/usr/bin/env bash
# The side-by-side benchmark, tiny: Parley and Debian's Janus each carry one publisher and
# two subscribers for two seconds (scripts/bench-vs-janus.sh). It checks that both runs
# deliver media and report their figures. Janus must run in a network namespace, which
# needs root and CAP_NET_ADMIN: where the machine cannot make one, the test is skipped (77).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v janus >/dev/null || { echo "skipped: janus is not installed"; exit 77; }
probe=pbprobe$$
if ! ip netns add "$probe" 2>/dev/null; then echo "skipped: cannot make a network namespace here"; exit 77; fi
ip netns del "$probe"
out=$(BUILD_DIR=${1:-$root/build} "$root/scripts/bench-vs-janus.sh" --subscribers 2 --seconds 2 2>/dev/null)
echo "$out"
python3 - "$out" <<'PY'
import sys
lines = sys.argv[1].split('\n')
table = {l[:38].strip(): l[38:].split() for l in lines if l.startswith(('forwarded packets/s', 'server CPU per'))}
parley, janus = (float(v) for v in table['forwarded packets/s'][:2])
# One publisher (about 220 packets a second) to two subscribers, through each server.
assert parley > 300, f'Parley forwarded {parley:.0f} packets/s'
assert janus > 300, f'Janus forwarded {janus:.0f} packets/s'
print('side-by-side smoke test: ok')
PY
