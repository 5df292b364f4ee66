#!/usr/bin/env bash
# A throwaway PostgreSQL cluster inside the project (.keyward-pg/), for machines without one.
#   eval "$(scripts/pg-local.sh start)"   # starts it on port 55432 and exports KEYWARD_TEST_PG
#   scripts/pg-local.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/.keyward-pg"
PORT="${KEYWARD_PG_PORT:-55432}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi
case "${1:-}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres "$DIR"
      "${RUN_AS[@]}" "$BIN/initdb" -D "$DIR" -U postgres --auth=trust >/dev/null
    fi
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" -l "$DIR/log" -w start >/dev/null
    "${RUN_AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres test 2>/dev/null || true
    echo "export KEYWARD_TEST_PG=postgres://postgres@127.0.0.1:$PORT/test"
    ;;
  stop)
    "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR" -m fast stop
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
