"""Latency of the reviewer's queue (API and page) with 100,000 cases and their branches in PostgreSQL.

Run from the repository root with the project's virtualenv:

    .venv/bin/python benchmarks/queue_latency.py
    .venv/bin/python benchmarks/queue_latency.py --cases 20000 --requests 200
    .venv/bin/python benchmarks/queue_latency.py --database-url postgres://user@host:5432/

The script creates a throwaway PostgreSQL database, migrates it, runs `onewindow seed --demo
--without-cases`, and writes `--cases` cases with their branches straight into the tables with
COPY (a realistic mix: most cases closed, a few thousand branches open across the departments,
due dates spread around today). Every case carries a real plan snapshot, because the queue reads
each branch's case row. It then serves the project with gunicorn (`--workers` sync workers,
127.0.0.1, a free port, benchmarks.bench_settings) and, signed in as reviewers, measures:

- sequentially, as one reviewer: `GET /api/v1/review/queue`, the page `GET /review/`, and (not held
  to the goal) `GET /api/v1/review/queue?status=decided`: `--warmup` unrecorded requests, then
  `--requests` recorded ones each;
- concurrently: `--clients` reviewers of different departments at once, `--requests` in all per
  endpoint;

and shows the PostgreSQL plan (EXPLAIN ANALYZE) of the queue query. It writes
docs/benchmarks/queue-latency.md.

Exit status: 0 goal met (p95 < `--goal-ms` for the queue API and page, sequentially), 1 goal
missed, 2 the run is invalid (a non-200 response, the server died, bad setup).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

# Run as a script from anywhere: make the repository importable, as the server's PYTHONPATH does.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import cases_throughput as ct
from benchmarks import plan_throughput as bench
from benchmarks.plan_throughput import BenchmarkInvalid

REPORT = ct.ROOT / "docs" / "benchmarks" / "queue-latency.md"

# Cases per 100,000 by status: most long closed, a few thousand in approval.
STATUS_MIX = {
    "closed": 80_000,
    "issued": 5_000,
    "approved": 1_000,
    "denied": 3_000,
    "in_approval": 2_500,
    "submitted": 1_500,
    "supplement": 500,
    "refused": 2_000,
    "draft": 3_500,
    "withdrawn": 1_000,
}
ACCEPTED = {"closed", "issued", "approved", "denied", "in_approval"}
# How often a case of a bundle includes an item (the rest: 0.5). Hotels always need special trade,
# fire safety and hygiene; a convenience store always sells food.
ITEM_SHARE = {
    "special_trade_hotel_licence": 1.0,
    "fire_safety_check": 1.0,
    "public_place_hygiene_licence": 1.0,
    "food_business_licence": 0.6,
    "tobacco_retail_licence": 0.4,
    "high_risk_sports_swimming_licence": 0.1,
    "entertainment_venue_licence": 0.2,
    "sewage_discharge_permit": 0.25,
    "special_equipment_registration": 0.15,
    "prepackaged_food_filing": 0.5,
    "class2_medical_device_filing": 0.2,
    "publication_retail_licence": 0.3,
    "large_outdoor_sign_approval": 0.3,
}
BUNDLE_SHARE = {"hotel": 0.7}  # the rest of the cases are spread over the other bundles
QUEUE_API = "GET /api/v1/review/queue"
QUEUE_PAGE = "GET /review/"
DECIDED_API = "GET /api/v1/review/queue?status=decided"
PATHS = {
    QUEUE_API: "/api/v1/review/queue",
    QUEUE_PAGE: "/review/",
    DECIDED_API: "/api/v1/review/queue?status=decided",
}
GATED = (QUEUE_API, QUEUE_PAGE)
# The index each plan shown (queue, decided tab, counts) should use.
INDEXES = ("approvals_open_queue_idx", "approvals_decided_idx", "approvals_open_queue_idx")


# ---------------------------------------------------------------- the data


@dataclass
class Dataset:
    cases: Counter[str]
    branches: Counter[str]
    open_by_department: dict[str, int]
    seconds: float
    plan_bytes: int
    reviewers: dict[str, str]  # department code -> username


def copy_rows(model: Any, objects: Iterable[Any], json_cache: dict[int, str]) -> int:
    """COPY model instances into the model's table; shared JSON values are serialised once."""
    from django.db import connection
    from django.db.models import JSONField

    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            row = []
            for f in fields:
                value = getattr(obj, f.attname)
                if isinstance(f, JSONField):
                    text = json_cache.get(id(value))
                    row.append(text if text is not None else json.dumps(value, ensure_ascii=False))
                else:
                    # ints, strings, dates, aware datetimes and None: psycopg adapts them as they are.
                    row.append(value)
            copy.write_row(row)
            count += 1
    return count


def reset_sequences(models: Iterable[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def dataset_create(total: int, seed: int = 20261128) -> Dataset:
    """`total` cases of every status with their branches, written with COPY in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from onewindow.accounts.models import Role, User
    from onewindow.approvals.models import Branch
    from onewindow.bundles.models import Bundle, Dependency
    from onewindow.bundles.planner import AnswersInvalid, plan_for
    from onewindow.cases.models import Case
    from onewindow.cases.services import case_start, plan_snapshot
    from onewindow.catalog.models import Department, ServiceItem

    started = time.monotonic()
    rng = random.Random(seed)
    applicant = User.objects.get(username="applicant")
    # A real draft, made by the services: its plan, answers and form are every case's template.
    template = case_start(bundle_code="hotel", applicant=applicant, answers=ct.HOTEL_FOUR_ITEMS)
    plans: dict[str, dict[str, Any]] = {"hotel": template.plan}
    bundles = {b.code: b for b in Bundle.objects.all()}
    for code in bundles:
        if code not in plans:
            # A bundle whose empty answers yield no plan borrows the hotel's.
            with contextlib.suppress(AnswersInvalid):
                snapshot = plan_snapshot(plan_for(code, {}))
                if snapshot["items"]:
                    plans[code] = snapshot
    json_cache = {id(p): json.dumps(p, ensure_ascii=False) for p in plans.values()}
    json_cache[id(template.answers)] = json.dumps(template.answers, ensure_ascii=False)
    json_cache[id(template.form_data)] = json.dumps(template.form_data, ensure_ascii=False)
    items_by_bundle: dict[str, list[ServiceItem]] = {
        code: list(b.items.select_related("department").order_by("code")) for code, b in bundles.items()
    }
    prerequisites: dict[tuple[str, str], list[str]] = {}
    for dependency in Dependency.objects.select_related("bundle", "item", "prerequisite"):
        key = (dependency.bundle.code, dependency.item.code)
        prerequisites.setdefault(key, []).append(dependency.prerequisite.code)
    other_bundles = [code for code in bundles if code not in BUNDLE_SHARE and items_by_bundle[code]]

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    statuses = [s for s, n in STATUS_MIX.items() for _ in range(round(n * total / 100_000))][:total]
    statuses += ["closed"] * (total - len(statuses))
    rng.shuffle(statuses)
    next_case = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_branch = (Branch.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    Link = Branch.prerequisites.through
    numbers: Counter[date] = Counter()
    taken = set(Case.objects.exclude(number=None).values_list("number", flat=True))
    first_link = (Link.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    cases: list[Case] = []
    branches: list[Branch] = []
    links: list[Any] = []
    case_counts: Counter[str] = Counter()
    branch_counts: Counter[str] = Counter()
    open_by_department: Counter[str] = Counter()

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, clock(hour, rng.randrange(60)), tz)

    for status in statuses:
        bundle = (
            "hotel"
            if rng.random() < BUNDLE_SHARE["hotel"] or not other_bundles
            else rng.choice(other_bundles)
        )
        recent = status in {"in_approval", "submitted", "supplement", "draft"}
        created = today - timedelta(days=rng.randrange(0, 30) if recent else rng.randrange(30, 730))
        submitted = created + timedelta(days=rng.randrange(0, 3)) if status != "draft" else None
        if submitted is not None and submitted > today:
            submitted = today
        accepted = (
            submitted + timedelta(days=rng.randrange(0, 2)) if status in ACCEPTED and submitted else None
        )
        if accepted is not None and accepted > today:
            accepted = today
        number = None
        while submitted is not None and (number is None or number in taken):
            numbers[submitted] += 1
            number = f"429006{submitted:%Y%m%d}{numbers[submitted]:05d}"
        case = Case(
            id=next_case,
            number=number,
            bundle=bundles[bundle],
            applicant=applicant,
            enterprise_id=template.enterprise_id,
            channel=template.channel,
            service_center_id=template.service_center_id,
            status=status,
            answers=template.answers,
            form_data=template.form_data,
            plan=plans.get(bundle, template.plan),
            holder_name=f"{template.holder_name}·{next_case}",
            holder_code=template.holder_code,
            created_at=at(created, 9),
            updated_at=at(submitted or created, 17),
            submitted_at=at(submitted, 10) if submitted else None,
            accepted_at=at(accepted, 11) if accepted else None,
            last_event_seq=0,
        )
        next_case += 1
        case_counts[status] += 1
        cases.append(case)
        if accepted is None:
            continue
        chosen = [i for i in items_by_bundle[bundle] if rng.random() < ITEM_SHARE.get(i.code, 0.5)]
        if not chosen:
            chosen = items_by_bundle[bundle][:1]
        by_code: dict[str, Branch] = {}
        denied_one = status == "denied"
        for item in chosen:
            branch = Branch(
                id=next_branch,
                case_id=case.id,
                item=item,
                department=item.department,
                limit_days=item.promised_limit_days,
                statutory_limit_days=item.statutory_limit_days,
                opened_on=accepted,
                due_on=accepted + timedelta(days=item.promised_limit_days * 7 // 5),
            )
            next_branch += 1
            if status == "in_approval":
                # Opened up to 25 days ago: due dates from about three weeks overdue to two weeks ahead.
                branch.opened_on = today - timedelta(days=rng.randrange(0, 25))
                branch.due_on = branch.opened_on + timedelta(days=item.promised_limit_days * 7 // 5)
                roll = rng.random()
                branch.status = "pending" if roll < 0.7 else "paused" if roll < 0.78 else "approved"
            elif denied_one:
                branch.status, denied_one = "denied", False
            else:
                branch.status = "approved"
            if branch.status in {"approved", "denied"}:
                opened = branch.opened_on or today
                decided = min(today, opened + timedelta(days=rng.randrange(1, 8)))
                branch.decided_at = at(decided, 15)
                branch.permit_number = (
                    f"{item.department.code}-{branch.id}" if branch.status == "approved" else ""
                )
                branch.decision_reason = "经营场所不符合规定" if branch.status == "denied" else ""
            by_code[item.code] = branch
            branches.append(branch)
        for code, branch in by_code.items():
            for required in prerequisites.get((bundle, code), []):
                prerequisite = by_code.get(required)
                if prerequisite is None:
                    continue
                links.append(
                    Link(id=len(links) + first_link, from_branch_id=branch.id, to_branch_id=prerequisite.id)
                )
                if prerequisite.status not in {"approved", "denied"}:
                    branch.status, branch.opened_on, branch.due_on = "waiting", None, None
                    branch.decided_at, branch.permit_number = None, ""
        if status == "in_approval" and all(b.status in {"approved", "denied"} for b in by_code.values()):
            first = next(iter(by_code.values()))
            first.status, first.decided_at, first.permit_number = "pending", None, ""
        decided_days = [b.decided_at for b in by_code.values() if b.decided_at]
        if status != "in_approval" and decided_days:
            case.completed_at = max(decided_days)
            if status in {"closed", "issued"}:
                case.closed_at = case.completed_at + timedelta(days=rng.randrange(1, 6))
        for branch in by_code.values():
            branch_counts[branch.status] += 1
            if branch.status in {"waiting", "pending", "paused"}:
                open_by_department[branch.department.code] += 1

    with transaction.atomic():
        copy_rows(Case, cases, json_cache)
        copy_rows(Branch, branches, json_cache)
        copy_rows(Link, links, json_cache)
        reset_sequences([Case, Branch, Link])
    # What autovacuum would have done after such a load: statistics and the visibility map (which
    # lets counts use index-only scans).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")

    reviewers = {}
    for department in Department.objects.order_by("code"):
        user = User.objects.filter(role=Role.REVIEWER, department=department).order_by("id").first()
        if user is None:
            user = User.objects.create(
                username=f"bench_reviewer_{department.code.split('-')[-1]}",
                role=Role.REVIEWER,
                department=department,
                display_name=f"{department.short_name}压测审批员",
            )
            user.set_password(ct.PASSWORD)
            user.save(update_fields=["password"])
        reviewers[department.code] = user.username
    return Dataset(
        cases=case_counts + Counter({"draft": 1}),  # the template draft
        branches=branch_counts,
        open_by_department=dict(sorted(open_by_department.items())),
        seconds=time.monotonic() - started,
        plan_bytes=len(json_cache[id(template.plan)].encode()),
        reviewers=reviewers,
    )


def explain(username: str, status: str = "") -> str:
    """PostgreSQL's plan, with timings, of the page of the queue the API serves."""
    from onewindow.accounts.models import User
    from onewindow.approvals.selectors import reviewer_queue

    reviewer = User.objects.get(username=username)
    return reviewer_queue(reviewer, status=status)[:50].explain(analyze=True, buffers=True)


def explain_counts(username: str) -> str:
    """PostgreSQL's plans of the page's per-tab counts: the two queries `queue_counts` makes."""
    from django.db import connection
    from django.db.models import Count

    from onewindow.accounts.models import User
    from onewindow.approvals.models import DECIDED_BRANCH_STATUSES, OPEN_BRANCH_STATUSES, Branch
    from onewindow.approvals.selectors import DECIDED_COUNT_CAP

    reviewer = User.objects.get(username=username)
    # The same querysets as onewindow.approvals.selectors.queue_counts builds.
    own = Branch.objects.filter(department_id=reviewer.department_id or 0).order_by()
    open_counts = own.filter(status__in=OPEN_BRANCH_STATUSES).values("status").annotate(n=Count("pk"))
    decided = own.filter(status__in=DECIDED_BRANCH_STATUSES).values("pk")[: DECIDED_COUNT_CAP + 1]
    sql, params = decided.query.sql_with_params()
    with connection.cursor() as cursor:
        # What QuerySet.count() sends for a sliced queryset.
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) subquery", params)
        capped = "\n".join(row[0] for row in cursor.fetchall())
    return open_counts.explain(analyze=True, buffers=True) + "\n\n" + capped


@dataclass
class Diagnosis:
    label: str
    median_ms: float
    note: str = ""


def diagnose(username: str, repeats: int = 30) -> list[Diagnosis]:
    """Where a queue request's time goes, read by read, in this process (median of `repeats`).

    Each read is timed as the code runs it and, where the code used to read it another way (before
    the queue read only the row fields, counted from the partial indexes and paged the decided tab by
    keyset), in that form too, so the difference is measured rather than guessed. The whole requests
    go through Django's handler (the test client: every middleware, no HTTP, no gunicorn), with their
    SQL queries counted.
    """
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from onewindow.accounts.models import User
    from onewindow.approvals.api import branch_row
    from onewindow.approvals.calendar import current_calendar
    from onewindow.approvals.models import DECIDED_BRANCH_STATUSES, Branch
    from onewindow.approvals.selectors import decided_page, queue_counts, reviewer_queue

    reviewer = User.objects.get(username=username)
    queue = reviewer_queue(reviewer)
    decided = reviewer_queue(reviewer, status="decided")
    own = Branch.objects.filter(department_id=reviewer.department_id or 0)
    decided_rows = own.filter(status__in=DECIDED_BRANCH_STATUSES).count()
    depth = decided_rows * 3 // 4
    deep = decided.values_list("pk", flat=True)[depth : depth + 1].first() if decided_rows > 50 else None
    page = list(queue[:50])
    today, calendar = timezone.localdate(), current_calendar()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(reviewer)

    def median(read: Any) -> float:
        read()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            read()
            times.append((time.perf_counter() - start) * 1000)
        return ct.percentile(times, 0.5)

    def request(path: str) -> Diagnosis:
        def get() -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise BenchmarkInvalid(f"GET {path} answered {response.status_code} in this process")

        get()
        with CaptureQueriesContext(connection) as queries:
            get()
        count = len(queries)  # before median(): each request clears the connection's query log
        return Diagnosis(
            f"`GET {path}` through Django's handler (no HTTP)", median(get), f"{count} SQL queries"
        )

    rows = [
        Diagnosis(
            "first page of `reviewer_queue` (the row fields only), fetched", median(lambda: list(queue[:50]))
        ),
        Diagnosis(
            "the same page with whole case and item rows (`.defer(None)`), as before",
            median(lambda: list(queue.defer(None)[:50])),
            "the case's plan snapshot, form and answers (JSON, parsed row by row), which the queue does not show",
        ),
        Diagnosis("`current_calendar()`", median(current_calendar)),
        Diagnosis(
            "`branch_row` for the 50 rows (API)",
            median(lambda: [branch_row(b, today, calendar) for b in page]),
        ),
        Diagnosis(
            "page count (`Paginator(...).count`, page only)", median(lambda: Paginator(queue, 50).count)
        ),
        Diagnosis(
            "`queue_counts` (page only)",
            median(lambda: queue_counts(reviewer)),
            "open statuses exactly, decided up to 1,001, each from its partial index alone",
        ),
        Diagnosis(
            "the counts as before: every status grouped, with Meta.ordering's join",
            median(lambda: list(own.values("status").annotate(n=Count("id")))),
            "Branch's Meta.ordering (case, id) made Django join cases_case into the GROUP BY query",
        ),
        Diagnosis(
            f"an exact count of the decided branches ({decided_rows:,})",
            median(lambda: own.filter(status__in=DECIDED_BRANCH_STATUSES).order_by().count()),
            "what the cap avoids; it grows with every decision",
        ),
        Diagnosis("decided tab, first page (`decided_page`)", median(lambda: decided_page(decided, size=50))),
    ]
    if deep is not None:
        rows += [
            Diagnosis(
                f"decided tab, the page after row {depth:,}, by keyset (`decided_page(before=...)`)",
                median(lambda: decided_page(decided, size=50, before=deep)),
            ),
            Diagnosis(
                f"the same rows by OFFSET {depth + 1:,} (the API's `offset`)",
                median(lambda: list(decided[depth + 1 : depth + 51])),
                "OFFSET reads and drops every row before the page",
            ),
        ]
    rows += [request(path) for path in PATHS.values()]
    connection.close()
    return rows


# ---------------------------------------------------------------- measuring


@dataclass
class Latencies:
    label: str
    mode: str  # "sequential" or "N concurrent"
    times_ms: list[float]
    wall: float
    cpu: ct.CpuUse | None = None

    def p(self, share: float) -> float:
        return ct.percentile(self.times_ms, share)

    @property
    def rps(self) -> float:
        return len(self.times_ms) / self.wall

    def cpu_ms(self, seconds: float) -> float:
        return seconds * 1000 / len(self.times_ms)


def expect_200(session: ct.Session, path: str) -> float:
    response = session.request("GET", path)
    if response.status != 200:
        raise BenchmarkInvalid(f"GET {path} answered {response.status}: {response.body[:500]!r}")
    return response.elapsed * 1000


def sequential(
    session: ct.Session, label: str, warmup: int, count: int, server: ct.Server, sampler: ct.PostgresSampler
) -> Latencies:
    path = PATHS[label]
    for _ in range(warmup):
        expect_200(session, path)
    before = ct.CpuSample.take(server, sampler)
    started = time.monotonic()
    times = [expect_200(session, path) for _ in range(count)]
    wall = time.monotonic() - started
    return Latencies(
        label, "sequential", times, wall, ct.CpuUse.between(before, ct.CpuSample.take(server, sampler))
    )


def concurrent(
    sessions: list[ct.Session], label: str, count: int, server: ct.Server, sampler: ct.PostgresSampler
) -> Latencies:
    """`count` requests in all from every session at once, each session its own thread."""
    path = PATHS[label]
    times: list[float] = []
    failures: list[BaseException] = []
    share = [count // len(sessions) + (1 if n < count % len(sessions) else 0) for n in range(len(sessions))]

    def client(session: ct.Session, requests: int) -> None:
        try:
            for _ in range(requests):
                times.append(expect_200(session, path))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(s, n)) for s, n in zip(sessions, share, strict=True)]
    before = ct.CpuSample.take(server, sampler)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    wall = time.monotonic() - started
    after = ct.CpuSample.take(server, sampler)
    if failures or any(t.is_alive() for t in threads):
        raise BenchmarkInvalid(f"concurrent {label}: {failures[:1] or 'timed out'}")
    return Latencies(label, f"{len(sessions)} concurrent", times, wall, ct.CpuUse.between(before, after))


# ---------------------------------------------------------------- report


REPORT_INTRO = """# Reviewer queue latency at 100,000 cases

What it measures: how long a department reviewer waits for his queue (`GET /api/v1/review/queue`,
the JSON the pages and integrations use, and the page `GET /review/`) when the database holds
100,000 cases with their branches, served by gunicorn on PostgreSQL. The goal on the 2-core
development machine: **p95 < 100 ms** for one reviewer's requests, at 100,000 cases.

The queue is one department's open branches (waiting, pending, paused), most urgent (earliest due
date) first, 50 to a page, each with its case's number and holder; its tabs show how many branches
each status has, and a decided tab lists the department's decisions, newest first.
`reviewer_queue` in `onewindow/approvals/selectors.py` reads only the fields a row shows (not the
case's plan snapshot, form and answers) in the order of two partial indexes, so that a page stops
after its 50 rows: `approvals_open_queue_idx` on (department, due_on, id, status) for the open
branches and `approvals_decided_idx` on (department, decided_at desc, id desc) for the decided
ones. `queue_counts` counts the open statuses exactly from the first index alone and the decided
branches only up to 1,001 from the second (the page then shows "1000+"); the page's decided tab
goes from page to page by keyset (`decided_page`), not OFFSET. The plans below show the indexes in
use.

How to run it and how it works: [benchmarks/README.md](../../benchmarks/README.md). The results
below are written by `benchmarks/queue_latency.py`; re-running it replaces the section of the
database it ran on.
"""


def render(
    args: argparse.Namespace,
    database: bench.Database,
    facts: list[tuple[str, str]],
    command: str,
    data: Dataset,
    runs: list[Latencies],
    plans: dict[str, str],
    diagnosis: list[Diagnosis],
    goal_met: bool,
    reviewer: str,
) -> str:
    lines = [
        *bench.section_head(database.label, facts, command),
        f"Server: `{ct.shown_gunicorn_command(args.workers)}`.",
        "",
        f"Data: {sum(data.cases.values()):,} cases and {sum(data.branches.values()):,} branches, written with"
        f" COPY in {data.seconds:.0f} s (each case with a real {data.plan_bytes:,}-byte plan snapshot; no"
        " timeline events, which the queue does not read).",
        "",
        "| case status | cases |",
        "|---|---:|",
        *(f"| {status} | {n:,} |" for status, n in data.cases.most_common()),
        "",
        "| branch status | branches |",
        "|---|---:|",
        *(f"| {status} | {n:,} |" for status, n in data.branches.most_common()),
        "",
        "Open branches (waiting, pending, paused) per department: "
        + ", ".join(f"{code} {n:,}" for code, n in data.open_by_department.items())
        + f". The sequential runs are as `{reviewer}`"
        f" ({next(c for c, u in data.reviewers.items() if u == reviewer)}, the largest queue);"
        f" the concurrent ones as the reviewers of {args.clients} departments at once.",
        "",
        f"Each sequential run follows {args.warmup} unrecorded requests; latency is measured by the client"
        " from connect to the last byte (gunicorn's sync workers close the connection after each response).",
        "",
        "| endpoint | clients | requests | p50 ms | p95 ms | p99 ms | max ms | req/s | gunicorn CPU ms/request"
        " | PostgreSQL CPU ms/request | CPU: other processes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        cpu = run.cpu
        shares = (
            f" {run.cpu_ms(cpu.server):.1f} | {run.cpu_ms(cpu.postgres):.1f} | {cpu.other / cpu.total:.0%} |"
            if cpu
            else " | | |"
        )
        lines.append(
            f"| `{run.label}` | {run.mode} | {len(run.times_ms)} | {run.p(0.5):.1f} | **{run.p(0.95):.1f}** |"
            f" {run.p(0.99):.1f} | {max(run.times_ms):.1f} | {run.rps:.0f} |{shares}"
        )
    lines += [
        "",
        "*CPU ms/request*: the CPU time gunicorn (master and workers) and this database's PostgreSQL"
        " backends used during the run, divided by the requests: what one request costs, which other work"
        " on the machine hardly changes. *Other processes*: the share of the machine's CPU (2 CPUs = 100%)"
        " that everything but this benchmark's gunicorn, its PostgreSQL backends and its client used"
        f" during the run: other work on a shared machine, which lengthens every latency. Before the"
        f" sequential and again before the concurrent runs the script waited up to {args.quiet_wait:g} s"
        f" for other processes to use at most {args.max_other_cpu:.0%}.",
        "",
    ]
    lines += [
        f"Where a request's time goes: each read the queue makes, timed in the benchmark process (Django's"
        f' ORM on the same database, no HTTP), median of 30, as `{reviewer}`; the rows marked "as before"'
        " time the form the code used before, and the last rows whole requests through Django's handler"
        " (every middleware, no HTTP, no gunicorn) with their SQL queries:",
        "",
        "| read | median ms | note |",
        "|---|---:|---|",
        *(f"| {d.label} | {d.median_ms:.1f} | {d.note} |" for d in diagnosis),
        "",
    ]
    for label, plan in plans.items():
        lines += [f"{label}:", "", "```", plan, "```", ""]
    sequential_p95 = {r.label: r.p(0.95) for r in runs if r.mode == "sequential"}
    verdict = "holds" if goal_met else "is missed"
    lines.append(
        f"**The goal {verdict}** on {database.label} at {sum(data.cases.values()):,} cases: sequential p95 "
        + ", ".join(f"`{label}` {sequential_p95[label]:.1f} ms" for label in GATED)
        + f" (goal < {args.goal_ms:g} ms)."
    )
    concurrent_runs = [r for r in runs if r.mode != "sequential" and r.label in GATED]
    if concurrent_runs:
        lines[-1] += (
            f" With {args.clients} reviewers at once on {args.workers} workers, p95 is "
            + ", ".join(f"`{r.label}` {r.p(0.95):.1f} ms" for r in concurrent_runs)
            + f" ({'also' if all(r.p(0.95) < args.goal_ms for r in concurrent_runs) else 'not'} under the goal;"
            " requests queue for a free worker)."
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=ct.DEFAULT_SERVER,
        help=f"the PostgreSQL server; a throwaway database is created on it and dropped afterwards ({ct.DEFAULT_SERVER})",
    )
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the database (100000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument(
        "--requests", type=int, default=500, help="recorded requests per endpoint and mode (500)"
    )
    parser.add_argument(
        "--warmup", type=int, default=50, help="unrecorded requests before each sequential run (50)"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent reviewers, of different departments (8)"
    )
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.15,
        help="before measuring, wait until other processes use at most this share of the CPU (0.15)",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=300, help="seconds to wait at most for that (300)"
    )
    parser.add_argument("--goal-ms", type=float, default=100, help="p95 goal in milliseconds (100)")
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite docs/benchmarks/queue-latency.md"
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.requests < 1 or args.clients < 1 or args.workers < 1 or args.warmup < 0:
        parser.error("--cases, --requests, --clients and --workers must be positive, --warmup at least 0")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = bench.display_command("benchmarks/queue_latency.py", argv)
    load_before = bench.load_average()
    try:
        with bench.trapped() as cleanup:
            tmp = Path(tempfile.mkdtemp(prefix="onewindow-queue-"))
            cleanup.push(f"remove {tmp}", lambda: shutil.rmtree(tmp, ignore_errors=True))
            database = bench.postgres_database(args.database_url, cleanup)
            print(f"database: {database.version} ({bench.redact(database.url)})", flush=True)
            env = ct.bench_env(tmp, database)
            ct.migrate_and_seed(env)
            ct.django_setup(env)
            from django.db import connections

            # This process's own connection must not hold the database when it is dropped.
            cleanup.push("close Django's connections", connections.close_all)
            print(f"writing {args.cases:,} cases", flush=True)
            data = dataset_create(args.cases)
            print(
                f"  {sum(data.cases.values()):,} cases, {sum(data.branches.values()):,} branches in {data.seconds:.0f} s;"
                f" open branches per department: {data.open_by_department}",
                flush=True,
            )
            facts = ct.machine_facts(database, load_before)
            largest = max(data.open_by_department, key=lambda code: data.open_by_department[code])
            reviewer = data.reviewers[largest]
            plans = {
                f"EXPLAIN (ANALYZE, BUFFERS) of the queue query (`reviewer_queue`, first page) for {reviewer}": explain(
                    reviewer
                ),
                f"The same for the decided tab (`status=decided`, not held to the goal), {reviewer}": explain(
                    reviewer, "decided"
                ),
                f"The page's per-tab counts (`queue_counts`: the open statuses, then the decided ones up to 1,001), {reviewer}": explain_counts(
                    reviewer
                ),
            }
            diagnosis = diagnose(reviewer)
            for row in diagnosis:
                print(f"  {row.median_ms:8.1f} ms  {row.label}", flush=True)
            for title, plan in plans.items():
                print(f"{title}:\n{plan}\n", flush=True)
            for plan, index in zip(plans.values(), INDEXES, strict=True):
                if index not in plan:
                    print(f"WARNING: a plan does not use {index}", flush=True)
            connections.close_all()
            server = ct.start_server(env, args.workers, tmp, cleanup)
            print(f"gunicorn on 127.0.0.1:{server.port}, {args.workers} sync workers", flush=True)
            by_size = sorted(data.open_by_department, key=lambda code: -data.open_by_department[code])
            names = [reviewer] + [data.reviewers[c] for c in by_size if data.reviewers[c] != reviewer]
            sessions = ct.log_in_all(server.port, names[: max(1, args.clients)])
            runs: list[Latencies] = []
            with ct.PostgresSampler(database.url, database.url.rsplit("/", 1)[-1]) as sampler:
                busy = bench.wait_for_quiet(args.max_other_cpu, args.quiet_wait)
                print(f"other processes use {busy:.0%} of the CPU", flush=True)
                for label in PATHS:
                    run = sequential(sessions[reviewer], label, args.warmup, args.requests, server, sampler)
                    runs.append(run)
                    print_run(run)
                busy = bench.wait_for_quiet(args.max_other_cpu, args.quiet_wait)
                print(f"other processes use {busy:.0%} of the CPU", flush=True)
                for label in PATHS:
                    run = concurrent(list(sessions.values()), label, args.requests, server, sampler)
                    runs.append(run)
                    print_run(run)
            server.check_alive()
    except BenchmarkInvalid as exc:
        print(f"\nINVALID RUN: {exc}", file=sys.stderr)
        return 2

    goal_met = all(r.p(0.95) < args.goal_ms for r in runs if r.mode == "sequential" and r.label in GATED)
    print(
        f"\n{database.label}: goal (sequential p95 < {args.goal_ms:g} ms) {'met' if goal_met else 'MISSED'}"
    )
    if not args.no_report:
        template = bench.report_template(REPORT_INTRO, (database.label,))
        section = render(args, database, facts, command, data, runs, plans, diagnosis, goal_met, reviewer)
        bench.write_section(REPORT, template, database.label, section)
        print(f"wrote {REPORT} ({database.label} section)")
    return 0 if goal_met else 1


def print_run(run: Latencies) -> None:
    cpu = run.cpu
    print(
        f"{run.label:<42} {run.mode:<13} n={len(run.times_ms):4d} p50 {run.p(0.5):6.1f} p95 {run.p(0.95):6.1f}"
        f" p99 {run.p(0.99):6.1f} max {max(run.times_ms):6.1f} ms  {run.rps:5.0f} req/s"
        + (
            f"  CPU ms/request: gunicorn {run.cpu_ms(cpu.server):.1f}, PostgreSQL {run.cpu_ms(cpu.postgres):.1f};"
            f" other processes {cpu.other / cpu.total:.0%}"
            if cpu
            else ""
        ),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
