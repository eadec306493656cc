"""A case's timeline still verifies after a JSON backup is restored (dumpdata/loaddata), and an event's
data hashes as the database gives it back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.selectors import audit_verify
from onewindow.cases.services import case_accept, event_append
from onewindow.lib.hashchain import GENESIS, canonical_json, chain_hash, normalize_payload

pytestmark = pytest.mark.django_db


def test_the_timeline_verifies_after_a_json_dump_and_load(
    submitted: Case, clerk: User, tmp_path: Path
) -> None:
    case = case_accept(case=submitted, clerk=clerk)
    assert audit_verify([case.pk]) == (1, [])
    out = io.StringIO()
    call_command("dumpdata", "cases.CaseEvent", format="json", stdout=out)
    dump = tmp_path / "events.json"
    dump.write_text(out.getvalue(), encoding="utf-8")
    CaseEvent.objects.filter(case=case).delete()

    call_command("loaddata", str(dump), verbosity=0)

    assert CaseEvent.objects.filter(case=case).count() == case.last_event_seq
    assert audit_verify([case.pk]) == (1, [])


def test_event_times_are_kept_to_the_millisecond(submitted: Case) -> None:
    """What Django's JSON dump writes of a time: a restored row has the time it was hashed with."""
    assert all(event.at.microsecond % 1000 == 0 for event in CaseEvent.objects.filter(case=submitted))


def test_numbers_in_event_data_hash_as_the_database_gives_them_back(submitted: Case) -> None:
    """PostgreSQL's jsonb gives 1e20 back as 100000000000000000000 and -0.0 as 0.0."""
    with transaction.atomic():
        event_append(
            case=Case.objects.select_for_update().get(pk=submitted.pk),
            actor=None,
            action="renewal_reminded",
            data={"big": 1e20, "zero": -0.0, "nested": [{"small": -3e17}], "plain": 1.5},
        )

    stored = CaseEvent.objects.get(case=submitted, action="renewal_reminded")
    # Compared as text: 1e20 == 10**20 in Python, but not in the hashed JSON.
    assert canonical_json(stored.data) == (
        '{"big":100000000000000000000,"nested":[{"small":-300000000000000000}],"plain":1.5,"zero":0.0}'
    )
    assert audit_verify([submitted.pk]) == (1, [])


def test_a_normalised_payload_hashes_like_what_a_json_column_reads_back() -> None:
    payload = normalize_payload({"big": 1e20, "zero": -0.0, "text": "受理"})
    read_back = {"big": 100000000000000000000, "zero": 0.0, "text": "受理"}
    assert chain_hash(GENESIS, payload) == chain_hash(GENESIS, read_back)
