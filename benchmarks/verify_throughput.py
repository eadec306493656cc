"""Throughput of public licence verification (API and page) against a bare Django JSON view.

All are served by the same gunicorn (2 sync workers) in the same run, on a fresh SQLite database
seeded with the demo (which issues signed licences). The goal: the verification API (the endpoint
scanners and other systems call) at >= 60% of the bare view's requests per second; the HTML page
is reported beside it, not held to the goal. A second gunicorn with
the rate limit switched on (but out of reach) shows what the limiter costs. After the load, the
measured licence is revoked from another process and every worker must show it at once.
Rewrites docs/benchmarks/verify-throughput.md.

    .venv/bin/python benchmarks/verify_throughput.py [--duration 10] [--rounds 3]

It also times the same requests in one process (Django's WSGI handler called directly, CPU time,
SQL queries counted) and the site's base template alone, to show where a request's time goes.

Exit status: 0 goal met, 1 goal missed, 2 the run is invalid (errors, non-2xx, a stale answer
after the revocation, server died, bad setup).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plan_throughput import (
    BARE_PATH,
    LOAD_BEFORE,
    ROOT,
    VENV_BIN,
    BenchmarkInvalid,
    Endpoint,
    Run,
    Server,
    django_env,
    load_average,
    machine_facts,
    run_wrk,
    sqlite_database,
    start_server,
    trapped,
    wait_for_quiet,
)

REPORT = ROOT / "docs" / "benchmarks" / "verify-throughput.md"
GOAL = 0.6
# On, but far beyond what wrk sends in a minute: every request pays for the counting, none is refused.
LIMIT_OUT_OF_REACH = "1000000000"
# In-process timing: batches of this many requests, the best of this many batches.
IN_PROCESS_BATCH = 200
IN_PROCESS_BATCHES = 7
# Requests after the revocation: with 2 workers, enough that both answer many of them.
STALENESS_PROBES = 40


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every endpoint (3)")
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds measured per endpoint and round (10)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of unrecorded load before each run (2)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--goal", type=float, default=GOAL, help="minimum verification/bare ratio (0.6)")
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.15,
        help="before each round, wait until other processes use at most this share of the CPU, and repeat "
        "a round in which they used more (0.15)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="at most this many rounds are repeated (3)")
    parser.add_argument(
        "--quiet-wait", type=float, default=120, help="seconds to wait at most for that quiet (120)"
    )
    parser.add_argument("--no-report", action="store_true", help="do not rewrite the report")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--rounds and --duration must be at least 1, --warmup at least 0")
    return args


def onewindow(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "onewindow"), *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise BenchmarkInvalid(f"onewindow {command[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def seed(env: dict[str, str]) -> str:
    """Migrate, seed the demo (issued licences) and return one valid licence's identifier."""
    onewindow(env, "migrate", "--no-input")
    onewindow(env, "seed", "--demo")
    script = (
        "from onewindow.licenses.models import ComprehensiveLicense as L;"
        "print(L.objects.filter(status='valid').values_list('identifier', flat=True).first())"
    )
    identifier = onewindow(env, "shell", "-c", script).strip().splitlines()[-1]
    if not identifier or identifier == "None":
        raise BenchmarkInvalid("the demo seed issued no valid licence")
    return identifier


def revoke(env: dict[str, str], identifier: str) -> None:
    """Revoke the licence from a process of its own, as an issuer's request in another worker would."""
    script = (
        "from onewindow.accounts.models import User;"
        "from onewindow.licenses.models import ComprehensiveLicense as L;"
        "from onewindow.licenses.services import licence_end;"
        f"licence = L.objects.get(identifier={identifier!r});"
        "licence_end(licence_id=licence.pk, actor=User.objects.get(username='issuer'),"
        " status='revoked', reason='基准测试：吊销后核验须即时显示')"
    )
    onewindow(env, "shell", "-c", script)


def api_state(server: Server, path: str) -> str:
    return str(json.loads(server.expect_200("GET", path))["state"])


def page_state(server: Server, path: str) -> str:
    content = server.expect_200("GET", path).decode()
    marker = 'data-state="'
    start = content.find(marker)
    return content[start + len(marker) : content.index('"', start + len(marker))] if start >= 0 else "?"


def states(server: Server, api: Endpoint, page: Endpoint) -> list[str]:
    """What STALENESS_PROBES requests to each of the API and the page say.

    Eight at a time, each on a new connection, so that both workers answer a good share of them.
    """
    probes = [lambda: api_state(server, api.path)] * STALENESS_PROBES
    probes += [lambda: page_state(server, page.path)] * STALENESS_PROBES
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda probe: probe(), probes))


@dataclass
class InProcess:
    label: str
    ms: float  # CPU time per request, best of several batches
    queries: int


def in_process_figures(env: dict[str, str], identifier: str) -> list[InProcess]:
    """Where a request's time goes without gunicorn, wrk or sockets: Django's WSGI handler called directly.

    CPU time of this process, so other load on the machine bends it less than wall time. The base
    template alone (an empty page extending base.html, rendered with the same context processors)
    shows what any page of the site costs before it says anything.
    """
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.template import engines
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    application = get_wsgi_application()
    factory = RequestFactory(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")

    def get(path: str) -> Callable[[], None]:
        environ = factory.get(path).environ

        def request() -> None:
            status: list[str] = []

            def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None, /) -> Any:
                status.append(line)

            response = application({**environ, "wsgi.input": io.BytesIO()}, start_response)
            b"".join(response)
            response.close()
            if not status[0].startswith("200"):
                raise BenchmarkInvalid(f"in-process GET {path} answered {status[0]}")

        return request

    empty_page = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    def base_template() -> None:
        request = factory.get("/licences/verify/")
        request.user = AnonymousUser()
        empty_page.render({}, request)

    measured = [
        ("bare view", get(BARE_PATH)),
        ("verification API", get(f"/api/v1/licences/verify?q={identifier}")),
        ("verification page", get(f"/licences/verify/?q={identifier}")),
        ("base template alone (render only)", base_template),
    ]
    queries = {}
    for label, request in measured:
        for _ in range(50):  # warm: imports, templates, the verification cache
            request()
        with CaptureQueriesContext(connection) as captured:
            request()
        queries[label] = len(captured.captured_queries)
    # Batches in turn, so that a burst of other load falls on every request kind alike; best batch.
    best = dict.fromkeys(queries, float("inf"))
    for _ in range(IN_PROCESS_BATCHES):
        for label, request in measured:
            start = time.process_time()
            for _ in range(IN_PROCESS_BATCH):
                request()
            best[label] = min(best[label], (time.process_time() - start) * 1000 / IN_PROCESS_BATCH)
    figures = [InProcess(label, best[label], queries[label]) for label in queries]
    return figures


@dataclass
class Round:
    number: int
    others_before: float  # the CPU share other processes used just before the round
    runs: dict[str, Run]

    def ratio(self, key: str) -> float:
        return self.runs[key].rps / self.runs["bare"].rps

    def cpu_ratio(self, key: str) -> float:
        return self.runs["bare"].server_cpu_ms / self.runs[key].server_cpu_ms


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk).", file=sys.stderr)
        return 2
    command = shlex.join([".venv/bin/python", "benchmarks/verify_throughput.py", *argv])
    LOAD_BEFORE["value"] = load_average()
    print(f"load average before the run: {LOAD_BEFORE.get('value', '?')}", flush=True)
    rounds: list[Round] = []
    repeated = 0
    try:
        with trapped() as cleanup, tempfile.TemporaryDirectory(prefix="ow-verify-") as tmp_name:
            tmp = Path(tmp_name)
            database = sqlite_database(tmp)
            env = django_env(tmp, database)
            env["VERIFY_RATE_LIMIT_PER_MINUTE"] = "0"  # the limit would turn load into 429s
            identifier = seed(env)
            in_process = in_process_figures(env, identifier)
            for figure in in_process:
                print(
                    f"in process: {figure.label:<34} {figure.ms:.3f} ms CPU/request, {figure.queries} queries"
                )
            for name in ("off", "on"):
                (tmp / name).mkdir()
            server, server_command = start_server(env, args.workers, tmp / "off", cleanup)
            limited_env = {**env, "VERIFY_RATE_LIMIT_PER_MINUTE": LIMIT_OUT_OF_REACH}
            limited, _ = start_server(limited_env, args.workers, tmp / "on", cleanup)
            bare = Endpoint("bare", "bare view", "GET", BARE_PATH)
            api = Endpoint("api", "verification API", "GET", f"/api/v1/licences/verify?q={identifier}")
            page = Endpoint(
                "page", "verification page", "GET", f"/licences/verify/?q={identifier}", gated=False
            )
            api_limited = Endpoint(
                "api_limited", "verification API, rate limit on", "GET", api.path, gated=False
            )
            targets = [(bare, server), (api, server), (page, server), (api_limited, limited)]
            for endpoint, target in targets:
                target.expect_200(endpoint.method, endpoint.path)
            while len(rounds) < args.rounds:
                number = len(rounds) + repeated + 1
                others_before = wait_for_quiet(args.max_other_cpu, args.quiet_wait)
                runs = {}
                for endpoint, target in targets:
                    if args.warmup:
                        run_wrk(args, target, endpoint, args.warmup)
                    runs[endpoint.key] = run = run_wrk(args, target, endpoint, args.duration)
                    print(
                        f"round {number}: {endpoint.label:<32} {run.rps:7.0f} req/s  p99 {run.p99_ms:6.1f} ms  "
                        f"server CPU {run.server_cpu_ms:.2f} ms/request  others {run.cpu.other:.0%}",
                        flush=True,
                    )
                if (
                    max(run.cpu.other for run in runs.values()) > args.max_other_cpu
                    and repeated < args.repeats
                ):
                    repeated += 1
                    print(
                        f"round {number} discarded: other processes took more than {args.max_other_cpu:.0%} of "
                        f"the CPU during a run ({repeated} of at most {args.repeats} repeats)",
                        flush=True,
                    )
                    continue
                rounds.append(Round(len(rounds) + 1, others_before, runs))
            # Both workers of the first server have the valid answer cached by now.
            before = states(server, api, page)
            if set(before) != {"valid"}:
                raise BenchmarkInvalid(f"before the revocation verification said {sorted(set(before))}")
            revoke(env, identifier)
            after = states(server, api, page)
            stale = sum(state != "revoked" for state in after)
            if stale:
                raise BenchmarkInvalid(
                    f"{stale} of {len(after)} verifications after the revocation did not say revoked"
                )
            print(f"revoked from another process: {len(after)} of {len(after)} verifications say so at once")
            server.check_alive()
            facts = machine_facts(database)
    except BenchmarkInvalid as exc:
        print(f"\nINVALID RUN: {exc}", file=sys.stderr)
        return 2

    gated = [e for e, _ in targets if e.key != "bare" and e.gated]
    measured = [e for e, _ in targets if e.key != "bare"]
    ratios = {e.key: statistics.median(r.ratio(e.key) for r in rounds) for e in measured}
    cpu_ratios = {e.key: statistics.median(r.cpu_ratio(e.key) for r in rounds) for e in measured}
    goal_met = all(ratios[e.key] >= args.goal for e in gated)
    for e in measured:
        print(
            f"{e.label}: median {ratios[e.key]:.1%} of the bare view (by server CPU {cpu_ratios[e.key]:.1%})"
        )
    print(f"goal (≥ {args.goal:.0%} for the API): {'met' if goal_met else 'MISSED'}")
    if not args.no_report:
        REPORT.write_text(
            report(args, command, facts, server_command, rounds, repeated, targets, in_process, goal_met),
            encoding="utf-8",
        )
        print(f"written to {REPORT.relative_to(ROOT)}")
    return 0 if goal_met else 1


def report(
    args: argparse.Namespace,
    command: str,
    facts: list[tuple[str, str]],
    server_command: list[str],
    rounds: list[Round],
    repeated: int,
    targets: list[tuple[Endpoint, Server]],
    in_process: list[InProcess],
    goal_met: bool,
) -> str:
    endpoints = [e for e, _ in targets]
    measured = [e for e in endpoints if e.key != "bare"]
    median = statistics.median

    def ratio(key: str) -> float:
        return median(r.ratio(key) for r in rounds)

    def verdict(endpoint: Endpoint) -> str:
        if not endpoint.gated:
            return "not held to the goal"
        return "holds" if ratio(endpoint.key) >= args.goal else "**is missed**"

    bare_ms = in_process[0].ms
    base_ms = in_process[-1].ms
    bare_cpu = median(r.runs["bare"].server_cpu_ms for r in rounds)
    # A page that renders base.html costs at least the bare request plus the template.
    ceiling = bare_cpu / (bare_cpu + base_ms)
    page_note = [
        f"The site's base template alone costs {base_ms:.2f} ms of CPU to render, {base_ms / bare_ms:.1f} times",
        f"a whole bare request in one process (table below); with gunicorn a bare request took {bare_cpu:.2f} ms",
        f"of server CPU, so no page rendering that template can exceed about {ceiling:.0%} of the bare view here.",
        "",
    ]
    noisy = [r.number for r in rounds if max(run.cpu.other for run in r.runs.values()) > args.max_other_cpu]
    noise = (
        f"{repeated} round(s) were discarded and repeated because other processes took more than "
        f"{args.max_other_cpu:.0%} of the CPU during one of their runs."
        if repeated
        else "No round had to be repeated."
    )
    if noisy:
        noise += (
            f" **Kept although other processes took more than {args.max_other_cpu:.0%} of the CPU"
            f" (the repeats ran out): round(s) {', '.join(map(str, noisy))}; those figures are uncertain.**"
        )
    lines = [
        "# Licence verification throughput",
        "",
        "What it measures: requests per second of public licence verification against a bare Django",
        'view returning `JsonResponse({"ok": True})` without touching the database, all served by the',
        f"same gunicorn ({args.workers} sync workers) in the same run, on SQLite seeded with the demo.",
        "The bare view goes through the same middleware, so the ratio is what verification costs on top",
        "of Django. One valid licence is looked up by its identifier on every request:",
        "",
        "- **verification API**: `GET /api/v1/licences/verify?q=<identifier>`, the licence with its",
        "  permits, personal data masked; rate limit off (`VERIFY_RATE_LIMIT_PER_MINUTE=0`);",
        "- **verification page**: `GET /licences/verify/?q=<identifier>`, the same answer as the site's",
        "  HTML page (base template, CSRF token for the language switch); rate limit off;",
        "- **verification API, rate limit on**: a second gunicorn with",
        f"  `VERIFY_RATE_LIMIT_PER_MINUTE={LIMIT_OUT_OF_REACH}`, so every request is counted and none",
        "  refused: what the limiter costs. Reported, not held to the goal.",
        "",
        f"wrk -t{args.threads} -c{args.connections}, {args.duration} s per endpoint and round after a "
        f"{args.warmup} s warm-up, the endpoints in turn",
        f"within each round; before each round the script waits (at most {args.quiet_wait:.0f} s) until other",
        f"processes use at most {args.max_other_cpu:.0%} of the CPU. {noise}",
        "",
        f"Run on {datetime.now().astimezone():%Y-%m-%d %H:%M %Z (UTC%z)}. Command: `{command}`",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in facts),
        f"| server | `{' '.join(server_command)}` |",
        "",
        "## Result",
        "",
        f"Goal: the verification API at ≥ {args.goal:.0%} of the bare view's",
        "requests per second (median over rounds of each round's ratio) — "
        + ("**holds**" if goal_met else "**is missed**")
        + ": "
        + ", ".join(f"the {e.label} {ratio(e.key):.1%} ({verdict(e)})" for e in measured if e.gated)
        + ".",
        "",
        *page_note,
        "| endpoint | median req/s | / bare view | goal | by server CPU per request | server CPU ms/request | p50 ms | p99 ms |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
        *(
            f"| {e.label} | {median(r.runs[e.key].rps for r in rounds):.0f} | "
            + ("— | — | — | " if e.key == "bare" else f"{ratio(e.key):.1%} | {verdict(e)} | ")
            + ("" if e.key == "bare" else f"{median(r.cpu_ratio(e.key) for r in rounds):.1%} | ")
            + f"{median(r.runs[e.key].server_cpu_ms for r in rounds):.2f} | "
            + f"{median(r.runs[e.key].p50_ms for r in rounds):.1f} | "
            + f"{median(r.runs[e.key].p99_ms for r in rounds):.1f} |"
            for e in endpoints
        ),
        "",
        '"By server CPU per request" is the bare view\'s gunicorn CPU time per request over the',
        "endpoint's: the ratio other load on the machine bends least.",
        "",
        "| round | others' CPU before | others' CPU during (max) | "
        + " | ".join(f"{e.label} req/s" for e in endpoints)
        + " | "
        + " | ".join(f"{e.label} / bare" for e in measured)
        + " |",
        "|---:|---:|---:|" + "---:|" * (len(endpoints) + len(measured)),
        *(
            f"| {r.number} | {r.others_before:.0%} | {max(run.cpu.other for run in r.runs.values()):.0%} | "
            + " | ".join(f"{r.runs[e.key].rps:.0f}" for e in endpoints)
            + " | "
            + " | ".join(f"{r.ratio(e.key):.1%}" for e in measured)
            + " |"
            for r in rounds
        ),
        "",
        "## Where a request's time goes",
        "",
        "The same requests through Django's WSGI handler called in one process (no gunicorn, wrk or",
        f"socket; every middleware), CPU time per request, the best of {IN_PROCESS_BATCHES} batches of",
        f"{IN_PROCESS_BATCH} taken in turn, after a warm-up:",
        "",
        "| request | CPU ms/request | × bare view | SQL queries |",
        "|---|---:|---:|---:|",
        *(f"| {f.label} | {f.ms:.3f} | {f.ms / bare_ms:.1f} | {f.queries} |" for f in in_process),
        "",
        "Verification answers come from a per-process cache kept per licence revision (see",
        "`onewindow/licenses/selectors.py`), so a warm request makes no SQL query and does not open the",
        "database. The page's remaining cost is the site's base template (`onewindow/templates/base.html`:",
        "translations, URL reversals, a CSRF token), which every page renders before it says anything;",
        "the last row shows it alone.",
        "",
        "## Before the verification cache",
        "",
        "The same script on the code before the cache (verification as of commit ff8bcb4, 2026-11-28, a busier",
        "machine): verification API 11.5% of the bare view, page 8.4%; 4.8–5.6 ms and 6.5–7.4 ms of server",
        "CPU per request. Each request opened SQLite (a new connection per request, about 1 ms with its",
        "`PRAGMA`s) and made 2 queries (licence, then permits with their item and department): 4.2 ms of",
        "CPU in one process for the API, 4.2 ms for the page. The earlier report measured 9.5% for the API.",
        "",
        "## No stale answer",
        "",
        "After the load, when both workers hold the valid answer, another process revokes the licence",
        f"(`licence_end`, as an issuer's request would); then {STALENESS_PROBES} API and {STALENESS_PROBES} page",
        "requests, eight at a time and each on a new connection, so spread over both workers, must all",
        "say revoked. The run is invalid and nothing is written otherwise: this run passed.",
        "",
        "## Reading the figures",
        "",
        "wrk and the server share the 2-core machine, and gunicorn's sync workers close the connection",
        "after every response, so each request also pays a TCP connect: both lower every endpoint's",
        "absolute req/s. Other load on the machine lowers both figures; compare ratios, not req/s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
