#!/usr/bin/env bash
# Parley and Janus (Debian's janus, videoroom plugin, WebSocket transport) under the same
# synthetic load, one after the other in one run, on this machine; prints both and their
# ratio. Janus skips loopback interfaces, so it runs inside a network namespace that this
# script makes and removes (veth 10.77.0.1 <-> 10.77.0.2); Parley runs on 127.0.0.1. No
# traffic goes anywhere else. Needs root (ip netns) and `make build`.
#   scripts/bench-vs-janus.sh [--publishers P] [--subscribers S] [--seconds T]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
publishers=1
subscribers=50
seconds=10
while (($#)); do
  case $1 in
    --publishers) publishers=$2; shift ;;
    --subscribers) subscribers=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    *) echo "usage: scripts/bench-vs-janus.sh [--publishers P] [--subscribers S] [--seconds T]" >&2; exit 2 ;;
  esac
  shift
done
command -v janus >/dev/null || { echo "janus is not installed (scripts/setup installs it)" >&2; exit 1; }
[[ -x $build/parley && -x $build/parley-bench ]] || { echo "build first: make build" >&2; exit 1; }
rooms=$(( (subscribers + publishers + 98) / 99 ))
((rooms <= publishers)) || publishers=$rooms

ns=pb$$
work=$(mktemp -d)
cleanup() {
  [[ -n ${janus_pid:-} ]] && kill "$janus_pid" 2>/dev/null && wait "$janus_pid" 2>/dev/null
  [[ -n ${parley_pid:-} ]] && kill "$parley_pid" 2>/dev/null && wait "$parley_pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null || true
  ip link del "v$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The namespace and its link.
ip netns add "$ns"
ip link add "v$ns" type veth peer name "w$ns"
ip link set "w$ns" netns "$ns"
ip addr add 10.77.0.1/30 dev "v$ns"
ip link set "v$ns" up
ip netns exec "$ns" ip addr add 10.77.0.2/30 dev "w$ns"
ip netns exec "$ns" ip link set "w$ns" up
ip netns exec "$ns" ip link set lo up

# Janus with the videoroom plugin and the WebSocket transport only, bound to the namespace.
conf=$work/janus
mkdir -p "$conf"
cp /etc/janus/janus.jcfg /etc/janus/janus.plugin.videoroom.jcfg /etc/janus/janus.transport.websockets.jcfg "$conf/"
plugins=$(ls /usr/lib/x86_64-linux-gnu/janus/plugins/*.so | xargs -n1 basename | grep -v videoroom | paste -sd, -)
transports=$(ls /usr/lib/x86_64-linux-gnu/janus/transports/*.so | xargs -n1 basename | grep -v websockets | paste -sd, -)
loggers=$(ls /usr/lib/x86_64-linux-gnu/janus/loggers/*.so 2>/dev/null | xargs -rn1 basename | paste -sd, -)
sed -i -e "s|configs_folder = .*|configs_folder = \"$conf\"|" \
  -e "s|#disable = \"libjanus_voicemail.so,libjanus_recordplay.so\"|disable = \"$plugins\"|" \
  -e "s|#disable = \"libjanus_rabbitmq.so\"|disable = \"$transports\"|" \
  -e "s|#disable = \"libjanus_jsonlog.so\"|disable = \"$loggers\"|" \
  -e "s|#ice_enforce_list = \"eth0\"|ice_enforce_list = \"10.77.0.2\"|" "$conf/janus.jcfg"
sed -i -e 's|#ws_ip = .*|ws_ip = "10.77.0.2"|' "$conf/janus.transport.websockets.jcfg"
ip netns exec "$ns" janus -F "$conf" -o -r 20000-40000 -d 3 >"$work/janus.log" 2>&1 &
janus_pid=$!
for _ in $(seq 100); do
  ip netns exec "$ns" bash -c 'exec 3<>/dev/tcp/10.77.0.2/8188' 2>/dev/null && break
  sleep 0.1
done

# Parley on loopback.
exec 3< <(exec "$build/parley" serve --host 127.0.0.1 --port 0 --data "$work/parley" --udp-ports 46100-46109 \
  --max-connections-per-address 1000000 2>&1)
parley_pid=$!
url=
while read -r line <&3; do
  if [[ $line =~ listening\ on\ (http://[0-9.:]+) ]]; then url=${BASH_REMATCH[1]}; break; fi
done
cat <&3 >/dev/null &

args=(--publishers "$publishers" --subscribers "$subscribers" --rooms "$rooms" --seconds "$seconds"
      --cache "$build/bench-media" --json)
echo "same load on both: $publishers publisher(s), $subscribers subscribers, $rooms room(s), $seconds s, $(nproc) cores"
echo "== Parley ($url)"
parley_json=$("$build/parley-bench" --url "$url" "${args[@]}" | tee /dev/stderr | tail -1)
echo "== Janus $(janus --version 2>/dev/null | head -1) (ws://10.77.0.2:8188, pid $janus_pid, in namespace $ns)"
janus_json=$("$build/parley-bench" --janus ws://10.77.0.2:8188 --server-pid "$janus_pid" --bind 10.77.0.1 --netns-target \
  "${args[@]}" | tee /dev/stderr | tail -1) || { tail -n 30 "$work/janus.log" >&2; exit 1; }
python3 - "$parley_json" "$janus_json" <<'PY'
import json, sys
p, j = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [('server CPU per forwarded packet (us)', 'server_cpu_us_per_packet', 'lower'),
        ('forwarded packets/s', 'forwarded_pps', 'higher'),
        ('forwarded Mbit/s', 'forwarded_mbps', 'higher'),
        ('loss %', 'loss_pct', 'lower'),
        ('delay p50 (ms)', 'added_delay_p50_ms', 'lower'),
        ('delay p99 (ms)', 'added_delay_p99_ms', 'lower'),
        ('server memory per participant (MB)', 'rss_mb_per_participant', 'lower'),
        ('join to first packet (ms)', 'join_to_first_packet_ms', 'lower')]
print('\n%-38s %12s %12s %10s' % ('', 'Parley', 'Janus', 'Janus/Parley'))
for label, key, _ in rows:
    ratio = j[key] / p[key] if p[key] else float('nan')
    print('%-38s %12.3f %12.3f %10.2f' % (label, p[key], j[key], ratio))
# Forwarded streams per CPU second: packets per CPU second of the server.
per_cpu = lambda r: 1e6 / r['server_cpu_us_per_packet'] if r['server_cpu_us_per_packet'] else float('nan')
print('%-38s %12.0f %12.0f %10.2f' % ('packets forwarded per server CPU second', per_cpu(p), per_cpu(j), per_cpu(j) / per_cpu(p)))
PY
