"""Throughput of POST /api/v1/bundles/hotel/plan against a bare Django JSON view, served by one gunicorn.

Run from the repository root with the project's virtualenv:

    .venv/bin/python benchmarks/plan_throughput.py                      # SQLite in a temporary directory
    .venv/bin/python benchmarks/plan_throughput.py --database-url postgres://postgres@127.0.0.1:5432/

The script builds a fresh database (migrate + `onewindow seed`), starts gunicorn (2 sync workers,
127.0.0.1, a free port) with benchmarks.bench_settings, and drives it with wrk: the bare view, the
heaviest hotel plan (every question answered so all items apply) and the empty-answers plan, one
after the other, for several rounds. It prints req/s per round, medians, the plan/bare ratio and
latencies, and rewrites its section of docs/benchmarks/plan-throughput.md.

Exit status: 0 goal met, 1 goal missed, 2 the run is invalid (errors, non-2xx, server died, bad setup).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import random
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
LUA_SCRIPT = BENCH_DIR / "wrk_report.lua"
REPORT = ROOT / "docs" / "benchmarks" / "plan-throughput.md"
VENV_BIN = Path(sys.executable).parent

BUNDLE = "hotel"
BARE_PATH = "/bench/bare/"
# How many different answer sets the distinct-answers plan cycles through: more than any plan cache keeps.
DISTINCT_SETS = 5000
# At most this many answer combinations for the every-plan run.
EVERY_PLAN_LIMIT = 5000
DETAIL_PATH = f"/api/v1/bundles/{BUNDLE}"
PLAN_PATH = f"/api/v1/bundles/{BUNDLE}/plan"


# Other work on the machine lowers both figures; the report shows how busy it was.
LOAD_BEFORE: dict[str, str] = {}


class BenchmarkInvalid(Exception):
    """The measurement cannot be trusted (errors, non-2xx, a dead server, a broken setup)."""


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/); a throwaway database is created on it "
        "and dropped afterwards. Default: SQLite in a temporary directory.",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare, full plan, empty plan (3)")
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds measured per endpoint and round (15)"
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of unrecorded load before each run (3)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--goal", type=float, default=0.5, help="minimum plan/bare ratio (0.5)")
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.15,
        help="a round in which other processes take more of the CPU than this is repeated (0.15)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="at most this many rounds are repeated (3)")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300,
        help="seconds to wait before each round for other processes to leave the CPU idle (300)",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite docs/benchmarks/plan-throughput.md"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--rounds and --duration must be at least 1, --warmup at least 0")
    return args


# ---------------------------------------------------------------- processes and cleanup


class Cleanup:
    """Everything the run started, undone in reverse order whatever happens (the script's trap)."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Any]] = []

    def push(self, what: str, step: Any) -> None:
        self._steps.append((what, step))

    def run(self) -> None:
        while self._steps:
            what, step = self._steps.pop()
            try:
                step()
            except Exception as exc:  # keep undoing the rest
                print(f"cleanup: {what} failed: {exc}", file=sys.stderr)


def _raise_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with start_new_session=True and everything it forked."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- database


@dataclass
class Database:
    url: str
    label: str  # "SQLite" or "PostgreSQL"
    version: str


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def sqlite_database(tmp: Path) -> Database:
    import sqlite3

    return Database(f"sqlite:///{tmp / 'bench.sqlite3'}", "SQLite", f"SQLite {sqlite3.sqlite_version}")


def postgres_database(server_url: str, cleanup: Cleanup) -> Database:
    """A throwaway database on the given server; the URL's own database is only used to connect."""
    import psycopg

    parts = urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise BenchmarkInvalid(f"--database-url must be a postgres:// URL, not {redact(server_url)}")
    maintenance = urlunsplit(
        parts._replace(scheme="postgresql", path="/" + (parts.path.strip("/") or "postgres"))
    )
    name = f"onewindow_bench_{secrets.token_hex(4)}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    cleanup.push(f"drop database {name}", drop)
    return Database(urlunsplit(parts._replace(path=f"/{name}")), "PostgreSQL", f"PostgreSQL {version}")


def django_env(tmp: Path, database: Database) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("ONEWINDOW_DEBUG", "CI", "REDIS_URL", "DATABASE_CONN_MAX_AGE"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        ONEWINDOW_DATA_DIR=str(tmp / "data"),
        DATABASE_URL=database.url,
        ONEWINDOW_DEBUG="0",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    onewindow = VENV_BIN / "onewindow"
    for command in (["migrate", "--no-input"], ["seed"]):
        result = subprocess.run(
            [str(onewindow), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            raise BenchmarkInvalid(f"onewindow {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchmarkInvalid(f"gunicorn exited with {self.process.returncode}; see {self.log}")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """One request without cookies, CSRF token or redirect following: what wrk sends."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {}
            data = None
            if body is not None:
                data = json.dumps(body, ensure_ascii=False).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def expect_200(self, method: str, path: str, body: Any = None) -> bytes:
        status, content = self.request(method, path, body)
        if status != 200:
            raise BenchmarkInvalid(
                f"{method} {path} answered {status}, not 200:\n{content[:2000].decode(errors='replace')}"
            )
        return content


def gunicorn_command(port: int, workers: int, log: Path, *options: str) -> list[str]:
    """gunicorn serving the project with sync workers on 127.0.0.1:`port`, its warnings logged to `log`."""
    return [
        str(VENV_BIN / "gunicorn"),
        "onewindow.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        *options,
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]


def start_server(env: dict[str, str], workers: int, tmp: Path, cleanup: Cleanup) -> tuple[Server, list[str]]:
    port = free_port()
    log = tmp / "gunicorn.log"
    command = gunicorn_command(port, workers, log)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Server(process, port, log)
    cleanup.push("stop gunicorn", lambda: stop_process_group(process))
    deadline = time.monotonic() + 60
    while True:
        server.check_alive()
        with contextlib.suppress(OSError):
            if server.request("GET", BARE_PATH)[0] == 200:
                break
        if time.monotonic() > deadline:
            raise BenchmarkInvalid(f"gunicorn did not answer {BARE_PATH} within 60 s; see {log}")
        time.sleep(0.2)
    shown = [
        Path(command[0]).relative_to(ROOT).as_posix() if command[0].startswith(str(ROOT)) else command[0]
    ]
    shown += ["onewindow.wsgi:application", "--bind", "127.0.0.1:<free port>", *command[4:8]]
    return server, shown


# ---------------------------------------------------------------- the answers


def candidate_values(question: dict[str, Any]) -> list[Any]:
    kind = question["kind"]
    if kind == "yes_no":
        return [True, False]
    if kind == "choice":
        return [option["value"] for option in question["options"]]
    low, high = question.get("min"), question.get("max")
    numbers = {0, 1, 5, 10, 20, 50, 100, 200, 500, 1000, 10000}
    if low is not None:
        numbers.add(low)
    if high is not None:
        numbers.add(high)
    return sorted(n for n in numbers if (low is None or n >= low) and (high is None or n <= high))


class Client(Protocol):
    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]: ...

    def expect_200(self, method: str, path: str, body: Any = None) -> bytes: ...


def heaviest_answers(server: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """Answer every question so that the most items apply (ties: the biggest plan).

    The bundle's rules are not part of the public API, so this searches through it: one question at
    a time, try each candidate answer and keep the best, until nothing improves.
    """
    detail = json.loads(server.expect_200("GET", DETAIL_PATH))
    questions = detail["questions"]
    if not questions:
        raise BenchmarkInvalid(f"bundle {BUNDLE} has no questions")

    def score(answers: dict[str, Any]) -> tuple[int, int]:
        status, content = server.request("POST", PLAN_PATH, {"answers": answers})
        if status != 200:
            return (-1, 0)
        return (len(json.loads(content)["items"]), len(content))

    answers = {q["code"]: candidate_values(q)[0] for q in questions}
    best = score(answers)
    for _sweep in range(3):
        improved = False
        for question in questions:
            for value in candidate_values(question):
                trial = {**answers, question["code"]: value}
                result = score(trial)
                if result > best:
                    answers, best, improved = trial, result, True
        if not improved:
            break
    if best[0] != detail["item_count"]:
        raise BenchmarkInvalid(
            f"no answer set found that makes all {detail['item_count']} items of {BUNDLE} apply (best: {best[0]})"
        )
    return answers, detail


def distinct_answer_sets(
    server: Client, answers: dict[str, Any], questions: list[dict[str, Any]], count: int
) -> tuple[str, list[dict[str, Any]]] | None:
    """`count` answer sets giving the same plan as `answers` but each different, to defeat any plan cache.

    A number question is varied one step at a time from its chosen answer; every value must keep the
    plan's items, fields, materials and clauses (checked on the first, middle and last value).
    Returns the question's code and the sets, or None when no number question allows it.
    """
    reference = plan_facts(server.expect_200("POST", PLAN_PATH, {"answers": answers}))
    for question in questions:
        if question["kind"] != "number" or question["code"] not in answers:
            continue
        start = answers[question["code"]]
        high = question.get("max")
        step = 1 if high is None or start + count - 1 <= high else -1
        values = [start + step * n for n in range(count)]
        low = question.get("min")
        if low is not None and min(values) < low:
            continue
        sets = [{**answers, question["code"]: value} for value in values]
        probes = (sets[0], sets[len(sets) // 2], sets[-1])
        same = True
        for probe in probes:
            status, content = server.request("POST", PLAN_PATH, {"answers": probe})
            facts = plan_facts(content) if status == 200 else {}
            same = same and all(
                facts.get(k) == reference[k] for k in ("items", "fields", "materials", "clauses")
            )
        if same:
            return question["code"], sets
    return None


def every_plan_answer_sets(
    questions: list[dict[str, Any]], full_answers: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    """Every combination of answers (number questions: their minimum or the full answer), shuffled."""
    options: list[list[Any]] = []
    for question in questions:
        if question["kind"] == "number":
            low = question.get("min") or 0
            options.append(sorted({low, full_answers.get(question["code"], low)}))
        else:
            options.append(candidate_values(question))
    codes = [q["code"] for q in questions]
    sets = [
        dict(zip(codes, combo, strict=True)) for combo in itertools.islice(itertools.product(*options), limit)
    ]
    random.Random(0).shuffle(sets)
    return sets


# ---------------------------------------------------------------- load


@dataclass
class Endpoint:
    key: str
    label: str
    method: str
    path: str
    bodies: list[dict[str, Any]] | None = None  # several: each request takes the next
    body_file: Path | None = None
    note: str = ""
    gated: bool = True  # held to the goal

    @property
    def body(self) -> dict[str, Any] | None:
        return self.bodies[0] if self.bodies else None


@dataclass
class Run:
    requests: int
    duration_us: int
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu: CpuShares

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def server_cpu_ms(self) -> float:
        """gunicorn's CPU time per request: what a request costs, whatever else the machine does."""
        return self.cpu.server_seconds * 1000 / self.requests


@dataclass
class CpuShares:
    """Where the machine's CPU time went during a run, as fractions of all CPUs' time."""

    server: float
    wrk: float
    other: float
    idle: float
    server_seconds: float  # absolute: gunicorn's CPU seconds in the run


@dataclass
class CpuSnapshot:
    busy: float
    total: float
    server: float
    children: float


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat_fields(pid: int) -> list[str]:
    # The command name may contain spaces; everything after its closing parenthesis is fixed.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree_seconds(root: int) -> float:
    """CPU seconds used by a process, its children alive now, and the children it has reaped."""
    seconds = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _proc_stat_fields(int(entry.name))
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root:
            seconds += sum(int(v) for v in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
        elif ppid == root:
            seconds += sum(int(v) for v in fields[11:13]) / CLOCK_TICKS
    return seconds


def machine_cpu_seconds() -> tuple[float, float]:
    """Busy and total CPU seconds of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def wait_for_quiet(threshold: float, patience: float) -> float:
    """Wait (at most `patience` seconds) until other processes leave the CPU mostly idle.

    Called between rounds, when this benchmark's server and wrk are idle, so what is busy is someone
    else. Returns the busy share of the last 2 s sample.
    """
    deadline = time.monotonic() + patience
    while True:
        busy_before, total_before = machine_cpu_seconds()
        time.sleep(2)
        busy_after, total_after = machine_cpu_seconds()
        busy = (busy_after - busy_before) / max(total_after - total_before, 1e-9)
        if busy <= threshold or time.monotonic() >= deadline:
            return busy


def cpu_snapshot(server: Server) -> CpuSnapshot:
    busy, total = machine_cpu_seconds()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSnapshot(
        busy=busy,
        total=total,
        server=process_tree_seconds(server.process.pid),
        children=usage.ru_utime + usage.ru_stime,
    )


def cpu_shares(before: CpuSnapshot, after: CpuSnapshot) -> CpuShares:
    total = max(after.total - before.total, 1e-9)
    busy = after.busy - before.busy
    server = after.server - before.server
    wrk = after.children - before.children
    return CpuShares(
        server=server / total,
        wrk=wrk / total,
        other=max(0.0, busy - server - wrk) / total,
        idle=max(0.0, total - busy) / total,
        server_seconds=server,
    )


def wrk_command(args: argparse.Namespace, port: int, path: str, seconds: int) -> list[str]:
    wrk = shutil.which("wrk") or "wrk"
    return [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        f"http://127.0.0.1:{port}{path}",
    ]


def run_wrk(args: argparse.Namespace, server: Server, endpoint: Endpoint, seconds: int) -> Run:
    env = dict(os.environ)
    env.pop("BENCH_BODY_FILE", None)
    if endpoint.body_file is not None:
        env["BENCH_BODY_FILE"] = str(endpoint.body_file)
    command = wrk_command(args, server.port, endpoint.path, seconds)
    before = cpu_snapshot(server)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    after = cpu_snapshot(server)
    server.check_alive()
    match = re.search(r"^BENCH_JSON (\{.*\})$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise BenchmarkInvalid(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    errors = {
        k: data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    }
    run = Run(
        requests=data["requests"],
        duration_us=data["duration_us"],
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        cpu=cpu_shares(before, after),
    )
    if any(errors.values()) or run.requests == 0:
        raise BenchmarkInvalid(
            f"wrk reported errors on {endpoint.label} ({endpoint.path}): {errors}, {run.requests} requests; "
            f"non-2xx responses or socket errors make the result invalid.\n{result.stdout}"
        )
    return run


# ---------------------------------------------------------------- report


@dataclass
class Results:
    endpoints: list[Endpoint]
    rounds: list[dict[str, Run]]
    repeated: int = 0

    def noisy_rounds(self, threshold: float) -> list[int]:
        """Rounds kept although other processes took more CPU than the threshold (the repeats ran out)."""
        return [
            number
            for number, runs in enumerate(self.rounds, start=1)
            if max(run.cpu.other for run in runs.values()) > threshold
        ]

    def rps(self, key: str) -> list[float]:
        return [r[key].rps for r in self.rounds]

    def median_rps(self, key: str) -> float:
        return statistics.median(self.rps(key))

    def ratios(self, key: str) -> list[float]:
        return [r[key].rps / r["bare"].rps for r in self.rounds]

    def median_ratio(self, key: str) -> float:
        return statistics.median(self.ratios(key))

    def median_latency(self, key: str, attr: str) -> float:
        return statistics.median(getattr(r[key], attr) for r in self.rounds)

    def median_cpu_ms(self, key: str) -> float:
        return statistics.median(r[key].server_cpu_ms for r in self.rounds)

    def median_cpu_ratio(self, key: str) -> float:
        """Bare view's CPU per request over the plan's, per round: the ratio other load cannot bend."""
        return statistics.median(r["bare"].server_cpu_ms / r[key].server_cpu_ms for r in self.rounds)


def display_command(script: str, argv: list[str]) -> str:
    """How the run was started, as a shell command from the repository root, passwords hidden."""
    interpreter = Path(sys.executable)
    shown = interpreter.relative_to(ROOT).as_posix() if interpreter.is_relative_to(ROOT) else str(interpreter)
    return shlex.join([shown, script, *(redact(a) for a in argv)])


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def command_output(command: list[str]) -> str:
    """What the command prints, stripped; "?" when it cannot run."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine_basics() -> list[tuple[str, str]]:
    """The facts of the machine every report starts with: CPUs, memory, OS, Python and Django."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    for line in command_output(["free", "-h"]).splitlines():
        if line.startswith("Mem:"):
            fields = line.split()
            memory = f"{fields[1]} total, {fields[6] if len(fields) > 6 else '?'} available"
    import django

    return [
        ("CPUs (`nproc`)", command_output(["nproc"])),
        ("CPU", cpu),
        ("memory (`free -h`)", memory),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
    ]


def gunicorn_version() -> str:
    return (command_output([str(VENV_BIN / "gunicorn"), "--version"]).rstrip(")").split() or ["?"])[-1]


def commit_state() -> str:
    """The commit the code was run at, and whether it had uncommitted changes."""
    commit = command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "?"
    dirty = command_output(["git", "-C", str(ROOT), "status", "--porcelain"])
    return f"{commit} + uncommitted changes" if dirty else commit


def machine_facts(database: Database) -> list[tuple[str, str]]:
    wrk_version = command_output(["wrk", "--version"]).splitlines()[:1] or ["?"]
    return [
        *machine_basics(),
        ("gunicorn", gunicorn_version()),
        ("wrk", wrk_version[0].split(" Copyright")[0]),
        ("load average before the run", LOAD_BEFORE.get("value", "?")),
        ("database", database.version),
        ("commit", commit_state()),
    ]


def facts_table(facts: list[tuple[str, str]]) -> list[str]:
    return ["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in facts)]


def section_head(label: str, facts: list[tuple[str, str]], command: str) -> list[str]:
    """The start of a database's section of a report: when, on what machine, with which command."""
    return [
        f"### {label}",
        "",
        f"Run on {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        *facts_table(facts),
        "",
        "Command (from the repository root):",
        "",
        "```",
        command,
        "```",
        "",
    ]


def render_section(
    args: argparse.Namespace,
    database: Database,
    results: Results,
    plan_facts: dict[str, dict[str, Any]],
    answers: dict[str, Any],
    server_command: list[str],
    command: str,
    goal_met: bool,
) -> str:
    plans = [e for e in results.endpoints if e.key != "bare"]
    lines = [
        *section_head(database.label, machine_facts(database), command),
        "It served both endpoints from one `"
        + " ".join(server_command)
        + "` and ran, per endpoint and round, a "
        + f"{args.warmup} s warm-up and then `"
        + " ".join(
            [
                "wrk",
                *wrk_command(args, 0, "<path>", args.duration)[1:-3],
                "-s",
                "benchmarks/wrk_report.lua",
                "<url>",
            ]
        )
        + "`.",
        "",
        "Plans measured:",
        "",
    ]
    for endpoint in plans:
        facts = plan_facts[endpoint.key]
        lines.append(
            f"- **{endpoint.label}**: {endpoint.note}; {facts['items']} item(s), {facts['fields']} form field(s), "
            f"{facts['materials']} material(s), {facts['clauses']} commitment clause(s), "
            f"{facts['bytes']:,} bytes of JSON{' on average' if endpoint.bodies and len(endpoint.bodies) > 1 else ''}."
        )
    lines += [
        "",
        f"Full answer set: `{json.dumps(answers, ensure_ascii=False)}`",
        "",
        "| round | "
        + " | ".join(f"{e.label} req/s" for e in results.endpoints)
        + " | "
        + " | ".join(f"{e.label} / bare" for e in plans)
        + " | CPU taken by other processes |",
        "|---:|" + "---:|" * (len(results.endpoints) + len(plans) + 1),
    ]
    for number, round_runs in enumerate(results.rounds, start=1):
        cells = [f"{round_runs[e.key].rps:,.0f}" for e in results.endpoints]
        cells += [f"{round_runs[e.key].rps / round_runs['bare'].rps:.1%}" for e in plans]
        cells.append(" / ".join(f"{round_runs[e.key].cpu.other:.0%}" for e in results.endpoints))
        lines.append(f"| {number} | " + " | ".join(cells) + " |")
    cells = [f"**{results.median_rps(e.key):,.0f}**" for e in results.endpoints]
    cells += [f"**{results.median_ratio(e.key):.1%}**" for e in plans]
    lines.append("| median | " + " | ".join(cells) + " | |")
    lines += [
        "",
        "The last column is the share of the machine's CPU time that processes other than this"
        " benchmark's gunicorn and wrk used during each run ("
        + " / ".join(e.label for e in results.endpoints)
        + "): other work on the machine, which lowers and scatters the figures. Before each round the"
        f" script waits (up to {args.quiet_wait:.0f} s) for the machine to be quiet, and it repeats a"
        f" round in which others took more than {args.max_other_cpu:.0%} (at most {args.repeats} times);"
        f" {results.repeated} round(s) were repeated in this run.",
        "",
        "| endpoint | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors "
        "| CPU: gunicorn | CPU: wrk | CPU: idle | gunicorn CPU ms per request | bare / this, by CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint in results.endpoints:
        status = sum(r[endpoint.key].errors["status_errors"] for r in results.rounds)
        socket_errors = sum(
            sum(v for k, v in r[endpoint.key].errors.items() if k != "status_errors") for r in results.rounds
        )
        lines.append(
            f"| {endpoint.label} | {results.median_latency(endpoint.key, 'p50_ms'):.1f} | "
            f"{results.median_latency(endpoint.key, 'p90_ms'):.1f} | "
            f"{results.median_latency(endpoint.key, 'p99_ms'):.1f} | "
            f"{max(r[endpoint.key].max_ms for r in results.rounds):.1f} | {status} | {socket_errors} | "
            + " | ".join(
                f"{statistics.median(getattr(r[endpoint.key].cpu, part) for r in results.rounds):.0%}"
                for part in ("server", "wrk", "idle")
            )
            + f" | {results.median_cpu_ms(endpoint.key):.2f} | {results.median_cpu_ratio(endpoint.key):.1%} |"
        )
    lines += [
        "",
        "Latencies and CPU figures are medians over the rounds (max: the worst of all rounds)."
        " The CPU shares are of the whole machine (2 CPUs = 100%). *gunicorn CPU ms per request* is the"
        " CPU time gunicorn's master and workers used divided by the requests served; its ratio to the"
        " bare view's is the throughput ratio the server would reach if it had the CPUs to itself, and"
        " unlike req/s it hardly moves when other processes compete for the CPU.",
        "",
    ]
    noisy = results.noisy_rounds(args.max_other_cpu)
    if noisy:
        lines += [
            f"**Caution**: in round(s) {', '.join(map(str, noisy))} other processes still took more than"
            f" {args.max_other_cpu:.0%} of the CPU; those figures understate the server and the ratios"
            " are less certain. Re-run on a quiet machine.",
            "",
        ]

    def figures(endpoints: list[Endpoint]) -> str:
        return "; ".join(
            f"the {e.label} at {results.median_ratio(e.key):.1%} by req/s,"
            f" {results.median_cpu_ratio(e.key):.1%} by CPU per request"
            for e in endpoints
        )

    held = figures([e for e in plans if e.gated])
    if goal_met:
        lines.append(f"**The goal holds** on {database.label}: every plan held to it is at ≥ {args.goal:.0%}")
    else:
        lines.append(
            f"**The goal is missed** on {database.label}: a plan held to it is below {args.goal:.0%}"
        )
    lines[-1] += f" of the bare view ({held})."
    informational = [e for e in plans if not e.gated]
    if informational:
        lines.append(f"Not held to the goal: {figures(informational)}.")
    return "\n".join(lines) + "\n"


REPORT_INTRO = """# Plan endpoint throughput

What it measures: requests per second of `POST /api/v1/bundles/hotel/plan` (the planner behind
the applicant's "what do I need" page) against a bare Django view returning
`JsonResponse({"ok": True})` through the same middleware, both served by the same gunicorn
(2 sync workers) in the same run, on a freshly migrated and seeded database. The goal: each plan
request held to it at ≥ 50% of the bare view's throughput. The bare view is the ceiling of
Django + gunicorn on this machine, so the ratio is the share of that ceiling the plan endpoint keeps.

Four kinds of plan request are measured. The **full plan** answers every scenario question so
that all the hotel bundle's items apply (the biggest form, checklist and commitment letter); the
**empty plan** posts `{"answers": {}}` (only the items every hotel needs). Both send the same
body on every request, as one applicant reloading the page does. **Distinct answers** send the full
answers with a different `daily_discharge` on each request (all > 0, so the same plan), as many
applicants whose answers differ where no rule looks. **Every plan** cycles through every
combination of answers in a shuffled order, so each request asks for a different plan: the worst
case, where no rendered plan can be reused; it is reported but not held to the goal. The plan
endpoint keeps rendered plans per process (see `onewindow/bundles/api.py`), so the first three are
mostly served from that cache once warm.

Endpoints alternate within each round so drift affects them alike; each ratio compares a plan
with the bare view of the same round. wrk runs on the same 2-core machine as the server, so
absolute figures are lower than with a separate load generator; compare the ratios.

How to run it and how it works: [benchmarks/README.md](../../benchmarks/README.md). The results
below are written by `benchmarks/plan_throughput.py`; re-running it replaces the section of the
database it ran on.
"""


def markers(label: str) -> tuple[str, str]:
    key = label.lower()
    return f"<!-- results:{key}:start -->", f"<!-- results:{key}:end -->"


def report_template(intro: str, labels: tuple[str, ...]) -> str:
    """A new report: the intro, then a section not run yet for each database label."""
    sections = []
    for label in labels:
        start, end = markers(label)
        sections.append(f"{start}\n### {label}\n\nNot run yet.\n{end}\n")
    return f"{intro}\n## Results\n\n" + "\n".join(sections)


def write_section(report: Path, template: str, label: str, section: str) -> None:
    """Replace one database's section of a report, keeping the rest; a new report starts from `template`."""
    start, end = markers(label)
    text = report.read_text(encoding="utf-8") if report.exists() else template
    if start not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    _old, after = rest.split(end, 1)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(f"{before}{start}\n{section}{end}{after}", encoding="utf-8")


# ---------------------------------------------------------------- main


def plan_facts(content: bytes) -> dict[str, Any]:
    plan = json.loads(content)
    return {
        "items": len(plan["items"]),
        "fields": len(plan["form"]),
        "materials": len(plan["materials"]),
        "clauses": len(plan["commitment"]),
        "bytes": len(content),
    }


def print_table(results: Results) -> None:
    plans = [e for e in results.endpoints if e.key != "bare"]
    header = ["round", *(f"{e.label} req/s" for e in results.endpoints), *(f"{e.label}/bare" for e in plans)]
    print("  ".join(f"{h:>22}" for h in header))
    for number, round_runs in enumerate(results.rounds, start=1):
        cells = [str(number), *(f"{round_runs[e.key].rps:,.0f}" for e in results.endpoints)]
        cells += [f"{round_runs[e.key].rps / round_runs['bare'].rps:.1%}" for e in plans]
        print("  ".join(f"{c:>22}" for c in cells))
    if len(results.rounds) == 0:
        return
    cells = ["median", *(f"{results.median_rps(e.key):,.0f}" for e in results.endpoints)]
    cells += [f"{results.median_ratio(e.key):.1%}" for e in plans]
    print("  ".join(f"{c:>22}" for c in cells))
    for endpoint in results.endpoints:
        print(
            f"{endpoint.label}: p50 {results.median_latency(endpoint.key, 'p50_ms'):.1f} ms, "
            f"p99 {results.median_latency(endpoint.key, 'p99_ms'):.1f} ms, "
            f"gunicorn CPU {results.median_cpu_ms(endpoint.key):.2f} ms/request "
            f"(bare/this by CPU {results.median_cpu_ratio(endpoint.key):.1%}) (medians over rounds)"
        )


@contextlib.contextmanager
def trapped() -> Iterator[Cleanup]:
    cleanup = Cleanup()
    previous = {sig: signal.signal(sig, _raise_exit) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield cleanup
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        cleanup.run()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk).", file=sys.stderr)
        return 2
    command = display_command("benchmarks/plan_throughput.py", argv)
    LOAD_BEFORE["value"] = load_average()
    results: Results | None = None
    try:
        with trapped() as cleanup:
            tmp = Path(tempfile.mkdtemp(prefix="onewindow-bench-"))
            cleanup.push(f"remove {tmp}", lambda: shutil.rmtree(tmp, ignore_errors=True))
            database = (
                postgres_database(args.database_url, cleanup) if args.database_url else sqlite_database(tmp)
            )
            print(f"database: {database.version} ({redact(database.url)})", flush=True)
            env = django_env(tmp, database)
            prepare_database(env)
            server, server_command = start_server(env, args.workers, tmp, cleanup)
            print(f"gunicorn on 127.0.0.1:{server.port}, {args.workers} sync workers", flush=True)

            answers, detail = heaviest_answers(server)
            print(f"full answers: {json.dumps(answers, ensure_ascii=False)}", flush=True)
            facts: dict[str, dict[str, Any]] = {}
            endpoints = [
                Endpoint("bare", "bare view", "GET", BARE_PATH),
                Endpoint(
                    "full",
                    "full plan",
                    "POST",
                    PLAN_PATH,
                    [{"answers": answers}],
                    note="every question answered so that all items apply, the same body on every request",
                ),
                Endpoint(
                    "empty",
                    "empty plan",
                    "POST",
                    PLAN_PATH,
                    [{"answers": {}}],
                    note='`{"answers": {}}` on every request: only the items every hotel needs',
                ),
            ]
            varied = distinct_answer_sets(server, answers, detail["questions"], DISTINCT_SETS)
            if varied is None:
                print("no number question to vary: the distinct-answers plan is not measured", flush=True)
            else:
                code, sets = varied
                note = (
                    f"the full answer set with `{code}` = {sets[0][code]} … {sets[-1][code]}, a different "
                    f"value on each request ({len(sets):,} sets in turn), all giving the same plan: applicants"
                    " whose answers differ where no rule looks, so no cache of answers as sent can serve them"
                )
                endpoints.append(
                    Endpoint(
                        "distinct",
                        "distinct answers",
                        "POST",
                        PLAN_PATH,
                        [{"answers": a} for a in sets],
                        note=note,
                    )
                )
            every = every_plan_answer_sets(detail["questions"], answers, EVERY_PLAN_LIMIT)
            endpoints.append(
                Endpoint(
                    "every",
                    "every plan",
                    "POST",
                    PLAN_PATH,
                    [{"answers": a} for a in every],
                    note=(
                        f"every combination of answers ({len(every):,}; number questions 0 or the full answer)"
                        " in a shuffled order, so consecutive requests ask for different plans of every size:"
                        " the worst case, planning with no cached plan to reuse. Reported, not held to the goal"
                    ),
                    gated=False,
                )
            )
            for endpoint in endpoints:
                if endpoint.bodies is None:
                    server.expect_200(endpoint.method, endpoint.path)
                    continue
                endpoint.body_file = tmp / f"{endpoint.key}.jsonl"
                endpoint.body_file.write_text(
                    "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in endpoint.bodies),
                    encoding="utf-8",
                )
                # Posted without cookies or a CSRF token, exactly as wrk will; every body, once.
                sample = [
                    plan_facts(server.expect_200(endpoint.method, endpoint.path, body))
                    for body in endpoint.bodies
                ]
                facts[endpoint.key] = {
                    key: (
                        round(statistics.mean(f[key] for f in sample))
                        if key == "bytes"
                        else "–".join(
                            dict.fromkeys(
                                str(v) for v in (min(f[key] for f in sample), max(f[key] for f in sample))
                            )
                        )
                    )
                    for key in sample[0]
                }
                print(f"{endpoint.label}: {facts[endpoint.key]}", flush=True)

            results = Results(endpoints, [])
            number = 0
            while len(results.rounds) < args.rounds:
                number += 1
                busy = wait_for_quiet(args.max_other_cpu, args.quiet_wait)
                print(f"round {number}: other processes use {busy:.0%} of the CPU", flush=True)
                round_runs: dict[str, Run] = {}
                for endpoint in endpoints:
                    if args.warmup:
                        run_wrk(args, server, endpoint, args.warmup)
                    run = run_wrk(args, server, endpoint, args.duration)
                    round_runs[endpoint.key] = run
                    print(
                        f"round {number}: {endpoint.label:<14} {run.rps:8,.0f} req/s  "
                        f"p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms  CPU: server {run.cpu.server:.0%} "
                        f"wrk {run.cpu.wrk:.0%} others {run.cpu.other:.0%} idle {run.cpu.idle:.0%}",
                        flush=True,
                    )
                noisy = max(run.cpu.other for run in round_runs.values()) > args.max_other_cpu
                if noisy and results.repeated < args.repeats:
                    results.repeated += 1
                    print(
                        f"round {number} discarded: other processes took more than {args.max_other_cpu:.0%} "
                        f"of the CPU during a run ({results.repeated} of at most {args.repeats} repeats)",
                        flush=True,
                    )
                    continue
                results.rounds.append(round_runs)
            # Still answering correctly after the load.
            for endpoint in endpoints:
                server.expect_200(endpoint.method, endpoint.path, endpoint.body)
            server.check_alive()
    except BenchmarkInvalid as exc:
        if results is not None and results.rounds:
            print_table(results)
        print(f"\nINVALID RUN: {exc}", file=sys.stderr)
        return 2

    print()
    print_table(results)
    noisy = results.noisy_rounds(args.max_other_cpu)
    if noisy:
        print(
            f"\nCAUTION: other processes took more than {args.max_other_cpu:.0%} of the CPU in round(s) "
            f"{', '.join(map(str, noisy))}; the figures are uncertain. Re-run on a quiet machine."
        )
    plans = [e for e in endpoints if e.key != "bare"]
    goal_met = all(results.median_ratio(e.key) >= args.goal for e in plans if e.gated)
    verdict = "met" if goal_met else "MISSED"
    print(
        f"\n{database.label}: goal (plan ≥ {args.goal:.0%} of bare) {verdict}: "
        + ", ".join(
            f"{e.label} {results.median_ratio(e.key):.1%}{'' if e.gated else ' (not held to the goal)'}"
            for e in plans
        )
    )
    if not args.no_report:
        section = render_section(args, database, results, facts, answers, server_command, command, goal_met)
        write_section(
            REPORT, report_template(REPORT_INTRO, ("SQLite", "PostgreSQL")), database.label, section
        )
        print(f"wrote {REPORT} ({database.label} section)")
    return 0 if goal_met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
