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
python3 - "$out" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().split('\n')[0])
keys = ['server_cpu_us_per_packet', 'forwarded_pps', 'forwarded_mbps', 'loss_pct', 'added_delay_p50_ms',
        'added_delay_p99_ms', 'rss_mb_per_participant', 'join_to_first_packet_ms', 'streams_received',
        'streams_expected', 'lost_packets']
missing = [k for k in keys if k not in report]
assert not missing, f'missing keys: {missing}'
assert report['subscribers'] == 2 and report['publishers'] == 1, report
assert report['forwarded_pps'] > 0, 'the server forwarded nothing'
assert report['streams_expected'] == 4, report
assert report['streams_received'] == report['streams_expected'], \
    f"{report['streams_received']} of {report['streams_expected']} streams reached their subscriber"
assert report['lost_packets'] == 0, f"{report['lost_packets']} packets lost on loopback"
print('load generator smoke test: ok', json.dumps(report))
PY
