#!/usr/bin/env bash
# A room spread over two media workers, through a real server (scripts/bench-load with a
# spill threshold of 4 streams): one publisher (audio and video) and four subscribers, so
# the room's later participants go to the second worker and the publisher's tracks are
# piped there. Checks that both workers host the room, that the tracks were piped, and
# that every subscriber got the media, wherever it was placed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 4 --seconds 2 --out "$out" \
  --media-workers 2 --worker-streams 4
python3 - "$out" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().split('\n')[0])
assert report['workers_used'] == 2, f"the room stayed on {report['workers_used']} worker(s)"
assert report['rooms_spanning_workers'] == 1, report
# Two tracks, about 220 packets a second in all, piped once to the other worker.
assert report['piped_pps'] > 100, f"too little piped: {report['piped_pps']:.0f} packets/s"
# Each of the four subscribers gets about 220 packets a second.
assert report['received_pps'] > 4 * 180, f"too little reached the subscribers: {report['received_pps']:.0f} packets/s"
assert report['loss_pct'] < 5, f"loss on loopback: {report['loss_pct']}%"
print('room across workers: ok', json.dumps(report))
PY
