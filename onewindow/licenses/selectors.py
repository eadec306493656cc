"""Reads of licences: public verification and its cache, the issuer's queue, renewals due, time saved."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Sum
from django.db.models.signals import m2m_changed
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import Department, ServiceItem
from onewindow.lib.idcheck import is_valid_uscc, mask_id_number
from onewindow.lib.revision import RevisionCache
from onewindow.licenses.models import ComprehensiveLicense, Delivery, LicenceStatus, Permit

STATE_LABELS = {
    "valid": gettext_lazy("有效"),
    "changed": gettext_lazy("已变更，请以最新版本为准"),
    "revoked": gettext_lazy("已吊销"),
    "cancelled": gettext_lazy("已注销"),
    "expired": gettext_lazy("已过期"),
}
# An old version whose current version has ended: whoever scans the old QR code must learn that the
# holder no longer has a valid licence, not only that there is a newer one.
CHANGED_AND_ENDED_LABELS = {
    "revoked": gettext_lazy("已变更，且最新版本已吊销：该证照已无效"),
    "cancelled": gettext_lazy("已变更，且最新版本已注销：该证照已无效"),
    "expired": gettext_lazy("已变更，且最新版本已过期：该证照已无效"),
}


@dataclass(frozen=True)
class Verification:
    state: str
    label: str
    licence: ComprehensiveLicense
    current: ComprehensiveLicense
    # The current version's state when the one found was changed (superseded), else None.
    current_state: str | None
    holder_name: str
    holder_code: str
    legal_representative: str
    permits: list[dict[str, Any]]

    @property
    def revoked_permits(self) -> int:
        """How many of the licence's permits their departments revoked since it was issued."""
        return sum(1 for permit in self.permits if permit.get("revoked_on"))


def mask_name(name: str) -> str:
    """A person's name shown with only the surname: 张** (enterprise names are public and not masked)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# A year in the brackets people type for the official 〔〕 of a permit number, after NFKC has made
# the full-width （） and ［］ half-width: [2026], (2026), 【2026】, 〖2026〗.
_YEAR_IN_BRACKETS = re.compile(r"[\[(【〖〔]\s*([0-9]{4})\s*[\])】〗〕]")


# Invisible characters a copy from a chat or a PDF brings along, and a pair of brackets around the
# whole query ("(HOT202600002)"), which no stored number has.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_WRAPPED = re.compile(r"^[\[(【〖〔「《<](.*)[\])】〗〕」》>]$")


def _cleaned(typed: str) -> str:
    """The query without invisible characters, full-width forms or brackets around all of it."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", typed)).strip()
    wrapped = _WRAPPED.match(text)
    return wrapped.group(1).strip() if wrapped else text


def _licence_key(typed: str) -> str:
    """An identifier or licence number as stored: half-width, no spaces, Latin letters upper-case."""
    return _SPACES.sub("", _cleaned(typed)).upper()


def _permit_keys(typed: str) -> list[str]:
    """The permit numbers a typed one may stand for, the likeliest first.

    The stored number is what the department's rule or the reviewer wrote: the official 〔〕 by
    default, letters (a department code) in either case. The number as typed comes first, so a
    number stored in some other form is still found when typed exactly.
    """
    official = _YEAR_IN_BRACKETS.sub(r"〔\1〕", _SPACES.sub("", _cleaned(typed)))
    return list(dict.fromkeys([typed, official, official.upper(), official.lower()]))


def _find(query: str) -> ComprehensiveLicense | None:
    typed = query.strip()
    # No identifier, number or token has a NUL character, and PostgreSQL refuses one even in a query.
    if not typed or "\x00" in typed:
        return None
    # The stored values are canonical, so the query is normalised to them and every look-up stays
    # an equality on a unique or indexed column. The QR token is random and case-sensitive: only
    # the token exactly as given finds a licence, or folding case would make guessing one easier.
    key = _licence_key(typed)
    # Verification is public and hot: no join to the case (its plan JSON is large), no ordering.
    licences = ComprehensiveLicense.objects.all()
    found = licences.filter(Q(identifier=key) | Q(verify_token=typed)).order_by().first()
    if found is None:
        found = licences.filter(number=key).order_by("-version").first()
    if found is None:
        candidates = _permit_keys(typed)
        permits = dict(Permit.objects.filter(number__in=candidates).values_list("number", "id"))
        permit_id = next((permits[number] for number in candidates if number in permits), None)
        if permit_id is not None:
            found = licences.filter(permits=permit_id).order_by("-version").first()
    return found


def licence_verify(query: str, *, today: date | None = None) -> Verification | None:
    """Look a licence up by identifier, licence number, permit number or QR token.

    Forgiving as people type: surrounding spaces, full-width characters, the case of an identifier's
    or a licence number's letters and the brackets around a permit number's year do not matter.
    """
    licence = _find(query)
    if licence is None:
        return None
    today = today or timezone.localdate()
    current = licence
    if licence.status == LicenceStatus.SUPERSEDED:
        current = (
            ComprehensiveLicense.objects.filter(number=licence.number).order_by("-version").first() or licence
        )
    state = _state(licence, today)
    label = str(STATE_LABELS[state])
    current_state = None
    if state == "changed":
        current_state = _state(current, today)
        if current_state in CHANGED_AND_ENDED_LABELS:
            label = str(CHANGED_AND_ENDED_LABELS[current_state])
    # Only the columns shown: the item and department rows are wide and this page is public and hot.
    permits = [
        {
            "item": row["item__name"],
            "department": row["department__name"],
            "number": row["number"],
            "valid_from": row["valid_from"],
            "valid_until": row["valid_until"],
            # A permit its department revoked stays on the licence until the issuer changes or
            # revokes the licence: the answer says so, so nobody relies on it meanwhile.
            "revoked_on": row["revoked_on"],
        }
        for row in licence.permits.order_by("id").values(
            "item__name", "department__name", "number", "valid_from", "valid_until", "revoked_on"
        )
    ]
    # An enterprise's name and credit code are public; a person's name and ID number are not.
    enterprise = is_valid_uscc(licence.holder_code)
    return Verification(
        state=state,
        label=label,
        licence=licence,
        current=current,
        current_state=current_state,
        holder_name=licence.holder_name if enterprise else mask_name(licence.holder_name),
        holder_code=licence.holder_code if enterprise else mask_id_number(licence.holder_code),
        legal_representative=mask_name(licence.legal_representative),
        permits=permits,
    )


def _state(licence: ComprehensiveLicense, today: date) -> str:
    if licence.status == LicenceStatus.REVOKED:
        return "revoked"
    if licence.status == LicenceStatus.CANCELLED:
        return "cancelled"
    if licence.status == LicenceStatus.SUPERSEDED:
        return "changed"
    if licence.valid_until is not None and licence.valid_until < today:
        return "expired"
    return "valid"


# ---------------------------------------------------------------- verification cache
#
# Public verification is the hottest request, and on SQLite (a new connection per request)
# merely opening the database costs more than a whole bare Django view. So each process keeps
# the answers of one *licence revision*: a token in a file in DATA_DIR (onewindow.lib.revision),
# replaced after every committed change to a row an answer shows (licences, their permits, and
# the item and department names of the permits; see the receivers below). Every verification
# reads the token first, so a change, a revocation or a cancellation shows at once in every worker
# process on the machine. Several machines need the file on shared storage. Bulk
# ``QuerySet.update()`` sends no signal and must not be used on these models; as a safety net for
# writes made behind the application's back (or a process killed between its commit and the new
# token), a process also drops its answers after GENERATION_SECONDS. "Expired" depends on the
# day, so the day is part of every key; the answers speak the reader's language (the state's label,
# the page's headings), so the language is too.

GENERATION_SECONDS = 60.0
MAX_CACHED_ANSWERS = 1024

# Every model whose rows appear in a verification answer.
VERIFIED_MODELS: tuple[type[Model], ...] = (ComprehensiveLicense, Permit, ServiceItem, Department)

T = TypeVar("T")

# What an answer is kept under: (kind, language, query, day).
_Key = tuple[str, str, str, date]


verification_cache: RevisionCache[_Key, Any] = RevisionCache(
    settings.DATA_DIR / "licences.revision", max_entries=MAX_CACHED_ANSWERS, max_age=GENERATION_SECONDS
)
verification_cache.watch(VERIFIED_MODELS, name="licence-verification")
m2m_changed.connect(
    verification_cache.row_changed,
    sender=ComprehensiveLicense.permits.through,
    weak=False,
    dispatch_uid="licence-verification-permits",
)


def licences_changed() -> None:
    """Start a new revision: every process drops its verification answers at its next request."""
    verification_cache.changed()


def verification_cached(kind: str, query: str, compute: Callable[[date], T | None]) -> T | None:
    """``compute(today)`` for this query, kept by this process until the licence revision changes.

    `kind` tells apart what callers keep for the same query (the API's JSON, the page's HTML). Each
    is kept per active language, since `compute` answers in it. Nothing found is not kept: a typed-in
    query that finds nothing costs a database look-up, which the rate limit bounds, and cannot push
    real licences out of the cache. The query is kept as given, not normalised: a QR token is found
    only in its own case (see _find), so two spellings may have different answers.
    """
    today = timezone.localdate()
    # The revision before the rows (see RevisionCache).
    generation = verification_cache.generation()
    key = (kind, translation.get_language(), query, today)
    answer = generation.lookup(key)
    if answer is None:
        answer = compute(today)
        if answer is not None:
            generation.store(key, answer)
    return cast(T | None, answer)


def issue_queue(issuer: User) -> QuerySet[Case]:
    """Cases of the issuer's centre with every branch approved, waiting for the licence."""
    return (
        Case.objects.filter(service_center_id=issuer.service_center_id, status=CaseStatus.APPROVED)
        .select_related("bundle")
        .order_by("completed_at", "id")
    )


# The delivery tabs of the centre's issued licences: what the window still has to hand over first.
HANDOVER_STATES = ("pickup", "post", "unchosen", "shipped", "done", "all")


def issued_licences(staff: User, *, state: str = "pickup", query: str = "") -> QuerySet[ComprehensiveLicense]:
    """The current licences of the staff member's centre in one delivery state, newest first.

    `pickup`/`post`: waiting at the window or to be posted; `unchosen`: the applicant has not chosen
    yet; `shipped`; `done`: handed over or delivered; `all`. A licence is handed out once,
    whichever version it was chosen on, so the case's delivery counts for its current version too.
    """
    licences = ComprehensiveLicense.objects.filter(
        case__service_center_id=staff.service_center_id, status=LicenceStatus.VALID
    )
    delivered = Delivery.objects.filter(licence__case_id=OuterRef("case_id"))
    if state == "unchosen":
        licences = licences.filter(~Exists(delivered))
    elif state in ("pickup", "post"):
        licences = licences.filter(Exists(delivered.filter(method=state, status=Delivery.Status.WAITING)))
    elif state == "shipped":
        licences = licences.filter(Exists(delivered.filter(status=Delivery.Status.SHIPPED)))
    elif state == "done":
        licences = licences.filter(Exists(delivered.filter(status=Delivery.Status.DONE)))
    query = query.strip()
    if query:
        licences = licences.filter(
            Q(number__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(holder_code__iexact=query)
            | Q(case__number=query)
        )
    return licences.select_related("case").order_by("-issued_on", "-id")


def renewals_due(within_days: int, *, today: date | None = None) -> QuerySet[ComprehensiveLicense]:
    today = today or timezone.localdate()
    return ComprehensiveLicense.objects.filter(
        status=LicenceStatus.VALID,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=within_days),
    ).order_by("valid_until")


def time_saved_by_bundle() -> list[dict[str, Any]]:
    """Per bundle: closed cases, total elapsed working days, total serial statutory days, days saved."""
    rows = (
        Case.objects.filter(status=CaseStatus.CLOSED, elapsed_workdays__isnull=False)
        .values("bundle__code", "bundle__name")
        .annotate(cases=Count("id"), elapsed=Sum("elapsed_workdays"), serial=Sum("statutory_serial_days"))
        .order_by("bundle__code")
    )
    return [{**row, "saved": (row["serial"] or 0) - (row["elapsed"] or 0)} for row in rows]
