#!/usr/bin/env bash
# A tiny run of the load generator against a real server (scripts/bench-load): one
# publisher and two subscribers for two seconds. It checks that the generator runs, that
# media flows through the server to both subscribers, and that the report has its keys;
# the figures themselves are a benchmark's business, not a test's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 2 --seconds 2 --out "$out"
python3 - "$out" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split('\n')
report = json.loads(lines[0])
keys = ['server_cpu_us_per_packet', 'forwarded_pps', 'forwarded_mbps', 'loss_pct', 'added_delay_p50_ms',
        'added_delay_p99_ms', 'rss_mb_per_participant', 'join_to_first_packet_ms']
missing = [k for k in keys if k not in report]
assert not missing, f'missing keys: {missing}'
assert report['subscribers'] == 2 and report['publishers'] == 1, report
assert report['forwarded_pps'] > 0, 'the server forwarded nothing'
assert report['received_pps'] > 0, 'the subscribers received nothing'
# Both subscribers got the publisher's audio and video: each gets about 220 packets a second.
assert report['received_pps'] > 2 * 100, f"too little reached the subscribers: {report['received_pps']:.0f} packets/s"
assert report['loss_pct'] < 5, f"loss on loopback: {report['loss_pct']}%"
print('load generator smoke test: ok', json.dumps(report))
PY
