"""Any email address an account may have fits in the outbox: notifying its owner never fails for its length."""

from __future__ import annotations

import pytest

from onewindow.accounts.models import User
from onewindow.notifications.models import OutboundMessage
from onewindow.notifications.services import notify_user

pytestmark = pytest.mark.django_db


def test_an_applicant_with_the_longest_email_address_gets_the_email(alice: User) -> None:
    longest = User._meta.get_field("email").max_length
    assert longest
    domain = ".".join(["b" * 61] * 3) + ".com"  # labels of at most 63 characters
    alice.email = f"{'a' * (longest - len(domain) - 1)}@{domain}"
    assert len(alice.email) == longest
    alice.full_clean(exclude=["password"])
    alice.save(update_fields=["email"])

    notify_user(user=alice, title="办件已受理", body="您的办件已受理。")

    email = OutboundMessage.objects.get(channel=OutboundMessage.Channel.EMAIL)
    assert email.recipient == alice.email
    email.full_clean()
