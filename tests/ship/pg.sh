# pg.sh — a throw-away PostgreSQL for the warehouse tests, from Debian's postgresql-15, on a Unix
# socket in a temp dir, as tests/bench/run.sh starts one; sourced, never run. The caller sets
# tmp (its scratch directory). PostgreSQL refuses to run as root: under root it runs as a
# system user made for it (bzlbench, as the benchmark's).
#   pg_start          initdb (once) and start; PGHOST/PGUSER/PGDATABASE then point at it
#   pg_stop [MODE]    pg_ctl stop -m MODE (fast by default; immediate is a crash)
#   pg ARGS...        psql -X -q -At -v ON_ERROR_STOP=1 ARGS
#   pg_skip_unless    exit 77 (ctest's SKIP) when postgresql-15 is not installed
PGBIN=/usr/lib/postgresql/15/bin
PGUSER_OS=bzlbench
pg_skip_unless() {
  if [ ! -x "$PGBIN/postgres" ] || ! command -v psql >/dev/null; then
    echo "SKIP: needs postgresql-15 and postgresql-client (deploy/install-deps.sh)"
    exit 77
  fi
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi; }
pg_start() {
  if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
  fi
  if [ ! -d "$tmp/pg/data" ]; then
    mkdir -p "$tmp/pg"
    [ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$tmp/pg"
    as_pg "$PGBIN/initdb" -D "$tmp/pg/data" -U bzl --auth=trust -E UTF8 --locale=C >/dev/null
  fi
  # fsync and synchronous_commit stay on at the server (bzl-ship turns the latter off for its own
  # session: a lost commit loses its cursor move too, so exactly once holds; bzl-ship(1)).
  # PG_NICE (default 0): the niceness PostgreSQL runs at, for a warehouse sharing bzld's machine.
  as_pg nice -n "${PG_NICE:-0}" "$PGBIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w \
    -o "-k $tmp/pg -c listen_addresses=''" start >/dev/null
  export PGHOST=$tmp/pg PGUSER=bzl PGDATABASE=postgres
}
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m "${1:-fast}" stop >/dev/null 2>&1 || true; }
pg() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
