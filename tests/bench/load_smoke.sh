#!/usr/bin/env bash
# A tiny run of the load generator against a real server (scripts/bench-load): one
# publisher and two subscribers for two seconds. It checks behaviour, not speed: the
# generator runs, every subscriber receives the publisher's audio and video through the
# server, nothing is lost on loopback, and the report has its keys. The figures themselves
# are a benchmark's business (make bench), never a test's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 2 --seconds 2 --out "$out" --udp-ports 46200-46209
"$root/tests/bench/check_report.py" "$out" --label "load generator smoke test" \
  --has server_cpu_us_per_packet,forwarded_pps,forwarded_mbps,loss_pct,added_delay_p50_ms,added_delay_p99_ms,rss_mb_per_participant,join_to_first_packet_ms,streams_received,streams_expected,lost_packets \
  --equals subscribers=2 --equals publishers=1 --equals streams_expected=4 --positive forwarded_pps --all-streams --lossless
