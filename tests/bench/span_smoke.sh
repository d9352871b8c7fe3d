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
"$root/tests/bench/check_report.py" "$out" --label "room across workers" --equals workers_used=2 \
  --equals rooms_spanning_workers=1 --equals streams_expected=8 --positive piped_pps --all-streams --lossless
