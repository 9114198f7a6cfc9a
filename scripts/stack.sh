#!/usr/bin/env bash
# A production-like stack on this machine, on loopback only: PostgreSQL and Redis as the
# machine provides them (started if not running), two gunicorn app servers, nginx in front,
# a Celery worker and beat. Everything it starts keeps its pid file and log under var/stack/.
#
#   scripts/stack.sh up      (make stack; STACK_DATA=city loads the city-scale data set)
#   scripts/stack.sh down    (make stack-down; PostgreSQL and Redis are left running)
#   scripts/stack.sh status
#
# Ports, database and Redis db come from the environment so two stacks can coexist:
#   STACK_PORT (8400)  STACK_APP_PORTS ("8401 8402")  STACK_DB (gongzhi_stack)
#   STACK_REDIS_DB (0)  STACK_PG (postgres://postgres@127.0.0.1:5432)
#   STACK_REDIS (redis://127.0.0.1:6379)  STACK_DIR (var/stack)  STACK_DATA (demo|city)
#   STACK_WORKERS / STACK_THREADS (gunicorn, per app server: 2 / 4)
#   STACK_TICK_SECONDS (10: how often beat runs the deadline tick here)
#   STACK_READY_WAIT (120: seconds to wait for /readyz)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
BIN=$ROOT/.venv/bin

STACK_PORT=${STACK_PORT:-8400}
STACK_APP_PORTS=${STACK_APP_PORTS:-"8401 8402"}
STACK_DB=${STACK_DB:-gongzhi_stack}
STACK_REDIS_DB=${STACK_REDIS_DB:-0}
STACK_PG=${STACK_PG:-postgres://postgres@127.0.0.1:5432}
STACK_REDIS=${STACK_REDIS:-redis://127.0.0.1:6379}
STACK_DIR=${STACK_DIR:-$ROOT/var/stack}
STACK_DATA=${STACK_DATA:-demo}
STACK_WORKERS=${STACK_WORKERS:-2}
STACK_THREADS=${STACK_THREADS:-4}
STACK_TICK_SECONDS=${STACK_TICK_SECONDS:-10}
NGINX=${NGINX:-/usr/sbin/nginx}
# Seconds to wait for /readyz (a loaded machine starts the worker slowly).
STACK_READY_WAIT=${STACK_READY_WAIT:-120}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)

say() { printf '== %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# A pid file names a live process.
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

write_env() {
  # What every process of the stack reads (and what `make smoke` and an operator's shell
  # source to reach the same database). The secrets stay in .env.local (`make env`).
  cat >"$STACK_DIR/env" <<ENV
# Written by scripts/stack.sh up; rewritten on every start.
GONGZHI_PRODUCTION=1
# Loopback, plain http: the settings that need TLS are off (see docs/deployment.md).
GONGZHI_INSECURE_HTTP=1
GONGZHI_DEMO_MODE=1
GONGZHI_ALLOWED_HOSTS=127.0.0.1,localhost
GONGZHI_TRUSTED_PROXIES=1
DATABASE_URL=$STACK_PG/$STACK_DB
REDIS_URL=$STACK_REDIS/$STACK_REDIS_DB
CELERY_BROKER_URL=$STACK_REDIS/$STACK_REDIS_DB
GONGZHI_STATIC_ROOT=$STACK_DIR/static
GONGZHI_MEDIA_ROOT=$STACK_DIR/media
PROMETHEUS_MULTIPROC_DIR=$STACK_DIR/metrics
GONGZHI_TICK_SECONDS=$STACK_TICK_SECONDS
GONGZHI_LOG_LEVEL=INFO
STACK_PORT=$STACK_PORT
ENV
}

load_env() {
  set -a
  # shellcheck disable=SC1091
  source "$STACK_DIR/env"
  set +a
}

services() {
  say "PostgreSQL and Redis"
  local pg_host_port=${STACK_PG#*@}
  local pg_host=${pg_host_port%:*} pg_port=${pg_host_port##*:}
  if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p "$pg_port" && break; sleep 1; done
    pg_isready -q -h "$pg_host" -p "$pg_port" || die "PostgreSQL does not answer on $pg_host:$pg_port"
  fi
  local r=${STACK_REDIS#redis://}
  local r_host=${r%:*} r_port=${r##*:}
  if ! redis-cli -h "$r_host" -p "$r_port" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind "$r_host" --port "$r_port" >/dev/null
    for _ in $(seq 1 20); do redis-cli -h "$r_host" -p "$r_port" ping >/dev/null 2>&1 && break; sleep 0.5; done
    redis-cli -h "$r_host" -p "$r_port" ping >/dev/null 2>&1 || die "Redis does not answer on $r_host:$r_port"
  fi
  if ! psql "$STACK_PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$STACK_DB'" | grep -q 1; then
    createdb -h "$pg_host" -p "$pg_port" -U "${STACK_PG_USER:-postgres}" "$STACK_DB"
  fi
}

prepare() {
  say "migrate, messages, static files"
  "$PY" manage.py migrate --noinput -v0
  # A database left by another checkout is sealed with that checkout's keys: say so now,
  # not on the first page that shows a phone number.
  if ! "$PY" manage.py check_keys >/dev/null; then
    say "数据库 $STACK_DB 中的数据不是用本机的密钥写入的；可用 dropdb $STACK_DB 后重新 make stack。"
    exit 1
  fi
  "$PY" manage.py compilemessages --ignore=.venv -v0
  "$PY" manage.py collectstatic --noinput -v0
  if [[ $STACK_DATA == city ]]; then
    say "city-scale data set (once; takes a while)"
    "$PY" manage.py seed_demo --scale city --if-empty
  else
    say "demo data (once)"
    "$PY" manage.py seed_demo --if-empty
  fi
}

start_app() {
  local port=$1 pid=$STACK_DIR/app-$1.pid
  if alive "$pid"; then echo "app server :$port already running"; return; fi
  GUNICORN_BIND=127.0.0.1:$port GUNICORN_WORKERS=$STACK_WORKERS GUNICORN_THREADS=$STACK_THREADS \
    GUNICORN_PID_FILE=$pid GUNICORN_PROC_NAME=gongzhi-$port \
    GUNICORN_CONTROL_SOCKET=$STACK_DIR/app-$port.ctl \
    setsid nohup "$BIN/gunicorn" -c deploy/gunicorn.conf.py gongzhi.config.wsgi \
    </dev/null >>"$STACK_DIR/app-$port.log" 2>&1 &
  # Not --daemon: that sends the app's own log lines (stderr) to /dev/null. In the
  # background, stdout and stderr go to the log file; gunicorn writes the pid file.
  for _ in $(seq 1 50); do alive "$pid" && return; sleep 0.2; done
  die "app server :$port did not start: see $STACK_DIR/app-$port.log"
}

start_worker() {
  local pid=$STACK_DIR/worker.pid
  if alive "$pid"; then echo "worker already running"; else
    rm -f "$pid"
    # No gossip or mingle: one worker per stack, nothing to synchronise with at start.
    "$BIN/celery" -A gongzhi.config.celery worker --concurrency=2 --detach \
      --without-gossip --without-mingle \
      --hostname "gongzhi-$STACK_PORT@%h" \
      --pidfile "$pid" --logfile "$STACK_DIR/worker.log" --loglevel INFO
  fi
  pid=$STACK_DIR/beat.pid
  if alive "$pid"; then echo "beat already running"; else
    rm -f "$pid"
    "$BIN/celery" -A gongzhi.config.celery beat --detach -s "$STACK_DIR/celerybeat-schedule" \
      --pidfile "$pid" --logfile "$STACK_DIR/beat.log" --loglevel INFO
  fi
}

nginx_conf() {
  # client_max_body_size: the app's upload limit (GONGZHI_MAX_UPLOAD_BYTES) and a little
  # for the form around the file, so the app, not nginx, refuses with a Chinese message.
  local upstreams="" port brotli_load="" brotli="" brotli_static=""
  for port in $STACK_APP_PORTS; do upstreams+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
  # Debian's libnginx-mod-http-brotli-* when installed: .br files and brotli for HTML.
  if [[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]]; then
    brotli_load="load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so; load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;"
    brotli="brotli on; brotli_comp_level 5; brotli_types text/css application/javascript application/json image/svg+xml text/plain;"
    brotli_static="brotli_static on;"
  fi
  # Started by root, nginx's workers would run as www-data, which cannot read static files
  # in a checkout only its owner may enter (a clone in a private temporary directory):
  # they run as whoever starts the stack. Started by anyone else, they already do.
  local user_line=""
  if [[ $(id -u) -eq 0 ]]; then user_line="user $(id -un) $(id -gn);"; fi
  mkdir -p "$STACK_DIR/nginx/tmp"
  sed -e "s|@STACK_DIR@|$STACK_DIR|g" -e "s|@PORT@|$STACK_PORT|g" -e "s|@USER@|$user_line|" \
      -e "s|@BROTLI_LOAD@|$brotli_load|" -e "s|@BROTLI@|$brotli|" \
      -e "s|@BROTLI_STATIC@|${brotli_static:-}|g" \
      -e "s|@MAX_BODY@|$(( ${GONGZHI_MAX_UPLOAD_BYTES:-10485760} / 1048576 + 1 ))m|" \
      deploy/nginx/stack.conf.in | awk -v up="$upstreams" '{ if ($0 ~ /@UPSTREAMS@/) printf "%s", up; else print }' \
      >"$STACK_DIR/nginx/nginx.conf"
}

start_nginx() {
  local pid=$STACK_DIR/nginx/nginx.pid
  [[ -x $NGINX ]] || die "nginx is not installed ($NGINX): apt-get install nginx"
  nginx_conf
  "$NGINX" -t -q -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -g "error_log $STACK_DIR/nginx/error.log;"
  if alive "$pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -s reload
    echo "nginx already running (configuration reloaded)"
  else
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -g "error_log $STACK_DIR/nginx/error.log;"
  fi
}

wait_ready() {
  local url=http://127.0.0.1:$STACK_PORT/readyz body=""
  for _ in $(seq 1 "$STACK_READY_WAIT"); do
    if body=$(curl -fsS --max-time 3 "$url" 2>/dev/null); then
      echo "$body"
      return 0
    fi
    sleep 1
  done
  curl -sS --max-time 3 "$url" || true
  die "not ready after $STACK_READY_WAIT s: see $STACK_DIR/*.log and $STACK_DIR/nginx/error.log"
}

up() {
  local started=$SECONDS
  write_env
  load_env
  services
  prepare
  say "app servers, worker, beat, nginx"
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR" "$GONGZHI_MEDIA_ROOT"
  # Metric files of processes that no longer run would be added up forever.
  if ! alive "$STACK_DIR/worker.pid" && ! ls "$STACK_DIR"/app-*.pid >/dev/null 2>&1; then
    rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db
  fi
  for port in $STACK_APP_PORTS; do start_app "$port"; done
  start_worker
  start_nginx
  say "waiting for /readyz"
  wait_ready
  say "up in $((SECONDS - started)) s: http://127.0.0.1:$STACK_PORT/  (make stack-down to stop)"
  "$PY" manage.py demo_logins | grep -v "^打开 http" || true
}

stop_pid() {
  local name=$1 pid=$2
  if alive "$pid"; then
    kill -TERM "$(cat "$pid" 2>/dev/null)" 2>/dev/null || true
    for _ in $(seq 1 30); do alive "$pid" || break; sleep 0.5; done
    if alive "$pid"; then kill -KILL "$(cat "$pid" 2>/dev/null)" 2>/dev/null || true; fi
    echo "stopped $name"
  fi
  rm -f "$pid"
}

down() {
  [[ -f $STACK_DIR/env ]] && load_env
  if [[ -f $STACK_DIR/nginx/nginx.pid ]] && alive "$STACK_DIR/nginx/nginx.pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
  fi
  stop_pid nginx "$STACK_DIR/nginx/nginx.pid"
  local pid
  for pid in "$STACK_DIR"/app-*.pid; do
    [[ -e $pid ]] && stop_pid "app server $(basename "$pid" .pid)" "$pid"
  done
  stop_pid beat "$STACK_DIR/beat.pid"
  stop_pid worker "$STACK_DIR/worker.pid"
  echo "stack down (PostgreSQL and Redis left running)"
}

status() {
  local f
  for f in "$STACK_DIR"/app-*.pid "$STACK_DIR/worker.pid" "$STACK_DIR/beat.pid" "$STACK_DIR/nginx/nginx.pid"; do
    [[ -e $f ]] || continue
    if alive "$f"; then echo "running  $(basename "$f" .pid) ($(cat "$f"))"; else echo "dead     $(basename "$f" .pid)"; fi
  done
  curl -sS --max-time 3 "http://127.0.0.1:$STACK_PORT/readyz" || true
  echo
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
