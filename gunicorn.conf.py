"""Production server settings (also used by `make run` and the benchmarks)."""

import multiprocessing
import os

bind = os.environ.get("ONETRIP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("ONETRIP_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("ONETRIP_THREADS", 4))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 500
accesslog = None  # the app writes one JSON line per request, without personal data
preload_app = False  # each worker opens its own database connections
