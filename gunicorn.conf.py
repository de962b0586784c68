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
# A worker is replaced after this many requests (a guard against slow leaks). Starting one costs about 0.8 s of
# CPU (imports, app, schemas) plus its caches' warm-up; at 10,000 a worker under the load benchmark's mix was
# replaced every 7-8 s and that was ~10 % of the server's CPU (docs/performance.md, third round). Resident memory
# after 35,000 requests a worker: 93-96 MB against 86-94 MB when warm, so nothing leaks at a rate that needs more.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = None  # the app writes one JSON line per request, without personal data
preload_app = False  # each worker opens its own database connections
