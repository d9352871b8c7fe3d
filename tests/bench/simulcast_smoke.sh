#!/usr/bin/env bash
# Simulcast through the load generator (scripts/bench-load --simulcast --capped --limit): one
# publisher sends three layers to four subscribers that send transport-wide CC feedback. It
# checks behaviour, not speed: every subscriber climbs to the largest layer; the one whose
# downlink is then capped at 500 kbit/s is moved to the smallest layer (its estimate falls
# under what the larger layers need) and keeps receiving; the uncapped ones keep every
# stream; the limit forwarder runs on the same shape and forwards without SRTP failures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 4 --seconds 4 --simulcast --capped 25 --limit \
  --out "$out" --udp-ports 46220-46229
check=("$root/tests/bench/check_report.py" "$out")
"${check[@]}" --label "simulcast, one subscriber capped" --equals simulcast=true --equals capped_subscribers=1 \
  --equals receivers_on_largest_before_cap=4 --equals capped.reached_smallest_layer=1 \
  --positive capped.frames_per_second.median --positive uncapped.frames_per_second.median \
  --positive layers_kbps.0 --positive layers_kbps.1 --positive layers_kbps.2 --all-streams
"${check[@]}" --line 2 --label "limit forwarder on the same shape" --equals server=limit --equals srtp_failures=0 \
  --equals capped_receivers=1 --positive forwarded_pps --positive received_pps
