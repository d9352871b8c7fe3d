#!/usr/bin/env bash
# A room at its limit, through a real server: 100 load-generator participants, each with a
# camera and a microphone, each receiving the 99 others (19,800 streams; 198 media sections
# in every subscriber's offer). Media is slowed (a packet of sound a second, a frame every
# two seconds) so that the single-threaded generator fits on a small machine beside the
# server. Checks behaviour: every participant receives every other's audio and video. Loss
# and timings are printed, not judged: at this scale they are the machine's, a benchmark's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ulimit -n "$(ulimit -Hn)"  # two sockets and a WebSocket per participant
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --meeting 100 --seconds 3 --out "$out" \
  --audio-interval-ms 1000 --video-fps 0.5 --udp-ports 46220-46229
"$root/tests/bench/check_report.py" "$out" --label "100-person room (every participant receives the 99 others)" \
  --equals meeting=100 --equals streams_expected=19800 --all-streams
