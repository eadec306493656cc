"""Where a plan request's time goes: the same requests as plan_throughput.py, in one process, under a profiler.

    .venv/bin/python benchmarks/profile_plan.py                  # pyinstrument, every plan, SQLite
    .venv/bin/python benchmarks/profile_plan.py --answers empty --profiler cprofile
    .venv/bin/python benchmarks/profile_plan.py --database-url postgres://postgres@127.0.0.1:5432/

It builds the same fresh database as plan_throughput.py, then calls Django's WSGI handler directly
(no socket, no gunicorn) with the production middleware and settings of benchmarks.bench_settings:
first it times the bare view and the plan per request, then it profiles the plan. Needs pyinstrument
for the default profiler (`.venv/bin/pip install pyinstrument`; not a project dependency).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the repository importable, as the server's PYTHONPATH does.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import plan_throughput as bench


class InProcessClient:
    """Requests straight into the WSGI application, shaped like what wrk sends."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_USER_AGENT": "wrk",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        if body is not None:
            environ["CONTENT_TYPE"] = "application/json"
        status: list[str] = []
        chunks = self.application(environ, lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return int(status[0].split()[0]), content

    def expect_200(self, method: str, path: str, body: Any = None) -> bytes:
        status, content = self.request(method, path, body)
        if status != 200:
            raise bench.BenchmarkInvalid(f"{method} {path} answered {status}: {content[:2000]!r}")
        return content


def per_request_ms(client: InProcessClient, method: str, path: str, bodies: Iterator[Any]) -> float:
    """Mean wall time per request over the given bodies, after warming up on the first one."""
    items = list(bodies)
    for _ in range(20):
        client.expect_200(method, path, items[0])
    start = time.perf_counter()
    for body in items:
        client.expect_200(method, path, body)
    return (time.perf_counter() - start) * 1000 / len(items)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server, as for plan_throughput.py")
    parser.add_argument(
        "--answers",
        choices=["every", "distinct", "full", "empty"],
        default="every",
        help="which plan requests, as in plan_throughput.py (every: a different plan each time, default)",
    )
    parser.add_argument("--requests", type=int, default=2000, help="plan requests profiled (2000)")
    parser.add_argument("--profiler", choices=["pyinstrument", "cprofile"], default="pyinstrument")
    parser.add_argument("--top", type=int, default=40, help="cProfile rows shown (40)")
    args = parser.parse_args(argv)

    with bench.trapped() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="onewindow-profile-"))
        cleanup.push(f"remove {tmp}", lambda: shutil.rmtree(tmp, ignore_errors=True))
        database = (
            bench.postgres_database(args.database_url, cleanup)
            if args.database_url
            else bench.sqlite_database(tmp)
        )
        env = bench.django_env(tmp, database)
        bench.prepare_database(env)
        os.environ.update(env)

        from django.core.wsgi import get_wsgi_application

        client = InProcessClient(get_wsgi_application())
        answers, detail = bench.heaviest_answers(client)
        if args.answers == "every":
            sets = bench.every_plan_answer_sets(detail["questions"], answers, bench.EVERY_PLAN_LIMIT)
            bodies = [{"answers": a} for a in sets]
        elif args.answers == "distinct":
            varied = bench.distinct_answer_sets(client, answers, detail["questions"], bench.DISTINCT_SETS)
            if varied is None:
                raise bench.BenchmarkInvalid("no number question to vary; use --answers full")
            bodies = [{"answers": a} for a in varied[1]]
        else:
            bodies = [{"answers": answers if args.answers == "full" else {}}]
        facts = bench.plan_facts(client.expect_200("POST", bench.PLAN_PATH, bodies[0]))

        def plans(count: int) -> Iterator[dict[str, Any]]:
            return itertools.islice(itertools.cycle(bodies), count)

        timing_count = max(200, args.requests // 4)
        bare_ms = per_request_ms(client, "GET", bench.BARE_PATH, itertools.repeat(None, timing_count))
        plan_ms = per_request_ms(client, "POST", bench.PLAN_PATH, plans(timing_count))
        print(f"{database.version}; {args.answers} plan: {facts}")
        print(f"in-process, one thread: bare view {bare_ms:.3f} ms/request, plan {plan_ms:.3f} ms/request")
        print(f"CPU-bound ceiling of the ratio (bare ms / plan ms): {bare_ms / plan_ms:.1%}\n")

        if args.profiler == "pyinstrument":
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for body in plans(args.requests):
                client.expect_200("POST", bench.PLAN_PATH, body)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        else:
            profile = cProfile.Profile()
            profile.enable()
            for body in plans(args.requests):
                client.expect_200("POST", bench.PLAN_PATH, body)
            profile.disable()
            for order in ("cumulative", "tottime"):
                print(f"--- by {order}, {args.requests} requests")
                pstats.Stats(profile).strip_dirs().sort_stats(order).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
