"""Killing the server during submissions loses no submission it answered 2xx (benchmarks/kill_during_submissions.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "kill_during_submissions.py"
# The script's own bound: it builds and seeds its database, prepares the drafts, runs two servers.
TIMEOUT_SECONDS = 180


def test_every_submission_answered_2xx_survives_sigkill(tmp_path: Path) -> None:
    """40 drafts, 8 clients, SIGKILL to gunicorn's process group after 20 answers, SQLite in tmp_path.

    The script builds its own database file (it does not use the test database), checks every 2xx
    submission afterwards, runs `onewindow audit verify`, retries the unanswered ones with their keys
    after a restart, and exits 0 only if all of that holds.
    """
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--cases",
            "40",
            "--clients",
            "8",
            "--kill-after",
            "20",
            "--work-dir",
            str(tmp_path / "work"),
            "--no-report",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    verdict = re.search(r"SQLite: VERIFIED: (\d+) of (\d+) submissions answered 2xx were intact", output)
    assert verdict is not None, output
    assert verdict.group(1) == verdict.group(2), output
    assert int(verdict.group(2)) >= 20, output
