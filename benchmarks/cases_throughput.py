"""Complete cases per second through the HTTP API, with applicants, clerks and reviewers at work at once.

Run from the repository root with the project's virtualenv:

    .venv/bin/python benchmarks/cases_throughput.py                       # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python benchmarks/cases_throughput.py --workers 2 --duration 30
    .venv/bin/python benchmarks/cases_throughput.py --database-url postgres://user@host:5432/

The script creates a throwaway PostgreSQL database, migrates it, runs `onewindow seed --demo
--without-cases`, adds applicants (linked to the demo enterprises), a second clerk and a reviewer
for every department the hotel case needs, and serves it with gunicorn (sync workers, 127.0.0.1, a
free port, benchmarks.bench_settings). For each `--workers` count it then runs, at once:

- applicants: each repeatedly creates a hotel case (four items), fills the form in one PUT, hands in
  the 13 materials to upload (a 1 KB PDF each) as one set in one request and takes the 2 shared
  ones from the e-licence library in one request (`--upload-each`: one request per material, as
  the web page's per-material buttons send them), signs the commitment and submits with a fresh key; an applicant waits while `--backlog`
  cases are submitted and not yet complete, so the load stays a closed loop;
- clerks: read the window's queue and accept the cases assigned to their window (case id modulo
  the number of clerks, standing for the calling-number system); an idle clerk or reviewer waits
  `--poll` seconds before reading his queue again;
- reviewers, one per department: poll their queue for pending branches and approve each with the
  version they saw (special trade opens only after fire safety is decided).

A complete case is one whose branches are all approved (case status `approved`). It counts the
cases completed in a `--duration` window after a `--warmup`, per-endpoint latency, non-2xx
responses (409 conflicts apart) and where the CPU went; then profiles a few cases in one process
(time and SQL queries per endpoint, pyinstrument if installed) and writes
docs/benchmarks/cases-throughput.md.

Exit status: 0 goal met, 1 goal missed, 2 the run is invalid (errors, server died, bad setup).
Other scripts here import the HTTP session, server start and machine facts from this module.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Run as a script from anywhere: make the repository importable, as the server's PYTHONPATH does.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import plan_throughput as bench
from benchmarks.plan_throughput import BenchmarkInvalid, Cleanup, Database

ROOT = bench.ROOT
VENV_BIN = bench.VENV_BIN
REPORT = ROOT / "docs" / "benchmarks" / "cases-throughput.md"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
PASSWORD = "OneWindow-2026"  # the demo cast's password (onewindow.accounts.services.DEMO_PASSWORD)
# Special trade, fire safety, hygiene and the food business licence (onewindow.cases.demo.HOTEL_FOUR_ITEMS).
HOTEL_FOUR_ITEMS = {"food": "breakfast", "premises_leased": "yes", "use_commitment": "yes"}
# A valid one-page PDF, as the demo's scanned documents (onewindow.cases.demo.DEMO_PDF).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)
REQUEST_TIMEOUT = 30.0
# Production runs with Redis (docs/operator-guide.md); database 14 is left to the benchmark.
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"

# Endpoint labels, in the order of a case's life.
CREATE = "POST /cases"
FORM = "PUT /cases/{id}/form"
UPLOAD = "POST /cases/{id}/materials/{code}/upload"
UPLOAD_SET = "POST /cases/{id}/materials"
SHARED = "POST /cases/{id}/materials/{code}/shared"
SHARED_SET = "POST /cases/{id}/materials/shared"
SIGN = "POST /cases/{id}/commitment/sign"
SUBMIT = "POST /cases/{id}/submit"
WINDOW_QUEUE = "GET /window/queue"
ACCEPT = "POST /cases/{id}/accept"
REVIEW_QUEUE = "GET /review/queue"
APPROVE = "POST /branches/{id}/approve"
ENDPOINTS = [
    CREATE,
    FORM,
    UPLOAD,
    UPLOAD_SET,
    SHARED,
    SHARED_SET,
    SIGN,
    SUBMIT,
    WINDOW_QUEUE,
    ACCEPT,
    REVIEW_QUEUE,
    APPROVE,
]


# ---------------------------------------------------------------- an HTTP session


@dataclass
class Response:
    status: int  # -1: no response (refused, reset, timed out)
    body: bytes
    elapsed: float  # seconds
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Session:
    """One signed-in user as a browser is: cookies, the CSRF header, a new connection per request.

    gunicorn's sync workers close the connection after every response, so there is nothing to keep
    alive. Cookies are kept by hand: the server marks them Secure (DEBUG off), which an HTTP client
    library would refuse to send over plain HTTP to 127.0.0.1.
    """

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        upload: tuple[str, bytes, str] | None = None,
        files: list[tuple[str, str, bytes, str]] | None = None,
    ) -> Response:
        headers: dict[str, str] = {}
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif upload is not None or files is not None:
            parts = files if files is not None else [("file", *upload)] if upload is not None else []
            boundary = uuid.uuid4().hex
            body = (
                b"".join(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{name}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                    for field_name, name, content, content_type in parts
                )
                + f"--{boundary}--\r\n".encode()
            )
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in {"GET", "HEAD"} and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Response(-1, b"", time.perf_counter() - start, error=type(exc).__name__)
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, content, elapsed)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.request("GET", "/accounts/login/")
        if "csrftoken" not in self.cookies:
            raise BenchmarkInvalid("GET /accounts/login/ set no csrftoken cookie")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        response = self.request("POST", "/accounts/login/", form=form)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchmarkInvalid(
                f"login as {username} answered {response.status}, not a redirect with a session"
            )


def log_in_all(port: int, usernames: list[str]) -> dict[str, Session]:
    """Sign everyone in at once (each login is a deliberately slow password hash)."""
    sessions = {name: Session(port) for name in usernames}
    failures: list[BaseException] = []

    def one(name: str) -> None:
        try:
            sessions[name].login(name)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(name,)) for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures or any(thread.is_alive() for thread in threads):
        raise BenchmarkInvalid(f"signing in failed: {failures[:1] or 'timed out'}")
    return sessions


# ---------------------------------------------------------------- database, server, Django in this process


def bench_env(tmp: Path, database: Database, redis_url: str = "") -> dict[str, str]:
    """The server's environment (benchmarks.bench_settings), also used for Django in this process."""
    env = bench.django_env(tmp, database)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def redis_for(url: str) -> str:
    """The Redis database to use, emptied (it is the benchmark's own), or "" if none is reachable."""
    if not url:
        return ""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError as exc:
        print(f"Redis at {url} is not reachable ({exc}); running without it", flush=True)
        return ""
    return url


def python_build() -> str:
    """The interpreter, and whether it runs from a shared libpython (slower; e.g. pyenv's default build)."""
    shared = False
    with contextlib.suppress(OSError):
        shared = "libpython" in Path("/proc/self/maps").read_text()
    return f"{os.path.realpath(sys.executable)} ({'libpython as a shared library' if shared else 'libpython linked in'})"


def python_speed() -> float:
    """CPU seconds for 10 million additions in a Python loop: compares machines and runs."""
    start = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.process_time() - start


def migrate_and_seed(env: dict[str, str]) -> None:
    """A fresh schema from the migrations, the city's reference data and the demo cast (no cases)."""
    onewindow = VENV_BIN / "onewindow"
    for command in (["migrate", "--no-input"], ["seed", "--demo", "--without-cases"]):
        result = subprocess.run(
            [str(onewindow), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        if result.returncode != 0:
            raise BenchmarkInvalid(f"onewindow {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def django_setup(env: dict[str, str]) -> None:
    """Django in this process, on the benchmark's database, for setting up and checking data."""
    os.environ.update(env)
    import django

    django.setup()


def database_for(url: str | None, tmp: Path, cleanup: Cleanup) -> Database:
    """SQLite in `tmp` without a URL, else a throwaway database on the PostgreSQL server named."""
    if url is None:
        return bench.sqlite_database(tmp)
    return bench.postgres_database(url, cleanup)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    workers: int

    def alive(self) -> bool:
        return self.process.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            raise BenchmarkInvalid(f"gunicorn exited with {self.process.returncode}; see {self.log}")

    def stop(self) -> None:
        bench.stop_process_group(self.process)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def shown_gunicorn_command(workers: int) -> str:
    gunicorn = VENV_BIN / "gunicorn"
    shown = gunicorn.relative_to(ROOT) if gunicorn.is_relative_to(ROOT) else gunicorn
    return (
        f"{shown} onewindow.wsgi:application --bind 127.0.0.1:<free port> --workers {workers}"
        " --worker-class sync --timeout 60"
    )


def start_server(env: dict[str, str], workers: int, tmp: Path, cleanup: Cleanup) -> Server:
    """gunicorn in its own process group (so it and its workers can be stopped or killed together)."""
    port = bench.free_port()
    log = tmp / f"gunicorn-{port}.log"
    # Django logs unhandled errors to the workers' stderr: keep it with gunicorn's own log.
    with log.open("ab") as output:
        process = subprocess.Popen(
            bench.gunicorn_command(port, workers, log, "--timeout", "60"),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    server = Server(process, port, log, workers)
    cleanup.push(f"stop gunicorn on port {port}", server.stop)
    probe = Session(port, timeout=10)
    deadline = time.monotonic() + 90
    while probe.request("GET", "/accounts/login/").status != 200:
        server.check_alive()
        if time.monotonic() > deadline:
            raise BenchmarkInvalid(f"gunicorn did not answer /accounts/login/ within 90 s; see {log}")
        time.sleep(0.2)
    return server


def machine_facts(database: Database, load_before: str, redis_url: str = "") -> list[tuple[str, str]]:
    return [
        *bench.machine_basics(),
        ("gunicorn", bench.gunicorn_version()),
        ("database", database.version),
        ("Redis (sessions, cache)", redis_url or "not used: sessions in the database"),
        ("Python build", python_build()),
        ("Python speed", f"{python_speed():.2f} s of CPU for 10 million additions in a loop"),
        ("load average before the run", load_before),
        ("commit", bench.commit_state()),
    ]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of unsorted values (share 0.95 = p95); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(share * len(ordered) + 0.999999)))
    return ordered[rank - 1]


# ---------------------------------------------------------------- CPU accounting


class PostgresSampler:
    """What this database's backends do, sampled every `interval` seconds in a thread of its own.

    pg_stat_activity tells whether each backend is running, waiting for a lock, or idle inside a
    transaction (waiting for the application); /proc tells its CPU time. Backends come and go (Django
    closes a connection after DATABASE_CONN_MAX_AGE), so each backend's last CPU reading is kept.
    """

    def __init__(self, url: str, database_name: str, interval: float = 0.2) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)
        self.database_name = database_name
        self.interval = interval
        self._lock = threading.Lock()
        self._cpu: dict[int, float] = {}
        self.states: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PostgresSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def cpu_seconds(self) -> float:
        """CPU seconds the database's backends have used, as of the last sample."""
        with self._lock:
            return sum(self._cpu.values())

    def reset_states(self) -> None:
        with self._lock:
            self.states.clear()
            self.samples = 0

    def _run(self) -> None:
        import psycopg

        query = (
            "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                rows = conn.execute(query, [self.database_name]).fetchall()
                cpu = {}
                for pid, _state, _type, _event in rows:
                    with contextlib.suppress(OSError, IndexError):
                        fields = bench._proc_stat_fields(pid)
                        cpu[pid] = sum(int(v) for v in fields[11:13]) / bench.CLOCK_TICKS
                with self._lock:
                    self._cpu.update(cpu)
                    self.samples += 1
                    for _pid, state, wait_type, wait_event in rows:
                        if state == "active":
                            self.states[
                                f"running a query, waiting: {wait_type}:{wait_event}"
                                if wait_type
                                else "running a query"
                            ] += 1
                        elif state and state.startswith("idle in transaction"):
                            self.states["idle in transaction (waiting for the application)"] += 1


@dataclass
class CpuSample:
    busy: float
    total: float
    server: float
    postgres: float
    driver: float

    @classmethod
    def take(cls, server: Server, sampler: PostgresSampler | None) -> CpuSample:
        busy, total = bench.machine_cpu_seconds()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            busy=busy,
            total=total,
            server=bench.process_tree_seconds(server.process.pid),
            postgres=sampler.cpu_seconds() if sampler else 0.0,
            driver=usage.ru_utime + usage.ru_stime,
        )


@dataclass
class CpuUse:
    """CPU seconds used during a window, and the machine's total CPU seconds (2 CPUs × wall time)."""

    server: float
    postgres: float
    driver: float
    other: float
    idle: float
    total: float

    @classmethod
    def between(cls, before: CpuSample, after: CpuSample) -> CpuUse:
        server = after.server - before.server
        postgres = after.postgres - before.postgres
        driver = after.driver - before.driver
        busy = after.busy - before.busy
        total = max(after.total - before.total, 1e-9)
        return cls(
            server=server,
            postgres=postgres,
            driver=driver,
            other=max(0.0, busy - server - postgres - driver),
            idle=max(0.0, total - busy),
            total=total,
        )


# ---------------------------------------------------------------- the workload


@dataclass
class Record:
    endpoint: str
    started: float  # time.monotonic()
    elapsed: float
    status: int


class Recorder:
    """Every request's endpoint, start, duration and status (list.append is atomic under the GIL)."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.samples: dict[str, bytes] = {}  # the first unexpected response body per endpoint and status

    def call(self, session: Session, endpoint: str, method: str, path: str, **kwargs: Any) -> Response:
        started = time.monotonic()
        response = session.request(method, path, **kwargs)
        self.records.append(Record(endpoint, started, response.elapsed, response.status))
        if not response.ok and response.status != 409:
            self.samples.setdefault(
                f"{endpoint} {response.status}", response.body[:600] or response.error.encode()
            )
        return response


class Pipeline:
    """Cases submitted and not yet complete; when each case completed (as its clients saw it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[int] = set()
        self._branches: dict[int, int] = {}
        self._approved: Counter[int] = Counter()
        self.completed: list[float] = []
        self.submitted_at: list[float] = []

    def backlog(self) -> int:
        return len(self._open)

    def submitted(self, case_id: int) -> None:
        with self._lock:
            self._open.add(case_id)
            self.submitted_at.append(time.monotonic())

    def accepted(self, case_id: int, branches: int) -> None:
        with self._lock:
            self._branches[case_id] = branches
            self._check(case_id)

    def approved(self, case_id: int) -> None:
        with self._lock:
            self._approved[case_id] += 1
            self._check(case_id)

    def _check(self, case_id: int) -> None:
        branches = self._branches.get(case_id)
        if branches is not None and self._approved[case_id] >= branches and case_id in self._open:
            self._open.discard(case_id)
            self.completed.append(time.monotonic())


@dataclass
class Applicant:
    username: str
    address: str
    representative_id: str


def form_values(case: dict[str, Any], applicant: Applicant) -> dict[str, str]:
    """Plausible values for every empty field of the merged form (as onewindow.cases.demo.fill_case)."""
    by_type = {
        "text": "按实际情况填写",
        "address": applicant.address,
        "number": "10",
        "integer": "10",
        "area": "1200",
        "date": "2026-12-01",
        "phone": "13800138000",
        "uscc": case["holder_code"],
        "id_number": applicant.representative_id,
    }
    data = {}
    for spec in case["form"]:
        if case["form_data"].get(spec["code"]):
            continue
        data[spec["code"]] = spec["choices"][0] if spec["type"] == "choice" else by_type[spec["type"]]
    return data


@dataclass
class Load:
    recorder: Recorder
    pipeline: Pipeline
    stop: threading.Event
    deadline: float  # time.monotonic() after which every loop ends whatever happens
    backlog: int
    poll: float  # seconds an idle clerk or reviewer waits before looking at his queue again
    valid_until: str
    upload_each: bool = False  # one request per material, as the applicant's web page sends them
    problems: list[str] = field(default_factory=list)  # a form the server found invalid, once

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def pause(self, seconds: float) -> None:
        self.stop.wait(seconds)


def applicant_loop(load: Load, session: Session, applicant: Applicant) -> None:
    """Create, fill, hand in, sign, submit; again and again."""
    call = load.recorder.call
    while load.running():
        if load.pipeline.backlog() >= load.backlog:
            load.pause(0.02)
            continue
        created = call(
            session,
            CREATE,
            "POST",
            "/api/v1/cases",
            json_body={"bundle": "hotel", "answers": HOTEL_FOUR_ITEMS},
        )
        if created.status != 201:
            load.pause(0.1)
            continue
        case = created.json()
        case_id = case["id"]
        saved = call(
            session,
            FORM,
            "PUT",
            f"/api/v1/cases/{case_id}/form",
            json_body={"data": form_values(case, applicant)},
        )
        if saved.ok and saved.json()["problems"] and not load.problems:
            load.problems.append(json.dumps(saved.json()["problems"], ensure_ascii=False))
        to_upload = [m["code"] for m in case["materials"] if m["disposition"] == "upload"]
        if load.upload_each:
            for code in to_upload:
                if not load.running():
                    return
                call(
                    session,
                    UPLOAD,
                    "POST",
                    f"/api/v1/cases/{case_id}/materials/{code}/upload",
                    upload=(f"{code}.pdf", PDF, "application/pdf"),
                )
        else:
            # The scanned set in one request, as a kiosk or a window's scanner hands it in.
            call(
                session,
                UPLOAD_SET,
                "POST",
                f"/api/v1/cases/{case_id}/materials",
                files=[(code, f"{code}.pdf", PDF, "application/pdf") for code in to_upload],
            )
        if load.upload_each:
            for material in case["materials"]:
                if not load.running():
                    return
                if material["disposition"] == "shared":
                    code = material["code"]
                    call(session, SHARED, "POST", f"/api/v1/cases/{case_id}/materials/{code}/shared")
        else:
            # Every government-held material in one look in the library (the page's 一键调取).
            call(session, SHARED_SET, "POST", f"/api/v1/cases/{case_id}/materials/shared")
        call(session, SIGN, "POST", f"/api/v1/cases/{case_id}/commitment/sign")
        submitted = call(
            session, SUBMIT, "POST", f"/api/v1/cases/{case_id}/submit", json_body={"key": uuid.uuid4().hex}
        )
        if submitted.ok:
            load.pipeline.submitted(case_id)


def clerk_loop(load: Load, session: Session, window: int, windows: int) -> None:
    """Take the submitted cases the queue system assigns this window and accept them.

    A calling-number system gives each case to one window; here case id modulo the number of
    windows stands for it, so two windows do not reach for the same case.
    """
    call = load.recorder.call
    while load.running():
        listed = call(session, WINDOW_QUEUE, "GET", "/api/v1/window/queue?status=submitted&limit=50")
        items = [i for i in (listed.json()["items"] if listed.ok else []) if i["id"] % windows == window]
        if not items:
            load.pause(load.poll)
            continue
        for item in items:
            if not load.running():
                return
            accepted = call(session, ACCEPT, "POST", f"/api/v1/cases/{item['id']}/accept")
            if accepted.ok:
                load.pipeline.accepted(item["id"], len(accepted.json()["branches"]))


def reviewer_loop(load: Load, session: Session) -> None:
    """Approve the department's pending branches, most urgent first, with the version seen."""
    call = load.recorder.call
    while load.running():
        listed = call(session, REVIEW_QUEUE, "GET", "/api/v1/review/queue?status=pending&limit=50")
        items = listed.json()["items"] if listed.ok else []
        if not items:
            load.pause(load.poll)
            continue
        for item in items:
            if not load.running():
                return
            approved = call(
                session,
                APPROVE,
                "POST",
                f"/api/v1/branches/{item['id']}/approve",
                json_body={"version": item["version"], "valid_until": load.valid_until},
            )
            if approved.ok:
                load.pipeline.approved(item["case"])


# ---------------------------------------------------------------- the cast


@dataclass
class Cast:
    applicants: list[Applicant]
    clerks: list[str]
    reviewers: dict[str, str]  # department code -> username


def cast_create(applicants: int, clerks: int) -> Cast:
    """Applicants of the demo enterprises, more clerks at the demo clerk's centre, a reviewer per department."""
    from onewindow.accounts.models import Role, User
    from onewindow.bundles.planner import plan_for
    from onewindow.cases.demo import demo_enterprise_create
    from onewindow.catalog.models import Department

    clerk = User.objects.get(username="clerk")
    people: list[Applicant] = []
    for number in range(1, applicants + 1):
        # An enterprise of his own (one account per credit code), its licences in the e-licence library.
        enterprise = demo_enterprise_create(
            100 + number,
            f"91429006MA49{number:05d}",
            f"天门市压测{number}号宾馆有限公司",
            f"压测{number}",
            f"42900619900101{number:03d}",
            f"天门市竟陵街道压测路{number}号",
        )
        username = f"bench_applicant_{number:02d}"
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": Role.APPLICANT,
                "display_name": f"压测申请人{number}",
                "applicant_kind": User.ApplicantKind.ENTERPRISE,
                "enterprise": enterprise,
                "id_number": enterprise.legal_representative_id,
                "phone": "13800138000",
            },
        )
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        people.append(Applicant(username, enterprise.address, enterprise.legal_representative_id))
    clerk_names = ["clerk"]
    for number in range(2, clerks + 1):
        user, _created = User.objects.update_or_create(
            username=f"bench_clerk_{number:02d}",
            defaults={
                "role": Role.CLERK,
                "display_name": f"压测窗口{number}",
                "service_center": clerk.service_center,
            },
        )
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        clerk_names.append(user.username)
    reviewers: dict[str, str] = {}
    plan = plan_for("hotel", HOTEL_FOUR_ITEMS)
    for code in dict.fromkeys(p.item.department.code for p in plan.items):
        department = Department.objects.get(code=code)
        existing = User.objects.filter(role=Role.REVIEWER, department=department).order_by("id").first()
        if existing is None:
            existing = User.objects.create(
                username=f"bench_reviewer_{code.split('-')[-1]}",
                role=Role.REVIEWER,
                department=department,
                display_name=f"{department.short_name}压测审批员",
            )
            existing.set_password(PASSWORD)
            existing.save(update_fields=["password"])
        reviewers[code] = existing.username
    return Cast(people, clerk_names, reviewers)


# ---------------------------------------------------------------- one run


@dataclass
class EndpointFigures:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    conflicts: int
    errors: int  # non-2xx other than 409, and requests without a response


@dataclass
class RunResult:
    workers: int
    duration: float
    completed: int
    completed_in_database: int
    submitted: int
    requests: int
    endpoints: dict[str, EndpointFigures]
    cpu: CpuUse
    backlog_end: int
    problems: list[str]
    samples: dict[str, bytes]
    backend_states: dict[str, float]  # average number of backends per sample, by what they were doing
    server_errors: Counter[str]  # from the server's log, warm-up included

    @property
    def rate(self) -> float:
        return self.completed / self.duration

    @property
    def errors(self) -> int:
        return sum(e.errors for e in self.endpoints.values())

    @property
    def conflicts(self) -> int:
        return sum(e.conflicts for e in self.endpoints.values())

    def per_case_ms(self, seconds: float) -> float:
        return seconds * 1000 / max(self.completed, 1)


def summarise(records: Iterable[Record]) -> dict[str, EndpointFigures]:
    by_endpoint: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_endpoint[record.endpoint].append(record)
    figures = {}
    for endpoint in ENDPOINTS:
        rows = by_endpoint.get(endpoint, [])
        times = [r.elapsed * 1000 for r in rows]
        figures[endpoint] = EndpointFigures(
            count=len(rows),
            p50_ms=percentile(times, 0.50),
            p95_ms=percentile(times, 0.95),
            p99_ms=percentile(times, 0.99),
            max_ms=max(times, default=0.0),
            conflicts=sum(1 for r in rows if r.status == 409),
            errors=sum(1 for r in rows if not 200 <= r.status < 300 and r.status != 409),
        )
    return figures


def run_load(
    args: argparse.Namespace, server: Server, cast: Cast, sampler: PostgresSampler | None
) -> RunResult:
    from onewindow.cases.models import Case, CaseStatus

    print(f"  signing in {len(cast.applicants) + len(cast.clerks) + len(cast.reviewers)} users", flush=True)
    sessions = log_in_all(
        server.port, [a.username for a in cast.applicants] + cast.clerks + list(cast.reviewers.values())
    )
    started = time.monotonic()
    window_start = started + args.warmup
    window_end = window_start + args.duration
    load = Load(
        recorder=Recorder(),
        pipeline=Pipeline(),
        stop=threading.Event(),
        deadline=window_end + 5,
        backlog=args.backlog,
        poll=args.poll,
        valid_until=(date.today() + timedelta(days=4 * 365)).isoformat(),
        upload_each=args.upload_each,
    )
    threads = [
        threading.Thread(target=applicant_loop, args=(load, sessions[a.username], a)) for a in cast.applicants
    ]
    threads += [
        threading.Thread(target=clerk_loop, args=(load, sessions[c], n, len(cast.clerks)))
        for n, c in enumerate(cast.clerks)
    ]
    threads += [
        threading.Thread(target=reviewer_loop, args=(load, sessions[r])) for r in cast.reviewers.values()
    ]
    try:
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, window_start - time.monotonic()))
        before = CpuSample.take(server, sampler)
        if sampler:
            sampler.reset_states()
        wall_start = datetime.now(UTC)
        while time.monotonic() < window_end:
            time.sleep(min(5.0, max(0.0, window_end - time.monotonic())))
            server.check_alive()
            elapsed = time.monotonic() - window_start
            done = sum(1 for t in load.pipeline.completed if window_start <= t)
            print(
                f"  {elapsed:5.0f} s: {done} complete cases ({done / max(elapsed, 1e-9):.1f}/s), "
                f"backlog {load.pipeline.backlog()}, requests {len(load.recorder.records)}",
                flush=True,
            )
        after = CpuSample.take(server, sampler)
        states = {k: v / max(sampler.samples, 1) for k, v in sampler.states.most_common()} if sampler else {}
        wall_end = datetime.now(UTC)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 10)
    server.check_alive()
    in_window = [r for r in load.recorder.records if window_start <= r.started < window_end]
    completed = sum(1 for t in load.pipeline.completed if window_start <= t < window_end)
    in_database = Case.objects.filter(
        status=CaseStatus.APPROVED, completed_at__gte=wall_start, completed_at__lt=wall_end
    ).count()
    return RunResult(
        workers=server.workers,
        duration=args.duration,
        completed=completed,
        completed_in_database=in_database,
        submitted=sum(1 for t in load.pipeline.submitted_at if window_start <= t < window_end),
        requests=len(in_window),
        endpoints=summarise(in_window),
        cpu=CpuUse.between(before, after),
        backlog_end=load.pipeline.backlog(),
        problems=load.problems,
        samples=load.recorder.samples,
        backend_states=states,
        server_errors=server_errors(server.log_tail(100_000)),
    )


def server_errors(log: str) -> Counter[str]:
    """Unhandled errors in a server log: the failing path (ids as {id}) with the exception's first line."""
    errors: Counter[str] = Counter()
    path = ""
    for line in log.splitlines():
        # onewindow/api.py logs "Unhandled API error on <method> <path>" and then the traceback.
        if line.startswith("Unhandled API error on "):
            path = re.sub(r"/\d+(?=/|$)", "/{id}", line.removeprefix("Unhandled API error on "))
        elif path and re.match(r"^[\w.]+(Error|Exception): ", line):
            errors[f"{path}: {line.strip()}"] += 1
            path = ""
    return errors


# ---------------------------------------------------------------- one case in one process, profiled


@dataclass
class ProfiledEndpoint:
    count: int = 0
    seconds: float = 0.0  # wall
    cpu_seconds: float = 0.0  # this process's CPU: unlike wall time, hardly bent by other work on the machine
    queries: int = 0
    sql_seconds: float = 0.0


@dataclass
class Profile:
    cases: int
    endpoints: dict[str, ProfiledEndpoint]
    tree: str  # pyinstrument's call tree of as many further cases, or why there is none

    def per_case(self, attribute: str) -> float:
        return sum(getattr(p, attribute) for p in self.endpoints.values()) / self.cases


def profile_cases(count: int, cast: Cast, upload_each: bool = False) -> Profile:
    """Drive `count` complete cases through Django's WSGI stack in this process, one request at a time.

    Time and SQL queries per endpoint show where a case's time goes without the noise of concurrency.
    """
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from onewindow.accounts.models import User

    def client(username: str) -> Client:
        browser = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(User.objects.get(username=username))
        return browser

    applicant = cast.applicants[0]
    people = {"applicant": client(applicant.username), "clerk": client(cast.clerks[0])}
    reviewers = {code: client(name) for code, name in cast.reviewers.items()}
    figures: dict[str, ProfiledEndpoint] = defaultdict(ProfiledEndpoint)
    valid_until = (date.today() + timedelta(days=4 * 365)).isoformat()

    def call(
        endpoint: str, browser: Client, method: str, path: str, expected: int = 200, **kwargs: Any
    ) -> Any:
        # The capture keeps every query of the pass; starting empty keeps it under Django's 9,000-query log.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start, cpu = time.perf_counter(), time.process_time()
            response = getattr(browser, method)(path, **kwargs)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if response.status_code != expected:
            raise BenchmarkInvalid(
                f"profiling: {method.upper()} {path} answered {response.status_code}: {response.content[:600]!r}"
            )
        row = figures[endpoint]
        row.count += 1
        row.seconds += elapsed
        row.cpu_seconds += cpu
        row.queries += len(queries.captured_queries)
        row.sql_seconds += sum(float(q["time"]) for q in queries.captured_queries)
        return response.json()

    def one_case() -> None:
        body = {"bundle": "hotel", "answers": HOTEL_FOUR_ITEMS}
        case = call(
            CREATE,
            people["applicant"],
            "post",
            "/api/v1/cases",
            201,
            data=body,
            content_type="application/json",
        )
        case_id = case["id"]
        call(
            FORM,
            people["applicant"],
            "put",
            f"/api/v1/cases/{case_id}/form",
            data={"data": form_values(case, applicant)},
            content_type="application/json",
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        to_upload = [m["code"] for m in case["materials"] if m["disposition"] == "upload"]
        if upload_each:
            for code in to_upload:
                upload = SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf")
                call(
                    UPLOAD,
                    people["applicant"],
                    "post",
                    f"/api/v1/cases/{case_id}/materials/{code}/upload",
                    data={"file": upload},
                )
        else:
            files = {
                code: SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf")
                for code in to_upload
            }
            call(UPLOAD_SET, people["applicant"], "post", f"/api/v1/cases/{case_id}/materials", data=files)
        if upload_each:
            for material in case["materials"]:
                if material["disposition"] == "shared":
                    code = material["code"]
                    call(
                        SHARED,
                        people["applicant"],
                        "post",
                        f"/api/v1/cases/{case_id}/materials/{code}/shared",
                    )
        else:
            call(SHARED_SET, people["applicant"], "post", f"/api/v1/cases/{case_id}/materials/shared")
        call(SIGN, people["applicant"], "post", f"/api/v1/cases/{case_id}/commitment/sign")
        number = call(
            SUBMIT,
            people["applicant"],
            "post",
            f"/api/v1/cases/{case_id}/submit",
            data={"key": uuid.uuid4().hex},
            content_type="application/json",
        )["number"]
        call(WINDOW_QUEUE, people["clerk"], "get", "/api/v1/window/queue?status=submitted&limit=20")
        branches = len(call(ACCEPT, people["clerk"], "post", f"/api/v1/cases/{case_id}/accept")["branches"])
        approved = 0
        # Each department reads its queue and approves this case's pending branch; special trade
        # becomes pending only once fire safety is approved, in the next round.
        for _round in range(3):
            for browser in reviewers.values():
                # Searched by case number: the load may have left more pending branches than a page.
                queue = call(
                    REVIEW_QUEUE, browser, "get", f"/api/v1/review/queue?status=pending&limit=50&q={number}"
                )
                for item in (i for i in queue["items"] if i["case"] == case_id):
                    call(
                        APPROVE,
                        browser,
                        "post",
                        f"/api/v1/branches/{item['id']}/approve",
                        data={"version": item["version"], "valid_until": valid_until},
                        content_type="application/json",
                    )
                    approved += 1
            if approved == branches:
                return
        raise BenchmarkInvalid(
            f"profiling: case {case_id} has {branches - approved} branch(es) no reviewer could approve"
        )

    one_case()  # warm caches and imports; not counted
    figures.clear()
    for _case in range(count):
        one_case()
    measured = {endpoint: replace(row) for endpoint, row in figures.items()}
    try:
        from pyinstrument import Profiler
    except ImportError:
        missing = "pyinstrument is not installed (.venv/bin/pip install pyinstrument)"
        return Profile(count, measured, missing)
    # A separate pass: the profiler slows Django's deep call stacks several times over, so the
    # figures above are measured without it and this pass only shows the shares.
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _case in range(count):
        one_case()
    profiler.stop()
    tree = profiler.output_text(unicode=True, color=False, processor_options={"filter_threshold": 0.02})
    return Profile(count, measured, tree)


# ---------------------------------------------------------------- report


REPORT_INTRO = """# Complete cases per second

What it measures: how many hotel cases per second go all the way from an applicant's first request
to the last department's approval through the HTTP API, with applicants, window clerks and
department reviewers working at once against one PostgreSQL database; and how long each endpoint
takes meanwhile. The goal on the 2-core development machine: **≥ 20 complete cases per second**.

A complete case is a hotel case with four items (special trade, fire safety, public-place hygiene,
food business) whose four branches are all approved, so the case's status is `approved`. Each one
takes 11 write requests: create, one form save, the 13 materials to upload (a 1 KB PDF each) in one
request (`POST /cases/{id}/materials`, as a kiosk or a window's scanner hands in a set), the 2
shared materials from the e-licence library in one request (`POST /cases/{id}/materials/shared`,
the materials page's 一键调取 button), the commitment signature, submit, the clerk's accept and 4
approvals; plus the clerks' and reviewers' queue reads. With `--upload-each` every material goes in
its own request, as the page's per-material buttons send them (24 write requests); a run's command
line says which it was.

How to run it and how it works: [benchmarks/README.md](../../benchmarks/README.md). The results
below are written by `benchmarks/cases_throughput.py`; re-running it replaces the section of the
database it ran on.
"""


def render(
    args: argparse.Namespace,
    database: Database,
    facts: list[tuple[str, str]],
    command: str,
    cast: Cast,
    results: list[RunResult],
    profile: Profile | None,
    goal_met: bool,
) -> str:
    best = max(results, key=lambda r: r.rate)
    lines = [
        *bench.section_head(database.label, facts, command),
        f"Clients (threads of the benchmark, on the same machine): {len(cast.applicants)} applicants,"
        f" {len(cast.clerks)} clerks, {len(cast.reviewers)} reviewers (one per department:"
        f" {', '.join(cast.reviewers)}); an applicant waits while {args.backlog} cases are submitted and not"
        f" complete; an idle clerk or reviewer reads his queue again after {args.poll:g} s. Per worker count: gunicorn restarted (`{shown_gunicorn_command(0).replace('--workers 0', '--workers N')}`),"
        f" everyone signs in, {args.warmup} s of warm-up, then {args.duration} s measured.",
        "",
        "| gunicorn sync workers | complete cases/s | complete cases (database count) | submitted | HTTP requests/s"
        " | non-2xx (not 409) and failed requests | 409 conflicts | backlog at the end |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | **{r.rate:.2f}** | {r.completed} ({r.completed_in_database}) | {r.submitted} |"
            f" {r.requests / r.duration:.0f} | {r.errors} | {r.conflicts} | {r.backlog_end} |"
        )
    lines += [
        "",
        "*Complete cases* are counted by the clients (the approval that finished a case arrived within the"
        " window); the database count (cases whose `completed_at` falls in the window) confirms it.",
        "",
        "Where the CPU went during the measured window, per complete case and as a share of the machine"
        " (2 CPUs × the window):",
        "",
        "| workers | gunicorn ms/case | PostgreSQL backends ms/case | load generator ms/case | other processes"
        " | idle | CPU-bound ceiling (cases/s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        own = r.cpu.server + r.cpu.postgres + r.cpu.driver
        ceiling = r.cpu.total / r.duration / (own / max(r.completed, 1)) if own else 0.0
        lines.append(
            f"| {r.workers} | {r.per_case_ms(r.cpu.server):.0f} ({r.cpu.server / r.cpu.total:.0%}) |"
            f" {r.per_case_ms(r.cpu.postgres):.0f} ({r.cpu.postgres / r.cpu.total:.0%}) |"
            f" {r.per_case_ms(r.cpu.driver):.0f} ({r.cpu.driver / r.cpu.total:.0%}) |"
            f" {r.cpu.other / r.cpu.total:.0%} | {r.cpu.idle / r.cpu.total:.0%} | {ceiling:.1f} |"
        )
    lines += [
        "",
        "*CPU-bound ceiling*: the machine's CPUs divided by what one complete case cost gunicorn, its"
        " PostgreSQL backends and the load generator together: the rate this machine could reach if"
        " nothing else ran and every CPU were busy. *Other processes* is everything else on the machine"
        " (other work on a shared machine, PostgreSQL's background processes).",
        "",
        "What this database's PostgreSQL backends were doing, sampled every 0.2 s during the window"
        " (average number of backends in each state; idle connections not counted):",
        "",
        "| workers | " + " | ".join(states := backend_state_names(results)) + " |",
        "|---:|" + "---:|" * len(states),
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | " + " | ".join(f"{r.backend_states.get(s, 0):.2f}" for s in states) + " |"
        )
    lines += [
        "",
        "*Waiting: Lock:…* is a backend blocked on a row another transaction holds (`transactionid`,"
        " `tuple`); *idle in transaction* is a backend holding its transaction open while the"
        " application works between two queries.",
        "",
    ]
    failed = [r for r in results if r.errors or r.server_errors]
    if failed:
        lines += ["Failed requests (the server's log, warm-up included):", ""]
        for r in failed:
            lines += [f"- {r.workers} workers, {r.errors} failed requests in the window:"]
            lines += [f"  - ×{count} `{error}`" for error, count in r.server_errors.most_common()]
            lines += [
                f"  - first response `{key}`: `{body.decode(errors='replace')[:200]}`"
                for key, body in r.samples.items()
            ]
        lines.append("")
    for r in results:
        lines += [
            f"Per endpoint, {r.workers} workers (requests started in the measured window; ms):",
            "",
            "| endpoint | requests | per case | p50 | p95 | p99 | max | 409 | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for endpoint, e in r.endpoints.items():
            lines.append(
                f"| `{endpoint}` | {e.count} | {e.count / max(r.completed, 1):.1f} | {e.p50_ms:.0f} | {e.p95_ms:.0f} |"
                f" {e.p99_ms:.0f} | {e.max_ms:.0f} | {e.conflicts} | {e.errors} |"
            )
        lines.append("")
    if profile is not None:
        lines += profile_lines(profile)
    held = "holds" if goal_met else "is missed"
    lines.append(
        f"**The goal {held}** on {database.label}: the best configuration ({best.workers} workers) completed"
        f" {best.rate:.2f} cases/s (goal ≥ {args.goal:g})."
    )
    if failed:
        lines[-1] += (
            " **The run is not clean**: the server failed requests (above), which the goal does not allow"
            " (only 409 conflicts are expected)."
        )
    return "\n".join(lines) + "\n"


def backend_state_names(results: list[RunResult]) -> list[str]:
    names: Counter[str] = Counter()
    for r in results:
        names.update(r.backend_states)
    return [name for name, _total in names.most_common()]


def profile_lines(profile: Profile) -> list[str]:
    cpu = profile.per_case("cpu_seconds")
    lines = [
        f"One process, one request at a time: {profile.cases} complete cases driven through Django's test"
        " client (the full middleware stack and the API, no socket, no gunicorn) in the benchmark process"
        " after the load runs, on the same database, after one unmeasured case. A complete case cost"
        f" **{cpu * 1000:.0f} ms of Python CPU** and **{profile.per_case('queries'):.0f} SQL queries**"
        f" ({profile.per_case('sql_seconds') * 1000:.0f} ms waiting for PostgreSQL; wall time"
        f" {profile.per_case('seconds') * 1000:.0f} ms):",
        "",
        "| endpoint | requests per case | CPU ms per request | wall ms per request | SQL queries per request"
        " | SQL ms per request | CPU ms per case | share of a case's CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint in ENDPOINTS:
        p = profile.endpoints.get(endpoint)
        if p is None or not p.count:
            continue
        per_case = p.cpu_seconds / profile.cases
        lines.append(
            f"| `{endpoint}` | {p.count / profile.cases:.1f} | {p.cpu_seconds / p.count * 1000:.1f} |"
            f" {p.seconds / p.count * 1000:.1f} | {p.queries / p.count:.1f} | {p.sql_seconds / p.count * 1000:.1f} |"
            f" {per_case * 1000:.0f} | {per_case / cpu:.0%} |"
        )
    lines += [
        "",
        "CPU ms is this process's CPU time (Python: Django, ninja, the ORM, psycopg), which other work on the"
        " machine hardly changes; SQL ms is the time Django waited for PostgreSQL (query and round trip) as"
        " its query log measures it; the database's own CPU is not in either.",
        "",
        "<details><summary>pyinstrument call tree of a further "
        f"{profile.cases} cases (wall time, seconds; frames under 2% hidden)</summary>",
        "",
        "```",
        *profile_tree(profile.tree),
        "```",
        "",
        "</details>",
        "",
    ]
    return lines


def profile_tree(text: str) -> list[str]:
    """pyinstrument's tree without its banner."""
    lines = [line.rstrip() for line in text.splitlines()]
    first = next((n for n, line in enumerate(lines) if line.startswith("Profile at")), -1)
    return [line for line in lines[first + 1 :] if line.strip()]


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help=f"the PostgreSQL server; a throwaway database is created on it and dropped afterwards ({DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help=f"a Redis database for sessions and the cache, emptied first; '' for none ({DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[2, 3, 4], help="gunicorn sync worker counts to try (2 3 4)"
    )
    parser.add_argument("--applicants", type=int, default=8, help="concurrent applicant clients (8)")
    parser.add_argument("--clerks", type=int, default=2, help="concurrent clerk clients (2)")
    parser.add_argument(
        "--backlog",
        type=int,
        default=100,
        help="applicants wait while this many cases are submitted and not complete (100)",
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=1.0,
        help="seconds an idle clerk or reviewer waits before reading his queue again (1)",
    )
    parser.add_argument(
        "--upload-each",
        action="store_true",
        help="hand in and take each material in its own request instead of each set in one",
    )
    parser.add_argument("--warmup", type=float, default=15, help="seconds of load before the window (15)")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per worker count (60)")
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.15,
        help="before each worker count, wait until other processes use at most this share of the CPU (0.15)",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=300, help="seconds to wait at most for that (300)"
    )
    parser.add_argument("--goal", type=float, default=20, help="complete cases per second (20)")
    parser.add_argument(
        "--profile-cases", type=int, default=10, help="cases profiled in one process afterwards; 0 skips (10)"
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite docs/benchmarks/cases-throughput.md"
    )
    args = parser.parse_args(argv)
    if (
        args.duration <= 0
        or args.warmup < 0
        or args.applicants < 1
        or args.clerks < 1
        or min(args.workers) < 1
    ):
        parser.error("--duration, --applicants, --clerks and --workers must be positive, --warmup at least 0")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = bench.display_command("benchmarks/cases_throughput.py", argv)
    load_before = bench.load_average()
    results: list[RunResult] = []
    profile: Profile | None = None
    try:
        with bench.trapped() as cleanup:
            tmp = Path(tempfile.mkdtemp(prefix="onewindow-cases-"))
            cleanup.push(f"remove {tmp}", lambda: shutil.rmtree(tmp, ignore_errors=True))
            database = bench.postgres_database(args.database_url, cleanup)
            print(f"database: {database.version} ({bench.redact(database.url)})", flush=True)
            redis_url = redis_for(args.redis_url)
            env = bench_env(tmp, database, redis_url)
            migrate_and_seed(env)
            django_setup(env)
            from django.db import connections

            # This process's own connection must not hold the database when it is dropped.
            cleanup.push("close Django's connections", connections.close_all)
            cast = cast_create(args.applicants, args.clerks)
            facts = machine_facts(database, load_before, redis_url)
            with PostgresSampler(database.url, database.url.rsplit("/", 1)[-1]) as sampler:
                for workers in args.workers:
                    busy = bench.wait_for_quiet(args.max_other_cpu, args.quiet_wait)
                    print(f"other processes use {busy:.0%} of the CPU", flush=True)
                    server = start_server(env, workers, tmp, cleanup)
                    print(f"gunicorn on 127.0.0.1:{server.port}, {workers} sync workers", flush=True)
                    result = run_load(args, server, cast, sampler)
                    server.stop()
                    results.append(result)
                    print_result(result)
            if args.profile_cases:
                print(f"profiling {args.profile_cases} cases in one process", flush=True)
                profile = profile_cases(args.profile_cases, cast, args.upload_each)
                print("\n".join(profile_lines(profile)))
    except BenchmarkInvalid as exc:
        print(f"\nINVALID RUN: {exc}", file=sys.stderr)
        return 2

    best = max(results, key=lambda r: r.rate)
    goal_met = best.rate >= args.goal
    invalid = [r for r in results if r.errors or r.problems or r.completed == 0]
    print(
        f"\n{database.label}: goal (≥ {args.goal:g} complete cases/s) {'met' if goal_met else 'MISSED'}: best"
        f" {best.rate:.2f} cases/s with {best.workers} workers"
    )
    if invalid:
        print(
            "INVALID: failed requests with "
            + ", ".join(f"{r.workers} workers ({r.errors})" for r in invalid)
            + "; they are recorded in the report",
            file=sys.stderr,
        )
    if not args.no_report:
        template = bench.report_template(REPORT_INTRO, (database.label,))
        section = render(args, database, facts, command, cast, results, profile, goal_met)
        bench.write_section(REPORT, template, database.label, section)
        print(f"wrote {REPORT} ({database.label} section)")
    if invalid:
        return 2
    return 0 if goal_met else 1


def print_result(result: RunResult) -> None:
    cpu = result.cpu
    print(
        f"{result.workers} workers: {result.rate:.2f} complete cases/s ({result.completed} in {result.duration:g} s;"
        f" database: {result.completed_in_database}), {result.requests / result.duration:.0f} req/s,"
        f" {result.errors} failed requests, {result.conflicts} conflicts",
        flush=True,
    )
    for endpoint, e in result.endpoints.items():
        print(
            f"    {endpoint:<44} n={e.count:6d} p50 {e.p50_ms:7.1f} p95 {e.p95_ms:7.1f} p99 {e.p99_ms:7.1f} ms"
            f"  409 {e.conflicts} errors {e.errors}"
        )
    print(
        f"    CPU per complete case: gunicorn {result.per_case_ms(cpu.server):.0f} ms,"
        f" PostgreSQL {result.per_case_ms(cpu.postgres):.0f} ms, load generator {result.per_case_ms(cpu.driver):.0f} ms;"
        f" other processes {cpu.other / cpu.total:.0%}, idle {cpu.idle / cpu.total:.0%} of the machine"
    )
    for state, average in result.backend_states.items():
        print(f"    PostgreSQL backends {state}: {average:.2f} on average")
    for error, count in result.server_errors.most_common():
        print(f"    server error ×{count}: {error}")
    for key, body in result.samples.items():
        print(f"    first {key}: {body.decode(errors='replace')[:300]}")
    if result.problems:
        print(f"    the server found the form incomplete: {result.problems[0]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
