"""Production server settings (also used by `make run` and the benchmarks)."""

import multiprocessing
import os

bind = os.environ.get("ONETRIP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("ONETRIP_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
# 2 threads: on the load benchmark's mix (docs/performance.md) 4 threads gave the same throughput and a p99 of
# 95-105 ms against 63-77 ms with 2 (fewer threads of one process waiting for its interpreter lock). Raise it
# when requests wait on something remote (a registry over HTTP with high latency): a waiting thread holds no lock.
threads = int(os.environ.get("ONETRIP_THREADS", 2))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 500
accesslog = None  # the app writes one JSON line per request, without personal data
preload_app = False  # each worker opens its own database connections
