#!/usr/bin/env bash
# A room spread over two media workers, through a real server (scripts/bench-load with a
# spill threshold of 4 streams): one publisher (audio and video) and four subscribers, so
# the room's later participants go to the second worker and the publisher's tracks are
# piped there. Checks behaviour: both workers host the room, the tracks were piped, every
# subscriber got both tracks wherever it was placed, and nothing was lost.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 4 --seconds 2 --out "$out" \
  --media-workers 2 --worker-streams 4 --udp-ports 46210-46219
python3 - "$out" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().split('\n')[0])
assert report['workers_used'] == 2, f"the room stayed on {report['workers_used']} worker(s)"
assert report['rooms_spanning_workers'] == 1, report
assert report['piped_pps'] > 0, 'nothing was piped to the other worker'
assert report['streams_expected'] == 8, report
assert report['streams_received'] == report['streams_expected'], \
    f"{report['streams_received']} of {report['streams_expected']} streams reached their subscriber"
assert report['lost_packets'] == 0, f"{report['lost_packets']} packets lost on loopback"
print('room across workers: ok', json.dumps(report))
PY
