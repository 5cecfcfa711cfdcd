#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL: initdb into a temporary folder, start it
# on a free loopback port, export DME_DATABASE_URL, and stop and delete it on any exit.
set -euo pipefail
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
DATA="$(mktemp -d /tmp/dme-pg.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DATA"
  RUN_AS=(runuser -u postgres --)
fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DATA/db" -U dme --auth=trust -E UTF8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null
export DME_DATABASE_URL="postgresql+psycopg://dme@127.0.0.1:$PORT/postgres"
export DME_TEST_DATABASE_URL="$DME_DATABASE_URL"
echo "PostgreSQL on 127.0.0.1:$PORT for: $*"
"$@"
