#!/usr/bin/env bash
# A single machine moving to PostgreSQL, as an operator does it: rooms made by `parley serve`
# on SQLite, `parley migrate-store` into the PostgreSQL that with_postgres.sh started, then
# `parley serve --store postgresql://...` knows those rooms. And the refusals: bad
# arguments, a missing source, a target that already holds data. Loopback only.
#   with_postgres.sh migrate_store_cli_test.sh build/parley
set -uo pipefail
parley=$1
admin=${PARLEY_TEST_POSTGRES_URL:?run through tests/store/with_postgres.sh}
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# serve NAME ARGS...: `parley serve` in the background; sets $url once it listens.
serve() {
  local name=$1
  shift
  "$parley" serve --port 0 --udp-ports 47700-47701 --media-workers 1 --tcp-ports off "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  url=
  for _ in $(seq 200); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/$name.log" | head -1)
    [[ -n $url ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: $name did not start: $(tail -5 "$work/$name.log")"
  exit 1
}
halt() { kill -TERM "$pid"; wait "$pid"; pid=; }

# Arguments first: each mistake is exit 2 with what is wrong.
expect() {  # expect STATUS PATTERN -- command...
  local status=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  [[ $rc == "$status" ]] || fail "$*: exit $rc, expected $status ($out)"
  grep -q -- "$pattern" <<<"$out" || fail "$*: says \"$out\", expected \"$pattern\""
}
expect 2 "--from must be sqlite:PATH" -- "$parley" migrate-store --to "$admin"
expect 2 "--to must be postgresql://" -- "$parley" migrate-store --from "sqlite:$work/x.db" --to "mysql://x"
expect 2 "unknown argument" -- "$parley" migrate-store --form "sqlite:$work/x.db"
expect 1 "no SQLite store at $work/missing.db" -- "$parley" migrate-store --from "sqlite:$work/missing.db" --to "$admin"
expect 0 "Usage: parley migrate-store" -- "$parley" migrate-store --help
expect 2 "--store must be postgresql://" -- "$parley" serve --store "/var/lib/parley.db"

# Two rooms on SQLite.
serve sqlite --data "$work/data"
ids=()
for name in "Comité de direction" "Point hebdo"; do
  body=$(python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1]}))' "$name")
  ids+=("$(curl -sf -X POST -H 'Content-Type: application/json' -d "$body" "$url/api/rooms" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
halt
[[ ${#ids[@]} == 2 && -n ${ids[0]} && -n ${ids[1]} ]] || fail "rooms were not created: ${ids[*]}"

# Into a new database of the test server.
psql -q "$admin" -c "CREATE DATABASE parley_cli" || fail "cannot create the target database"
target=${admin%/*}/parley_cli
out=$("$parley" migrate-store --from "sqlite:$work/data/parley.db" --to "$target" 2>&1) || fail "migrate-store: $out"
grep -q "^rooms: 2 rows" <<<"$out" || fail "migrate-store did not report 2 rooms: $out"
grep -q "^copied [0-9]* rows in" <<<"$out" || fail "migrate-store did not report a total: $out"
expect 1 "copy into an empty database" -- "$parley" migrate-store --from "sqlite:$work/data/parley.db" --to "$target"

# A node on PostgreSQL serves them.
serve postgres --data "$work/pgdata" --store "$target"
grep -q "store: PostgreSQL" "$work/postgres.log" || fail "serve did not say which store: $(head -5 "$work/postgres.log")"
for i in 0 1; do
  room=$(curl -sf "$url/api/rooms/${ids[$i]}") || fail "room ${ids[$i]} unknown after the move"
  grep -q "\"id\":\"${ids[$i]}\"" <<<"$room" || fail "room ${ids[$i]}: $room"
done
grep -q "Comité de direction" <<<"$(curl -sf "$url/api/rooms/${ids[0]}")" || fail "the name lost its accents"
halt

# A PostgreSQL that is not there: a clear error, exit 1, no hang.
out=$(timeout 30 "$parley" serve --port 0 --data "$work/x" --store "postgresql://parley@127.0.0.1:1/parley" 2>&1)
rc=$?
[[ $rc == 1 ]] || fail "serve with an unreachable store: exit $rc"
grep -q "cannot connect to postgresql://parley@127.0.0.1:1/parley" <<<"$out" || fail "unclear error: $out"

((failures == 0)) && echo "migrate-store and serve --store: ok"
exit $((failures > 0))
