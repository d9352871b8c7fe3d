#!/usr/bin/env bash
# The load generator over ICE-TCP (parley-bench --transport tcp): one publisher and two
# subscribers whose media goes over TCP connections to the server's passive candidates,
# RFC 4571 framed, for two seconds. Behaviour only: every stream arrives and nothing is lost
# (TCP on loopback loses nothing). The figures are the benchmark's (docs/performance.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
BUILD_DIR=${1:-$root/build} "$root/scripts/bench-load" --sizes 2 --seconds 2 --out "$out" --udp-ports 46240-46249 \
  --transport tcp
python3 - "$out" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().split('\n')[0])
assert report['transport'] == 'tcp', report
# Each participant's transports over their own TCP connections: 1 + 2 x 1 at the server.
assert report['server_ice_tcp_connections'] == 3, report
assert report['forwarded_pps'] > 0, 'the server forwarded nothing'
assert report['streams_expected'] == 4, report
assert report['streams_received'] == report['streams_expected'], \
    f"{report['streams_received']} of {report['streams_expected']} streams reached their subscriber over TCP"
assert report['lost_packets'] == 0, f"{report['lost_packets']} packets lost over TCP on loopback"
print('load generator over ICE-TCP: ok', json.dumps(report))
PY
