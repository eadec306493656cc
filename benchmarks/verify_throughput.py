"""Throughput of the public licence verification API against a bare Django JSON view.

Both are served by the same gunicorn (2 sync workers) in the same run, on a fresh SQLite database
seeded with the demo (which issues signed licences). The goal: verification at >= 60% of the bare
view. Writes docs/benchmarks/verify-throughput.md.

    .venv/bin/python benchmarks/verify_throughput.py [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plan_throughput import (
    BARE_PATH,
    ROOT,
    VENV_BIN,
    BenchmarkInvalid,
    Endpoint,
    django_env,
    machine_facts,
    run_wrk,
    sqlite_database,
    start_server,
    trapped,
)

REPORT = ROOT / "docs" / "benchmarks" / "verify-throughput.md"
GOAL = 0.6


def seed(env: dict[str, str]) -> str:
    """Migrate, seed the demo (issued licences) and return one valid licence's identifier."""
    onewindow = str(VENV_BIN / "onewindow")
    for command in (["migrate", "--no-input"], ["seed", "--demo"]):
        subprocess.run([onewindow, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=900)
    script = (
        "from onewindow.licenses.models import ComprehensiveLicense as L;"
        "print(L.objects.filter(status='valid').values_list('identifier', flat=True).first())"
    )
    out = subprocess.run(
        [onewindow, "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    identifier = out.stdout.strip().splitlines()[-1]
    if not identifier or identifier == "None":
        raise BenchmarkInvalid("the demo seed issued no valid licence")
    return identifier


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with trapped() as cleanup, tempfile.TemporaryDirectory(prefix="ow-verify-") as tmp_name:
        tmp = Path(tmp_name)
        database = sqlite_database(tmp)
        env = django_env(tmp, database)
        env["VERIFY_RATE_LIMIT_PER_MINUTE"] = "0"  # the limit would turn load into 429s
        identifier = seed(env)
        server, command = start_server(env, args.workers, tmp, cleanup)
        bare = Endpoint("bare", "bare view", "GET", BARE_PATH)
        verify = Endpoint("verify", "verification API", "GET", f"/api/v1/licences/verify?q={identifier}")
        server.expect_200("GET", verify.path)
        rows = []
        for round_number in range(1, args.rounds + 1):
            run_wrk(args, server, bare, 2)
            bare_run = run_wrk(args, server, bare, args.duration)
            run_wrk(args, server, verify, 2)
            verify_run = run_wrk(args, server, verify, args.duration)
            rows.append((round_number, bare_run, verify_run))
            print(f"round {round_number}: bare {bare_run.rps:.0f} req/s, verify {verify_run.rps:.0f} req/s")
        ratio = statistics.median(v.rps / b.rps for _, b, v in rows)
        facts = machine_facts(database)
    lines = [
        "# Licence verification throughput",
        "",
        "What it measures: requests per second of the public verification API",
        "(`GET /api/v1/licences/verify?q=<identifier>`, one licence with its permits, personal data",
        'masked) against a bare Django view returning `JsonResponse({"ok": True})`, both served by the',
        f"same gunicorn ({args.workers} sync workers) in the same run on SQLite seeded with the demo.",
        f"wrk -t{args.threads} -c{args.connections}, {args.duration} s per endpoint and round after a 2 s warm-up.",
        "The rate limit is switched off for the run (VERIFY_RATE_LIMIT_PER_MINUTE=0).",
        "",
        f"Run on {datetime.now():%Y-%m-%d %H:%M}. Command: `.venv/bin/python benchmarks/verify_throughput.py`",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in facts),
        f"| server | `{' '.join(command)}` |",
        "",
        "| round | bare view req/s | verification req/s | verification / bare | verification p99 ms |",
        "|---:|---:|---:|---:|---:|",
        *(f"| {n} | {b.rps:.0f} | {v.rps:.0f} | {v.rps / b.rps:.1%} | {v.p99_ms:.1f} |" for n, b, v in rows),
        "",
        f"Median ratio: **{ratio:.1%}** — the goal (≥ {GOAL:.0%}) "
        + ("**holds**." if ratio >= GOAL else "**is missed**."),
        "",
        "wrk and the server share the 2-core machine; other load on the machine lowers both figures.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print(f"median ratio {ratio:.1%} (goal {GOAL:.0%}); written to {REPORT.relative_to(ROOT)}")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
