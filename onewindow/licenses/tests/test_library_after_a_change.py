"""After a change the e-licence library holds only the new version as 01 有效: the version it replaced
is marked 05 失效, so no other service takes the outdated licence from the library."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from onewindow.accounts.models import User
from onewindow.integrations.elicense.models import LibraryLicence
from onewindow.licenses import services
from onewindow.licenses.models import ComprehensiveLicense, LibraryPush, LicenceStatus

pytestmark = pytest.mark.django_db


def library_status(*licences: ComprehensiveLicense) -> list[str]:
    stored = dict(
        LibraryLicence.objects.filter(
            identifier__in=[licence.identifier for licence in licences]
        ).values_list("identifier", "status")
    )
    return [stored[licence.identifier] for licence in licences]


def changed(licence: ComprehensiveLicense, issuer: User) -> ComprehensiveLicense:
    return services.licence_change(
        licence_id=licence.pk, actor=issuer, address="天门市竟陵街道陆羽大道西99号", note="经营场所变更"
    )


def test_a_change_marks_the_old_version_invalid_in_the_elicence_library(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    new = changed(issued, issuer)
    services.pushes_retry()

    assert not LibraryPush.objects.filter(status=LibraryPush.Status.PENDING).exists()
    assert library_status(issued, new) == [LibraryLicence.Status.INVALID, LibraryLicence.Status.VALID]
    push = LibraryPush.objects.get(licence=issued, operation=LibraryPush.Operation.SUPERSEDE)
    assert push.payload["status"] == "05"
    assert push.payload["superseded_by"] == new.identifier
    # Sent after the new version's push, so the library never lacks a valid version.
    assert push.pk > LibraryPush.objects.get(licence=new, operation=LibraryPush.Operation.CHANGE).pk


def test_revoking_the_new_version_leaves_no_version_valid_in_the_library(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    new = changed(issued, issuer)
    services.licence_end(licence_id=new.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="违法经营")
    services.pushes_retry()

    assert library_status(issued, new) == [LibraryLicence.Status.INVALID, LibraryLicence.Status.REVOKED]


def test_versions_changed_before_the_upgrade_are_queued_to_be_marked_invalid(
    issued: ComprehensiveLicense, issuer: User
) -> None:
    new = changed(issued, issuer)
    LibraryPush.objects.filter(operation=LibraryPush.Operation.SUPERSEDE).delete()  # as before the upgrade
    services.pushes_retry()
    assert library_status(issued) == [LibraryLicence.Status.VALID]

    migration = import_module("onewindow.licenses.migrations.0004_queue_supersede_pushes")
    migration.superseded_versions_pushed_invalid(apps, None)
    migration.superseded_versions_pushed_invalid(apps, None)  # run twice: queued once
    services.pushes_retry()

    push = LibraryPush.objects.get(licence=issued, operation=LibraryPush.Operation.SUPERSEDE)
    assert push.payload["superseded_by"] == new.identifier
    assert library_status(issued, new) == [LibraryLicence.Status.INVALID, LibraryLicence.Status.VALID]
