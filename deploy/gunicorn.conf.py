"""gunicorn settings for gongzhi, read by `gunicorn -c deploy/gunicorn.conf.py
gongzhi.config.wsgi`. Every figure comes from the environment (deploy/env.example), so one
file serves the systemd units and `make stack`.

Threads, not only processes: a request mostly waits on PostgreSQL, so 2-4 threads per
worker keep a core busy at a fraction of a process's memory. Each thread keeps its own
database connection (CONN_MAX_AGE), so PostgreSQL needs workers x threads x app servers
connections plus the Celery worker's."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(4, multiprocessing.cpu_count()))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"

# A request past this is killed and the worker replaced; nginx's proxy_read_timeout is a
# little longer so the client sees gunicorn's answer, not nginx's.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps upstream connections open (keepalive); a little longer here than there.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# Workers are replaced after this many requests (jittered so they do not all restart at
# once): whatever a long-running process leaks is returned. A leak shows over hours, so the
# figure is high: a replacement opens new database connections and plans its statements
# again, and at 2,000 a worker under load was replaced every few seconds (the HTTP
# benchmark through the stack lost more than half its bare-view throughput to it).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# nginx writes the access log (JSON with the request id, deploy/nginx); gunicorn's own
# access log is off unless asked for. Errors go to stderr (the journal, or var/stack/*.log).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "gongzhi")
# Loaded once in the master, forked into workers: faster start, shared memory pages.
preload_app = True
pidfile = os.environ.get("GUNICORN_PID_FILE") or None
# gunicorn's control socket (`gunicornc`) defaults to one path per user, which two app
# servers on one machine would share: one per server when asked for, else none.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def when_ready(server):
    # In the master, after the application and its warm-up (gongzhi/config/wsgi.py) and
    # before the first fork: what exists now lives as long as the workers, so the cyclic
    # collector need not walk it in each of them, and by not touching it keeps the pages
    # they share with the master from being copied (the gc.freeze() documentation).
    if server.cfg.preload_app:
        import gc

        gc.freeze()


def post_fork(server, worker):
    # The preloaded app opened no connection that a worker may share, but be sure:
    # database connections are per process.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


def child_exit(server, worker):
    # prometheus_client multiprocess mode: a dead worker's live gauges are removed (its
    # counters stay, they are totals).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
