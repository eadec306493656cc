"""The local library keeps a licence that ended (吊销, 注销, 失效) ended when an earlier push, retried
after an outage, arrives late and says 01 有效."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.integrations.elicense.local import LocalLibrary
from onewindow.integrations.elicense.models import LibraryLicence, LibraryRequest

pytestmark = pytest.mark.django_db

IDENTIFIER = "1142900600001.11429006MB1950012M.000123.001.X"


def payload(status: str) -> dict[str, Any]:
    return {
        "identifier": IDENTIFIER,
        "licence_type": "旅馆业综合许可证",
        "licence_number": "HOT202600001",
        "holder_name": "天门市悦来宾馆有限公司",
        "holder_code": "91429006MA4F0YX61B",
        "holder_code_type": "001",
        "issuer": "天门市行政审批局",
        "issued_on": "2026-03-02",
        "valid_from": "2026-03-02",
        "valid_until": None,
        "version": 1,
        "status": status,
    }


@pytest.mark.parametrize(("operation", "status"), [("supersede", "05"), ("revoke", "03"), ("cancel", "04")])
def test_an_issue_arriving_after_the_licence_ended_does_not_make_it_valid_again(
    operation: str, status: str
) -> None:
    library = LocalLibrary()
    library.push(key=f"{IDENTIFIER}:{operation}", operation=operation, licence=payload(status))
    library.push(key=f"{IDENTIFIER}:issue", operation="issue", licence=payload("01"))

    assert LibraryLicence.objects.get(identifier=IDENTIFIER).status == status
    assert LibraryRequest.objects.filter(identifier=IDENTIFIER).count() == 2


def test_pushes_in_order_end_with_the_last_status() -> None:
    library = LocalLibrary()
    library.push(key=f"{IDENTIFIER}:issue", operation="issue", licence=payload("01"))
    library.push(key=f"{IDENTIFIER}:supersede", operation="supersede", licence=payload("05"))

    assert LibraryLicence.objects.get(identifier=IDENTIFIER).status == LibraryLicence.Status.INVALID
