#!/usr/bin/env bash
# Runs a command beside a PostgreSQL of its own (Debian's postgresql package): a fresh
# cluster in a temporary folder, on a free port of 127.0.0.1, stopped and removed afterwards.
# The command finds it in PARLEY_TEST_POSTGRES_URL (user parley, database postgres).
# PostgreSQL refuses to run as root: then it runs as nobody.
#   tests/store/with_postgres.sh COMMAND [ARGS...]
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bin || ! -x $bin/initdb ]]; then
  echo "with_postgres: no PostgreSQL server (Debian package postgresql; scripts/setup installs it)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/parley-pg-XXXXXX)
as=()
if [[ $(id -u) -eq 0 ]]; then
  chown nobody "$dir"
  as=(runuser -u nobody --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bin/initdb" -D "$dir/db" -A trust -U parley -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/db" -w -t 30 -l "$dir/log" \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
  cat "$dir/log" >&2
  exit 1
fi
export PARLEY_TEST_POSTGRES_URL="postgresql://parley@127.0.0.1:$port/postgres"
status=0
"$@" || status=$?
exit $status
