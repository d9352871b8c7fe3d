#!/usr/bin/env bash
# Recording under the load generator: a server with --recordings, one publisher and two
# subscribers for three seconds with the room recorded (parley-bench --record). Behaviour
# only: the report says the room was recorded and its queue dropped nothing, the
# publisher's two tracks are files ffprobe reads, the composite the server renders when the
# recording stops becomes ready, and `parley render-composite` renders it again and reports
# its speed; its bad input gets clear errors. The figures are make bench's business.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

exec 3< <(exec "$build/parley" serve --host 127.0.0.1 --port 0 --data "$work/data" --udp-ports 46230-46239 \
               --max-connections-per-address 1000 --recordings "$work/recordings" --recording-min-free-mb 0 2>&1)
server=$!
url=
while read -r line <&3; do
  if [[ $line =~ listening\ on\ (http://[0-9.:]+) ]]; then url=${BASH_REMATCH[1]}; break; fi
done
[[ -n $url ]] || fail "the server did not start"
cat <&3 >"$work/server.log" &

"$build/parley-bench" --url "$url" --publishers 1 --subscribers 2 --seconds 3 --record \
  --cache "$build/bench-media-record" --json | tail -1 >"$work/report.jsonl"
"$root/tests/bench/check_report.py" "$work/report.jsonl" --label "recorded load smoke test" \
  --has recording_writer_cpu_us_per_packet --equals recording=true --equals recording_packets_dropped=0 \
  --positive forwarded_pps --all-streams

# The recording stopped when the room emptied; its composite renders in the background.
dirs=("$work"/recordings/*/*/)
((${#dirs[@]} == 1)) || fail "expected one recording, found ${#dirs[@]}"
dir=${dirs[0]%/}
state=
for _ in $(seq 1 600); do
  state=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("render",""))' "$dir/state.json" 2>/dev/null || true)
  [[ $state == ready || $state == failed ]] && break
  sleep 0.2
done
[[ $state == ready ]] || fail "the server's composite is '$state': $(cat "$dir/state.json" 2>/dev/null)"
for kind in camera microphone; do
  file=$(ls "$dir" | grep -- "-$kind\.webm$" | head -1)
  [[ -n $file ]] || fail "no $kind file in $(ls "$dir")"
  ffprobe -v error -show_entries format=duration -of csv=p=0 "$dir/$file" >/dev/null || fail "ffprobe cannot read $file"
done

# Again, by hand: the command reports where the composite is and how fast it rendered.
rm "$dir/composite.mp4"
out=$("$build/parley" render-composite "$dir" 2>"$work/render.err") || fail "render-composite failed: $(cat "$work/render.err")"
[[ $out =~ composite\.mp4:\ [0-9.]+\ s\ of\ media\ rendered\ in\ .*x\ real\ time\ on\ one\ core ]] || fail "unexpected report: $out"
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$dir/composite.mp4")
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 2.5 else 1)' "$duration" || fail "composite of $duration s"
grep -q '"render": *"ready"' "$dir/state.json" || fail "the state file does not say ready: $(cat "$dir/state.json")"

# Bad input: a clear error and a non-zero status, never a crash.
if "$build/parley" render-composite "$work/data" 2>"$work/err"; then fail "a directory without a recording was rendered"; fi
grep -q "no readable manifest.json" "$work/err" || fail "unclear error: $(cat "$work/err")"
status=0
"$build/parley" render-composite "$dir" --threads 0 2>"$work/err" || status=$?
((status == 2)) || fail "--threads 0 exited $status"
grep -q -- "--threads needs a number" "$work/err" || fail "unclear error: $(cat "$work/err")"
echo "recorded load smoke test: ok ($out)"
