#!/usr/bin/env bash
# `parley` as an operator meets it: --help and --version, PARLEY_* variables with flags
# winning over them, --log-level, --web-root, --public-ip, clean stops on SIGINT and
# SIGTERM that free the HTTP and UDP ports, and the open-file limit. Loopback only.
set -uo pipefail
parley=$1
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# start NAME [env...] -- args...: runs `parley serve` in the background, log in $work/NAME.log;
# waits (at most 20 s) for its "listening on" line and sets $url and $pid.
start() {
  local name=$1
  shift
  local env=()
  while [[ $1 != -- ]]; do env+=("$1"); shift; done
  shift
  env "${env[@]}" "$parley" serve --data "$work/$name" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  url=
  for _ in $(seq 200); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n $url ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name: the server did not start: $(tail -5 "$work/$name.log")"
  return 1
}

# stop PID SIGNAL NAME: the server exits 0 within 20 s.
stop() {
  kill -"$2" "$1"
  for _ in $(seq 200); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$1" 2>/dev/null; then fail "$3: still running 20 s after SIG$2"; kill -9 "$1"; fi
  wait "$1"
  local rc=$?
  [[ $rc == 0 ]] || fail "$3: exit $rc after SIG$2"
}

# free_udp PORT: nothing holds the UDP port (we can bind it ourselves).
free_udp() { python3 -c "import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1])))" "$1"; }

# --help and --version, for the command and for serve. Read whole before grep: with
# pipefail, `grep -q` leaving early would make a long text's writer die of SIGPIPE.
help=$("$parley" --help) && grep -q "serve" <<<"$help" || fail "--help does not list serve"
version=$("$parley" --version) && grep -qE '^parley [0-9]+\.[0-9]+\.[0-9]+$' <<<"$version" || fail "--version: $version"
help=$("$parley" serve --help) && grep -q "PARLEY_PORT" <<<"$help" || fail "serve --help does not name PARLEY_PORT"
"$parley" 2>/dev/null && fail "no command: exit 0"
# expect_usage_error NAME PATTERN -- command...: exit 2 and a message saying what is wrong.
expect_usage_error() {
  local name=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  [[ $rc == 2 ]] || fail "$name: exit $rc, expected 2"
  grep -q -- "$pattern" <<<"$out" || fail "$name: does not say '$pattern': $out"
}
expect_usage_error unknown-command 'unknown command "bogus"' -- "$parley" bogus
expect_usage_error bad-port "--port must be" -- "$parley" serve --port 99999
expect_usage_error bad-variable "PARLEY_PORT" -- env PARLEY_PORT=nope "$parley" serve

# Variables configure it; flags win over them.
mkdir -p "$work/web"
echo '<!doctype html><title>custom client</title><div id="app"></div>' >"$work/web/index.html"
start env PARLEY_PORT=1 PARLEY_UDP_PORTS=47600-47601 PARLEY_LOG_LEVEL=debug PARLEY_WEB_ROOT="$work/web" \
  PARLEY_PUBLIC_IP="203.0.113.5, 127.0.0.1" PARLEY_MEDIA_WORKERS=1 -- --port 0 --log-level info --host 127.0.0.1 || exit 1
[[ $url == http://127.0.0.1:* && $url != *:1 ]] || fail "--port 0 did not win over PARLEY_PORT=1: $url"
page=$(curl -sf "$url/") && grep -q "custom client" <<<"$page" || fail "PARLEY_WEB_ROOT not served"
# 203.0.113.5 is no address of this machine (a NAT's): media listens on 0.0.0.0, offering both.
grep -q "media: 1 workers on UDP 0.0.0.0:47600 and ICE-TCP 47602, announced as 203.0.113.5,127.0.0.1" "$work/env.log" ||
  fail "PARLEY_PUBLIC_IP / PARLEY_UDP_PORTS / PARLEY_MEDIA_WORKERS (ICE-TCP right after the UDP range): $(grep media: "$work/env.log")"
grep -q "\[debug\]" "$work/env.log" && fail "--log-level info did not win over PARLEY_LOG_LEVEL=debug"
stop "$pid" INT "SIGINT"
free_udp 47600 || fail "SIGINT left UDP port 47600 bound"
grep -q "stopped" "$work/env.log" || fail "SIGINT: no clean stop in the log"

# --log-level error: nothing below errors (not even where it listens: ask /healthz).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$parley" serve --data "$work/quiet" --port "$port" --udp-ports 47610-47611 --media-workers 1 --log-level error \
  >"$work/quiet.log" 2>&1 &
pid=$!
pids+=("$pid")
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || fail "quiet: not serving"
stop "$pid" TERM "quiet"
grep -qE "\[(info|warning|debug)\]" "$work/quiet.log" && fail "--log-level error still logs: $(head -3 "$work/quiet.log")"

# SIGTERM while someone is connected stops promptly and frees the ports.
start busy -- --port 0 --udp-ports 47620-47621 --media-workers 1 || exit 1
room=$(curl -sf -X POST "$url/api/rooms" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 - "$url" "$room" <<'PY' &
import socket, sys, time, base64, os
host, port = sys.argv[1][len('http://'):].split(':')
s = socket.create_connection((host, int(port)))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f'GET /ws/{sys.argv[2]} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
           f'Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n').encode())
s.recv(4096)
time.sleep(30)
PY
client=$!
pids+=("$client")
sleep 0.5
started=$(date +%s%N)
stop "$pid" TERM "SIGTERM with a client"
echo "SIGTERM with a connected client stopped in $(( ($(date +%s%N) - started) / 1000000 )) ms"
free_udp 47620 || fail "SIGTERM left UDP port 47620 bound"
kill "$client" 2>/dev/null

# It raises its open-file limit to the hard one (each participant holds a descriptor or two),
# and says so when even that is low.
if command -v prlimit >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  prlimit --nofile=256:4096 "$parley" serve --data "$work/files" --port "$port" --udp-ports 47630-47631 \
    --media-workers 1 >"$work/files.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  soft=$(awk '/Max open files/ {print $4}' "/proc/$pid/limits")
  [[ $soft == 4096 ]] || fail "open files: soft limit $soft, expected the hard limit 4096"
  grep -q "may open only 4096 files" "$work/files.log" || fail "no warning about a low open-file limit"
  stop "$pid" TERM "files"
fi

if ((failures)); then exit 1; fi
echo "serve CLI: all checks passed"
