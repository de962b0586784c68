"""Production server settings (also used by `make run` and the benchmarks)."""

import multiprocessing
import os

bind = os.environ.get("ONETRIP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# One process more than cores, two threads each. A request's work is CPU in Python (the embedded database is
# local), so threads of one process mostly take turns at its interpreter lock; the second thread is there for the
# requests that wait on a remote service (WeChat Pay, the WeChat platform: up to their 5 s timeouts), so that one
# such wait does not hold a whole worker. On the full-scale load mix (docs/performance.md, third round; 2 cores)
# the throughput was the same within noise for 3 x 2, 3 x 1, 4 x 1, 6 x 1 and 4 x 2 (1,280-1,460 req/s) and the
# p99 was 59-60 ms for 3 x 2, 45-55 ms for 3 x 1, 64-69 ms for 4 x 1, 73 ms for 6 x 1 and 87-103 ms for the old
# 4 x 2. Raise ONETRIP_THREADS when many requests wait on something remote (a registry over HTTP): a waiting
# thread holds no lock; nginx in front buffers slow clients, so a thread is not held by one.
workers = int(os.environ.get("ONETRIP_WORKERS", multiprocessing.cpu_count() + 1))
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
