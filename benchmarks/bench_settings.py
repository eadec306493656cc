"""Settings for load benchmarks: the project's production settings, the bare view's URLs, a fixed secret."""

from __future__ import annotations

import os

BENCH_SECRET_KEY = "benchmark-only-secret-key-never-used-in-production-6f1d0c2a9b8e7d3c"
# The project refuses to start without a secret when DEBUG is off; a benchmark has nothing to protect.
os.environ["SECRET_KEY"] = BENCH_SECRET_KEY

from onewindow.settings import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = BENCH_SECRET_KEY
ROOT_URLCONF = "benchmarks.bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
