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
# Each participant's transports over their own TCP connections: 1 + 2 x 1 at the server.
"$root/tests/bench/check_report.py" "$out" --label "load generator over ICE-TCP" --equals transport=tcp \
  --equals server_ice_tcp_connections=3 --equals streams_expected=4 --positive forwarded_pps --all-streams --lossless
