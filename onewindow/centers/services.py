"""Writes to service centres: the municipal centre and one hall per township."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from onewindow.catalog.models import Region
from onewindow.centers.models import ServiceCenter


@transaction.atomic
def centers_seed(*, city_code: str = "429006") -> int:
    """One municipal centre for the city and one hall per township-level unit."""
    city = Region.objects.get(code=city_code)
    ServiceCenter.objects.update_or_create(
        code=city_code,
        defaults={
            "name": settings.CENTRE_NAME,
            "kind": ServiceCenter.Kind.MUNICIPAL,
            "region": city,
            "address": "天门市竟陵街道西湖路政务服务中心",
            "phone": "0728-12345",
            "office_hours": "工作日 8:30—12:00，14:30—17:30",
        },
    )
    townships = list(city.children.filter(level=Region.Level.TOWNSHIP))
    for township in townships:
        ServiceCenter.objects.update_or_create(
            code=township.code,
            defaults={
                "name": f"{township.name}便民服务中心",
                "kind": ServiceCenter.Kind.TOWNSHIP,
                "region": township,
                "office_hours": "工作日 8:30—12:00，14:30—17:30",
            },
        )
    return 1 + len(townships)
