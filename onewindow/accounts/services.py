"""Writes to accounts: sign-in throttling and the demo cast."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.accounts.models import LoginThrottle, Role, User
from onewindow.catalog.models import Department
from onewindow.centers.models import ServiceCenter

DEMO_PASSWORD = "OneWindow-2026"
# Rows of expired counts removed after one failed sign-in: enough to keep up with any flood of
# failures, small enough that a sign-in never waits on a long delete.
THROTTLE_PURGE_BATCH = 500

logger = logging.getLogger(__name__)


def _username_key(username: str) -> str:
    return username.strip().lower()


def _pair_key(username: str, address: str) -> str:
    return f"pair:{_username_key(username)}|{address}"[:200]


def _throttle_limits(username: str, address: str) -> dict[str, int]:
    """The counters one failed sign-in adds to, with the failures each allows before a lock.

    The tight limit is on the username from this address only: a lock on the username alone, at five,
    would let anyone lock anyone out. The username's own limit is for guessing spread over many
    addresses, the address's for one address trying many usernames.
    """
    name = _username_key(username)
    limits = {
        _pair_key(username, address): settings.LOGIN_MAX_FAILURES,
        f"user:{name}"[:200]: settings.LOGIN_MAX_FAILURES_PER_USERNAME,
    }
    if address:
        limits[f"ip:{address}"[:200]] = settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    return limits


def login_locked_until(*, username: str, address: str) -> datetime | None:
    """When the last lock on this username, this address or the two together ends, or None when
    sign-in may be tried."""
    now = timezone.now()
    locks = LoginThrottle.objects.filter(
        key__in=list(_throttle_limits(username, address)), locked_until__gt=now
    )
    return max((t.locked_until for t in locks if t.locked_until), default=None)


def login_failure_record(*, username: str, address: str) -> None:
    """Count a failed sign-in against its username, address and the two together; then forget counts
    that have run out, so the table holds only the last lock period's failures however many
    addresses have tried."""
    _failure_count(username=username, address=address)
    login_throttles_purge()


@transaction.atomic
def _failure_count(*, username: str, address: str) -> None:
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    for key, limit in _throttle_limits(username, address).items():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(key=key)
        # A count starts afresh when its lock is over, or when its first failure is older than a
        # lock lasts, so an office's occasional mistypes never add up to a lock.
        if throttle.locked_until is not None:
            stale = throttle.locked_until <= now
        else:
            stale = throttle.window_started_at <= now - window
        if stale:
            throttle.failures = 1
            throttle.window_started_at = now
            throttle.locked_until = None
        else:
            throttle.failures = F("failures") + 1
        throttle.save(update_fields=["failures", "window_started_at", "locked_until", "updated_at"])
        throttle.refresh_from_db(fields=["failures"])
        if throttle.failures >= limit:
            throttle.locked_until = now + window
            throttle.save(update_fields=["locked_until", "updated_at"])


def login_throttles_purge(*, now: datetime | None = None, batch: int = THROTTLE_PURGE_BATCH) -> int:
    """Delete counts no longer able to lock anyone, up to `batch` of them; returns how many went.

    A row untouched for a whole lock period is spent: its lock has ended or its count would start
    afresh at the next failure. Rows another sign-in is counting right now are passed over, not
    waited for, and a failure here is logged, never shown: the sign-in's own count is already saved.
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    try:
        with transaction.atomic():
            spent = (
                LoginThrottle.objects.select_for_update(skip_locked=True)
                .filter(updated_at__lt=cutoff)
                .order_by("updated_at")
                .values_list("pk", flat=True)[:batch]
            )
            deleted, _by_model = LoginThrottle.objects.filter(pk__in=list(spent)).delete()
    except DatabaseError:
        logger.exception("could not purge spent sign-in counts")
        return 0
    return deleted


def login_success_record(*, username: str, address: str) -> None:
    """Forget the failures of this username from this address only.

    The address's count and the username's stay until they expire: otherwise a guesser could wipe
    his address's count by signing in to an account of his own now and then.
    """
    LoginThrottle.objects.filter(key=_pair_key(username, address)).delete()


def login_throttle_clear(*, username: str) -> None:
    """Forget this username's failures and locks from every address, after its holder proved who he
    is another way."""
    name = _username_key(username)
    LoginThrottle.objects.filter(Q(key=f"user:{name}"[:200]) | Q(key__startswith=f"pair:{name}|")).delete()


# One user per role; staff are placed in the hotel bundle's lead departments and the city centre.
DEMO_USERS: list[dict[str, str]] = [
    {"username": "admin", "role": Role.ADMIN, "display_name": "系统管理员"},
    {"username": "applicant", "role": Role.APPLICANT, "display_name": "张三（天门市悦来宾馆有限公司）"},
    {"username": "clerk", "role": Role.CLERK, "display_name": "李敏（综合窗口）", "center": "429006"},
    {
        "username": "reviewer",
        "role": Role.REVIEWER,
        "display_name": "王强（公安局治安大队）",
        "department": "429006-ga",
    },
    {
        "username": "reviewer_fire",
        "role": Role.REVIEWER,
        "display_name": "赵磊（消防救援大队）",
        "department": "429006-xf",
    },
    {
        "username": "inspector",
        "role": Role.INSPECTOR,
        "display_name": "陈刚（公安局核查员）",
        "department": "429006-ga",
    },
    # One inspector for each other department whose items need a site check, so that a joint
    # inspection of a hotel case can be scheduled and walked through in the demo.
    *(
        {"username": username, "role": Role.INSPECTOR, "display_name": name, "department": department}
        for username, name, department in (
            ("inspector_fire", "刘洋（消防救援大队监督员）", "429006-xf"),
            ("inspector_health", "黄敏（卫健委卫生监督员）", "429006-wj"),
            ("inspector_market", "何军（市场监管局核查员）", "429006-scjg"),
            ("inspector_tobacco", "马丽（烟草专卖局稽查员）", "429006-yc"),
            ("inspector_sports", "高翔（体育局执法员）", "429006-ty"),
            ("inspector_culture", "罗静（文旅局执法员）", "429006-wl"),
        )
    ),
    {"username": "issuer", "role": Role.ISSUER, "display_name": "周芳（综合审批科）", "center": "429006"},
    {"username": "agent", "role": Role.AGENT, "display_name": "孙丽（云端导办）"},
    {
        "username": "centre_admin",
        "role": Role.CENTRE_ADMIN,
        "display_name": "吴洁（岳口镇便民服务中心）",
        "center": "429006107",
    },
    {"username": "supervisor", "role": Role.SUPERVISOR, "display_name": "郑华（督查室）"},
]


@transaction.atomic
def demo_users_create(*, password: str = DEMO_PASSWORD) -> list[User]:
    users = []
    for spec in DEMO_USERS:
        department = Department.objects.filter(code=spec.get("department", "")).first()
        center = ServiceCenter.objects.filter(code=spec.get("center", "")).first()
        user, created = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "role": spec["role"],
                "display_name": spec["display_name"],
                "department": department,
                "service_center": center,
                "is_staff": spec["role"] == Role.ADMIN,
                "is_superuser": spec["role"] == Role.ADMIN,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])
        users.append(user)
    return users
