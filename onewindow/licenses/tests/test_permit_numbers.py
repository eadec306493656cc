"""Permit numbers follow the department's rule: one sequence per department and year."""

from __future__ import annotations

import pytest
from django.db import transaction

from onewindow.catalog.models import Department
from onewindow.licenses.services import permit_number_next


@pytest.mark.django_db
def test_numbers_count_on_per_department_and_year() -> None:
    health, fire = Department.objects.filter(code__in=["429006-wj", "429006-xf"]).order_by("code")
    with transaction.atomic():
        first = permit_number_next(fire, 2031)
        second = permit_number_next(fire, 2031)
        other = permit_number_next(health, 2031)
        next_year = permit_number_next(fire, 2032)

    fmt = fire.permit_number_format
    assert first == fmt.format(short=fire.short_name, code=fire.code, year=2031, seq=1)
    assert second == fmt.format(short=fire.short_name, code=fire.code, year=2031, seq=2)
    assert other == health.permit_number_format.format(
        short=health.short_name, code=health.code, year=2031, seq=1
    )
    assert next_year == fmt.format(short=fire.short_name, code=fire.code, year=2032, seq=1)
