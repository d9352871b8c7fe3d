#!/usr/bin/env bash
# A network namespace for end-to-end tests that must not use loopback (Firefox gathers no
# loopback ICE candidates): inside it, a veth pair with 10.89.0.1 and 10.89.0.2, nothing
# connected outside. Prints nothing; exits non-zero if it cannot be made here.
#   netns.sh up NAME | netns.sh down NAME
set -euo pipefail
name=$2
case $1 in
  up)
    ip netns add "$name"
    trap 'ip netns del "$name" 2>/dev/null' ERR
    ip -n "$name" link set lo up
    ip -n "$name" link add va type veth peer name vb
    ip -n "$name" addr add 10.89.0.1/24 dev va
    ip -n "$name" addr add 10.89.0.2/24 dev vb
    ip -n "$name" link set va up
    ip -n "$name" link set vb up
    ;;
  down) ip netns del "$name" 2>/dev/null || true ;;
  *) echo "usage: netns.sh up|down NAME" >&2; exit 2 ;;
esac
