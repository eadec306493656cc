"""Kill the server during a burst of submissions: every submission answered 2xx must be in the database.

Run from the repository root with the project's virtualenv:

    .venv/bin/python benchmarks/kill_during_submissions.py                      # SQLite file in a temporary directory
    .venv/bin/python benchmarks/kill_during_submissions.py --database-url postgres://postgres@127.0.0.1:5432/
    .venv/bin/python benchmarks/kill_during_submissions.py --cases 40 --work-dir /tmp/kill --no-report

What it does:

1. Builds a fresh database (SQLite in the work directory, or a throwaway PostgreSQL database),
   migrates it and seeds the demo cast (`seed --demo --without-cases`), in this process.
2. Prepares `--cases` filled, signed draft hotel cases of the demo applicant through the services
   (`case_start` and `onewindow.cases.demo.fill_case`), before any server runs.
3. Starts gunicorn (`--workers` sync workers, 127.0.0.1, a free port, its own process group) and
   signs the applicant in.
4. `--clients` threads submit the cases concurrently, `POST /api/v1/cases/{id}/submit` with a
   unique key each, recording every answer (status, case number) or the lack of one.
5. When `--kill-after` submissions have been answered 2xx, sends SIGKILL to gunicorn's whole process
   group (master and workers) while other submissions are in flight; the clients stop taking new
   cases and record what happens to the requests they had sent.
6. With no server left, opens the database and checks, for every 2xx: the case is submitted with the
   number the answer gave, its Submission row with that key exists, no two cases share a number;
   then `onewindow audit verify` (every case's hash-chained timeline) must exit 0, and SQLite's
   `PRAGMA integrity_check` must say ok.
7. Restarts the server and retries every submission that got no 2xx with its same key, as a client
   whose connection broke would: each must answer 200, with the number already in the database if
   the first attempt had committed; then checks everything again.

Exit status: 0 verified; 1 a check failed (a 2xx submission is missing or wrong, the audit failed);
2 the run is invalid (setup failed, or the kill did not land while submissions were in flight).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script from anywhere: make the repository importable, as the server's PYTHONPATH does.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import cases_throughput as ct
from benchmarks import plan_throughput as bench
from benchmarks.plan_throughput import BenchmarkInvalid

REPORT = ct.ROOT / "docs" / "benchmarks" / "kill-during-submissions.md"
APPLICANT = "applicant"


# ---------------------------------------------------------------- preparing


def database_prepare() -> None:
    """Migrations and the demo cast, in this process (one interpreter start fewer than the CLI)."""
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed", "--demo", "--without-cases", verbosity=0, stdout=io.StringIO())


def drafts_prepare(count: int) -> list[int]:
    """Filled, signed hotel drafts of the demo applicant, ready to submit."""
    from django.db import connections

    from onewindow.accounts.models import User
    from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
    from onewindow.cases.services import case_start, submission_problems

    applicant = User.objects.get(username=APPLICANT)
    ids = []
    for _ in range(count):
        case = case_start(bundle_code="hotel", applicant=applicant, answers=HOTEL_FOUR_ITEMS)
        fill_case(case, applicant)
        ids.append(case.pk)
    case.refresh_from_db()
    problems = submission_problems(case)
    if problems:
        raise BenchmarkInvalid(f"a prepared draft cannot be submitted: {problems}")
    # The server gets the database to itself; checks later open a fresh connection.
    connections.close_all()
    return ids


# ---------------------------------------------------------------- the burst


@dataclass
class Attempt:
    case_id: int
    key: str
    started: float  # time.monotonic()
    status: int = 0  # 0: not finished; -1: no response
    number: str | None = None
    error: str = ""
    committed_number: str | None = None  # unanswered, yet found submitted with this number after the kill
    retry_status: int = 0
    retry_number: str | None = None


@dataclass
class Burst:
    attempts: list[Attempt] = field(default_factory=list)
    killed_at: float | None = None
    kill_pids: int = 0  # processes in gunicorn's group when it was killed

    def ok(self) -> list[Attempt]:
        return [a for a in self.attempts if 200 <= a.status < 300]

    def unanswered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == -1]

    def other_status(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status != -1 and not 200 <= a.status < 300]

    def in_flight_at_kill(self) -> list[Attempt]:
        return [a for a in self.unanswered() if self.killed_at is not None and a.started < self.killed_at]


def group_members(pgid: int) -> list[int]:
    """Processes whose process group is `pgid` (gunicorn's master and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(bench._proc_stat_fields(int(entry.name))[2]) == pgid:
                members.append(int(entry.name))
    return members


def kill_group(server: ct.Server) -> int:
    """SIGKILL the server's whole process group and wait until none of it is left; returns how many there were."""
    pgid = server.process.pid
    members = group_members(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    server.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while group_members(pgid):
        if time.monotonic() > deadline:
            raise BenchmarkInvalid(f"processes of group {pgid} survived SIGKILL: {group_members(pgid)}")
        time.sleep(0.05)
    return len(members)


def burst(
    server: ct.Server, cookies: dict[str, str], case_ids: list[int], clients: int, kill_after: int
) -> Burst:
    """Submit concurrently; kill the server when `kill_after` submissions have been answered 2xx."""
    result = Burst()
    lock = threading.Lock()
    pending = list(reversed(case_ids))
    killed = threading.Event()

    def client() -> None:
        session = ct.Session(server.port, timeout=30)
        session.cookies = dict(cookies)
        while not killed.is_set():
            with lock:
                # Checked again under the lock: the kill happens while holding it.
                if not pending or killed.is_set():
                    return
                attempt = Attempt(pending.pop(), f"kill-{uuid.uuid4().hex}", time.monotonic())
                result.attempts.append(attempt)
            response = session.request(
                "POST", f"/api/v1/cases/{attempt.case_id}/submit", json_body={"key": attempt.key}
            )
            attempt.status, attempt.error = response.status, response.error
            if response.ok:
                attempt.number = response.json()["number"]
                with lock:
                    if len(result.ok()) >= kill_after and not killed.is_set():
                        # Kill from here, at once: the other clients' requests are still in flight.
                        result.killed_at = time.monotonic()
                        result.kill_pids = kill_group(server)
                        killed.set()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if any(thread.is_alive() for thread in threads):
        raise BenchmarkInvalid("submitting clients did not finish within 120 s")
    return result


def retry(server: ct.Server, cookies: dict[str, str], attempts: list[Attempt]) -> None:
    """Send every unanswered submission again with its key, as a client whose connection broke would."""
    session = ct.Session(server.port, timeout=30)
    session.cookies = dict(cookies)
    for attempt in attempts:
        response = session.request(
            "POST", f"/api/v1/cases/{attempt.case_id}/submit", json_body={"key": attempt.key}
        )
        attempt.retry_status = response.status
        if response.ok:
            attempt.retry_number = response.json()["number"]


# ---------------------------------------------------------------- checking


@dataclass
class Check:
    submitted_in_database: int = 0
    acknowledged_ok: int = 0
    committed_unacknowledged: int = 0  # no 2xx reached the client, yet the submission committed
    problems: list[str] = field(default_factory=list)
    audit_exit: int | None = None
    audit_output: str = ""
    integrity: str = ""


def check(env: dict[str, str], burst_result: Burst, case_ids: list[int], retried: bool) -> Check:
    """What the database says about every attempt, the timeline audit and (SQLite) the file's integrity."""
    from django.db import connection, connections

    from onewindow.cases.models import Case, CaseStatus, Submission

    result = Check()
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids)}
    keys = {s.key: s.case_id for s in Submission.objects.filter(case_id__in=case_ids)}
    result.submitted_in_database = sum(1 for c in cases.values() if c.status == CaseStatus.SUBMITTED)
    numbers = [c.number for c in cases.values() if c.number]
    if len(numbers) != len(set(numbers)):
        result.problems.append("two cases share a number")
    for attempt in burst_result.attempts:
        case = cases.get(attempt.case_id)
        answered = attempt.number if 200 <= attempt.status < 300 else None
        if retried and attempt.retry_status:
            if not 200 <= attempt.retry_status < 300:
                result.problems.append(f"case {attempt.case_id}: the retry answered {attempt.retry_status}")
                continue
            if attempt.committed_number and attempt.retry_number != attempt.committed_number:
                result.problems.append(
                    f"case {attempt.case_id}: committed as {attempt.committed_number}, the retry answered"
                    f" {attempt.retry_number}"
                )
            answered = attempt.retry_number
        if answered is None:
            if case is not None and case.status == CaseStatus.SUBMITTED and keys.get(attempt.key) == case.pk:
                result.committed_unacknowledged += 1
                attempt.committed_number = case.number
            continue
        if case is None or case.status != CaseStatus.SUBMITTED or case.number != answered:
            found = f"{case.status} {case.number}" if case else "missing"
            result.problems.append(f"case {attempt.case_id}: answered {answered}, database has {found}")
        elif keys.get(attempt.key) != case.pk:
            result.problems.append(f"case {attempt.case_id}: no Submission row with key {attempt.key}")
        else:
            result.acknowledged_ok += 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result.integrity = ", ".join(str(row[0]) for row in cursor.fetchall())
        if result.integrity != "ok":
            result.problems.append(f"SQLite integrity_check: {result.integrity}")
    connections.close_all()
    audit = subprocess.run(
        [str(ct.VENV_BIN / "onewindow"), "audit", "verify"],
        cwd=ct.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result.audit_exit = audit.returncode
    result.audit_output = (audit.stdout + audit.stderr).strip()
    if audit.returncode != 0:
        result.problems.append(
            f"onewindow audit verify exited {audit.returncode}: {result.audit_output[-2000:]}"
        )
    return result


# ---------------------------------------------------------------- report


REPORT_INTRO = """# Killing the server during submissions

What it shows: a submission the server answered with a 2xx survives the server being killed with
SIGKILL (no shutdown, no flushing) while other submissions are in flight: afterwards the case is
submitted with the number the answer gave, its Submission row (the idempotency key) exists and
every case's hash-chained timeline verifies (`onewindow audit verify`). Submissions that got no
answer are retried with the same key after a restart, as a client whose connection broke would, and
must answer 200 without creating anything twice.

SIGKILL ends processes, not the machine: data the database had written to the operating system
survives it. Power loss is a different test (SQLite here runs in WAL mode with `synchronous=NORMAL`,
which can lose the last transactions on power loss but not on a process kill; PostgreSQL with its
defaults loses nothing it acknowledged).

How to run it and how it works: [benchmarks/README.md](../../benchmarks/README.md). The results
below are written by `benchmarks/kill_during_submissions.py`; re-running it replaces the section of
the database it ran on. `tests/durability/test_kill_during_submissions.py` runs a smaller version
(40 cases, SQLite) with the test suite.
"""


def render(
    args: argparse.Namespace,
    database: bench.Database,
    facts: list[tuple[str, str]],
    command: str,
    result: Burst,
    first: Check,
    second: Check,
    verified: bool,
) -> str:
    retried = result.unanswered()
    lines = [
        *bench.section_head(database.label, facts, command),
        f"Server: `{ct.shown_gunicorn_command(args.workers)}`; {args.clients} concurrent clients; SIGKILL to"
        f" gunicorn's process group ({result.kill_pids} processes) once {args.kill_after} submissions had been"
        " answered 2xx.",
        "",
        "| | |",
        "|---|---:|",
        f"| filled drafts prepared | {args.cases} |",
        f"| submissions sent before the kill | {len(result.attempts)} |",
        f"| answered 2xx | {len(result.ok())} |",
        f"| answered another status | {len(result.other_status())} |",
        f"| no answer: in flight when the server was killed (connection reset or closed) | {len(result.in_flight_at_kill())} |",
        f"| no answer: sent after the kill (connection refused) | {len(result.unanswered()) - len(result.in_flight_at_kill())} |",
        f"| **2xx submissions found intact** (submitted, same number, Submission row with the key) | **{first.acknowledged_ok} of {len(result.ok())}** |",
        f"| unanswered submissions that had committed anyway | {first.committed_unacknowledged} |",
        f"| cases submitted in the database after the kill | {first.submitted_in_database} |",
        f"| `onewindow audit verify` after the kill | exit {first.audit_exit}: {first.audit_output.splitlines()[-1] if first.audit_output else ''} |",
    ]
    if first.integrity:
        lines.append(f"| SQLite `PRAGMA integrity_check` after the kill | {first.integrity} |")
    lines += [
        f"| unanswered submissions retried with the same key after a restart | {len(retried)} |",
        f"| retries answered 200 | {sum(1 for a in retried if 200 <= a.retry_status < 300)} |",
        f"| retries of submissions that had committed, answered with the number already given | {sum(1 for a in retried if a.committed_number and a.retry_number == a.committed_number)} of {first.committed_unacknowledged} |",
        f"| `onewindow audit verify` after the retries | exit {second.audit_exit} |",
        "",
    ]
    problems = first.problems + second.problems
    if problems:
        lines += ["Problems found:", "", *(f"- {p}" for p in problems), ""]
    lines.append(
        f"**{'Verified' if verified else 'NOT verified'}** on {database.label}: "
        + (
            "every submission answered 2xx was in the database after the kill, unanswered ones were"
            " retried safely, and every timeline verified."
            if verified
            else "see the problems above."
        )
    )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgres://user@host:port/); a throwaway database is created on it and"
        " dropped afterwards. Default: SQLite in the work directory.",
    )
    parser.add_argument("--cases", type=int, default=200, help="filled drafts to submit (200)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent submitting clients (16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument(
        "--kill-after", type=int, help="kill the server after this many 2xx answers (default: half the cases)"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        help="where the SQLite file, uploads and logs go; kept afterwards (default: a temporary directory, removed)",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite docs/benchmarks/kill-during-submissions.md"
    )
    args = parser.parse_args(argv)
    if args.kill_after is None:
        args.kill_after = args.cases // 2
    if args.cases < 2 or args.clients < 2 or args.workers < 1 or not 1 <= args.kill_after < args.cases:
        parser.error("--cases and --clients must be at least 2, --kill-after between 1 and --cases - 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = bench.display_command("benchmarks/kill_during_submissions.py", argv)
    load_before = bench.load_average()
    started = time.monotonic()
    try:
        with bench.trapped() as cleanup:
            if args.work_dir is None:
                work = Path(tempfile.mkdtemp(prefix="onewindow-kill-"))
                cleanup.push(f"remove {work}", lambda: shutil.rmtree(work, ignore_errors=True))
            else:
                work = args.work_dir.resolve()
                work.mkdir(parents=True, exist_ok=True)
            database = ct.database_for(args.database_url, work, cleanup)
            print(f"database: {database.version} ({bench.redact(database.url)})", flush=True)
            env = ct.bench_env(work, database)
            ct.django_setup(env)
            from django.db import connections

            # This process's own connection must not hold the database when it is dropped.
            cleanup.push("close Django's connections", connections.close_all)
            database_prepare()
            print(f"prepared the database ({time.monotonic() - started:.0f} s)", flush=True)
            case_ids = drafts_prepare(args.cases)
            print(f"prepared {len(case_ids)} filled drafts ({time.monotonic() - started:.0f} s)", flush=True)
            facts = ct.machine_facts(database, load_before)

            server = ct.start_server(env, args.workers, work, cleanup)
            session = ct.Session(server.port)
            session.login(APPLICANT)
            print(f"gunicorn on 127.0.0.1:{server.port}; submitting with {args.clients} clients", flush=True)
            result = burst(server, session.cookies, case_ids, args.clients, args.kill_after)
            if result.killed_at is None:
                raise BenchmarkInvalid(
                    f"the server was never killed: only {len(result.ok())} submissions were answered 2xx"
                )
            in_flight = result.in_flight_at_kill()
            print(
                f"killed {result.kill_pids} processes after {len(result.ok())} 2xx answers; {len(in_flight)} submissions"
                f" were in flight, {len(result.unanswered()) - len(in_flight)} refused afterwards,"
                f" {len(result.other_status())} answered another status",
                flush=True,
            )
            if not in_flight:
                raise BenchmarkInvalid(
                    "no submission was in flight when the server was killed; add --clients"
                )
            first = check(env, result, case_ids, retried=False)
            print_check("after the kill", first)

            server = ct.start_server(env, args.workers, work, cleanup)
            retry(server, session.cookies, result.unanswered())
            server.stop()
            second = check(env, result, case_ids, retried=True)
            print_check("after the retries", second)
    except BenchmarkInvalid as exc:
        print(f"\nINVALID RUN: {exc}", file=sys.stderr)
        return 2

    verified = not first.problems and not second.problems and not result.other_status()
    print(
        f"\n{database.label}: {'VERIFIED' if verified else 'NOT VERIFIED'}: {first.acknowledged_ok} of"
        f" {len(result.ok())} submissions answered 2xx were intact after SIGKILL; {len(result.unanswered())}"
        f" unanswered, of which {first.committed_unacknowledged} had committed; retries:"
        f" {sum(1 for a in result.unanswered() if 200 <= a.retry_status < 300)} of {len(result.unanswered())}"
        f" answered 200 ({time.monotonic() - started:.0f} s)"
    )
    if not args.no_report:
        template = bench.report_template(REPORT_INTRO, ("SQLite", "PostgreSQL"))
        section = render(args, database, facts, command, result, first, second, verified)
        bench.write_section(REPORT, template, database.label, section)
        print(f"wrote {REPORT} ({database.label} section)")
    return 0 if verified else 1


def print_check(when: str, result: Check) -> None:
    print(
        f"{when}: {result.acknowledged_ok} acknowledged submissions intact, {result.committed_unacknowledged}"
        f" committed without an answer, {result.submitted_in_database} cases submitted in the database;"
        f" audit verify exit {result.audit_exit}"
        + (f"; SQLite integrity_check {result.integrity}" if result.integrity else ""),
        flush=True,
    )
    for problem in result.problems:
        print(f"  PROBLEM: {problem}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
