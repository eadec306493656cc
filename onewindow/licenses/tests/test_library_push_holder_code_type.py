"""GB/T 36903 holder code types in the pushes to the e-licence library: 001 for an enterprise's
credit code, 111 for a person's ID number, as the licence page and the API show them."""

from __future__ import annotations

import pytest

from onewindow.accounts.models import User
from onewindow.integrations.elicense.models import LibraryLicence
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense, LibraryPush, LicenceStatus

pytestmark = pytest.mark.django_db

PERSON_ID = "34052419800101001X"


def test_a_licence_held_by_a_person_is_pushed_with_the_id_number_code_type(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    ComprehensiveLicense.objects.filter(pk=issued.pk).update(
        holder_name="王小明", holder_code=PERSON_ID, legal_representative="王小明"
    )
    services.licence_end(
        licence_id=issued.pk, actor=issuer, status=LicenceStatus.CANCELLED, reason="申请注销"
    )
    services.pushes_retry()

    push = LibraryPush.objects.get(licence=issued, operation=LibraryPush.Operation.CANCEL)
    assert push.payload["holder_code"] == PERSON_ID
    assert push.payload["holder_code_type"] == "111"
    assert LibraryLicence.objects.get(identifier=issued.identifier).holder_code_type == "111"


def test_a_licence_held_by_an_enterprise_is_pushed_with_the_credit_code_type(
    issued: ComprehensiveLicense,
) -> None:
    push = LibraryPush.objects.get(licence=issued, operation=LibraryPush.Operation.ISSUE)

    assert push.payload["holder_code"] == issued.holder_code
    assert push.payload["holder_code_type"] == "001"
