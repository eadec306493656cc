"""No HTML page answers bad input with a server error: every page, as every role, with hostile input.

The pages come from the URL resolver (everything but the /api/ tree, which test_api_never_500.py
covers, Django's admin and static files), so a new page is covered without editing this file. Real
addresses (a case, a branch, a licence the user may see) are found the way a person finds them: by
following the links and forms each member of the cast sees, starting from the pages without
arguments. Every answer must be below 500, and a 4xx HTML answer must tell the person something in
Chinese. All problems of a run are reported together.
"""

from __future__ import annotations

import copy
import logging
import re
import traceback
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from pytest_django.fixtures import Settings

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.accounts.services import DEMO_USERS
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import extension_request
from onewindow.cases.demo import DEMO_PNG, demo_cases_create
from onewindow.cases.models import Case, CaseStatus
from onewindow.inspections.models import JointInspection
from onewindow.inspections.selectors import schedule_plan
from onewindow.inspections.services import (
    checklist_record,
    inspection_finish,
    inspection_schedule,
    rectification_report,
)
from onewindow.inspections.tests.conftest import LEAD, entry_of, png, record_everything
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import delivery_choose

pytestmark = pytest.mark.django_db

# Not pages: the JSON API (its own test), Django's admin, files.
EXCLUDED = ("api/", "admin/", "static/", "media/")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ANONYMOUS = "anonymous"

# Path arguments that name nothing: each is used where the argument's converter accepts it.
HOSTILE_ARGUMENTS = ("0", "99999999999999999999", "-1", "no-such-code", "不存在", "\x00", "x" * 300)
# Query and form values of the wrong kind: a NUL, 10 000 characters, beyond bigint, beyond any page,
# negative, a day that does not exist, a word where a number or a choice belongs.
HOSTILE_VALUES = ("\x00", "x" * 10_000, "99999999999999999999", "1000000000000", "-1", "2023-02-30", "abc")
# What PostgreSQL refuses to store (a NUL character, more than a column holds): sent in one field at a
# time too, the rest of the form as the page filled it, so that the form reaches its service. A field
# the page fills (hidden, a choice) gets only the NUL: a long value there is just a wrong choice.
UNSTORABLE = ("\x00", "x" * 10_000)
# Query parameters many pages read, sent to every page besides the fields of its own GET forms.
COMMON_PARAMETERS = ("page", "q", "sort", "status", "date", "before", "after", "next", "answers", "unknown")
# More parameters than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): the request itself is refused.
TOO_MANY_PARAMETERS = {f"field{n}": "1" for n in range(1001)}
# A multipart body without its boundary, which Django cannot parse.
BROKEN_BODY = (b"--\r\n", "multipart/form-data")


# ---------------------------------------------------------------- the pages


@dataclass(frozen=True)
class Page:
    """One URL pattern: its name ("cases:form"), route ("cases/<int:case_id>/form/") and converters."""

    name: str
    route: str
    converters: Mapping[str, Any] = field(compare=False, hash=False)

    @property
    def arguments(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.route)]

    def path(self, values: Mapping[str, str]) -> str:
        return "/" + PARAMETER.sub(lambda match: quote(values[match["name"]], safe=""), self.route)

    def accepts(self, argument: str, value: str) -> bool:
        return re.fullmatch(self.converters[argument].regex, value) is not None


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str, converters: dict[str, Any]
) -> Iterator[Page]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(EXCLUDED):
            continue
        assert isinstance(entry.pattern, RoutePattern), f"teach this test re_path(): {entry!r}"
        found = {**converters, **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry.url_patterns, route, inner, found)
        else:
            yield Page(":".join(n for n in (namespace, entry.name or route) if n), route, found)


def pages() -> list[Page]:
    return list(_walk(get_resolver().url_patterns, "", "", {}))


def page_of(path: str) -> tuple[Page, dict[str, str]] | None:
    """The page a local address leads to, with its arguments; None for other addresses."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    route = match.route
    for page in PAGES:
        if page.route == route:
            return page, {name: str(value) for name, value in match.kwargs.items() if name in page.arguments}
    return None


PAGES = pages()


# ---------------------------------------------------------------- what a page offers


@dataclass
class Input:
    kind: str  # the input's type: text, hidden, checkbox, file, select, textarea, …
    value: str  # what the page put in it (a hidden version, a checkbox's value, a select's first option)


# Inputs whose values the page chooses rather than the person types.
CHOSEN = {"hidden", "checkbox", "radio", "select", "submit"}


@dataclass
class FormSeen:
    method: str
    action: str
    fields: dict[str, Input]


class Offers(HTMLParser):
    """The addresses a page offers: links, and forms (and htmx requests) with their fields."""

    def __init__(self, here: str) -> None:
        super().__init__(convert_charrefs=True)
        self.here = here
        self.links: list[str] = []
        self.forms: list[FormSeen] = []
        self._open: list[list[FormSeen]] = []
        self._select: Input | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag in ("a", "link") and given.get("href"):
            self.links.append(given["href"])
        if tag == "option" and self._select is not None and not self._select.value:
            self._select.value = given.get("value", "")
        requests = [(m, given[f"hx-{m}"]) for m in ("get", "post") if given.get(f"hx-{m}")]
        if tag == "form":
            requests.append(((given.get("method") or "get").lower(), given.get("action") or self.here))
        forms = [FormSeen(method, action, {}) for method, action in requests]
        self.forms.extend(forms)
        if tag == "form":
            self._open.append(forms)
        if tag in ("input", "select", "textarea", "button") and given.get("name"):
            kind = tag if tag in ("select", "textarea") else given.get("type", "text")
            box = Input(kind, given.get("value", ""))
            if tag == "select":
                self._select = box
            for form in [*forms, *(self._open[-1] if self._open else [])]:
                form.fields.setdefault(given["name"], box)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            self._open.pop()
        if tag == "select":
            self._select = None


def local(address: str) -> str | None:
    """The path of an address on this site; None for other sites and fragments."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path


# ---------------------------------------------------------------- the cast and their city


def inspection_scheduled(case: Case) -> JointInspection:
    """The case's joint inspection, tomorrow, with one inspector per department."""
    inspectors = {
        group.department.code: (
            group.inspectors[0]
            if group.inspectors
            else User.objects.create_user(
                username=f"inspector-{case.pk}-{group.department.code}",
                role=Role.INSPECTOR,
                department=group.department,
            )
        )
        for group in schedule_plan(case)
    }
    return inspection_schedule(
        case=case,
        organiser=User.objects.get(username="inspector"),
        scheduled_at=timezone.now() + timedelta(days=1),
        address="天门市竟陵街道钟惺大道88号",
        inspectors=inspectors,
    )


def inspection_with_findings(case: Case) -> JointInspection:
    """The case's joint inspection, finished with one finding and its photo: rectification is due."""
    inspection = inspection_scheduled(case)
    inspectors = {a.department.code: a.inspector for a in inspection.assignments.select_related("department")}
    record_everything(inspection, inspectors, fail=LEAD)
    organiser = User.objects.get(username="inspector")
    entry = entry_of(inspection, LEAD)
    checklist_record(entry=entry, inspector=organiser, result="fail", note="灭火器已过期。", photos=[png()])
    return inspection_finish(inspection=inspection, organiser=organiser)


@pytest.fixture
def city(settings: Settings, tmp_path: Path) -> None:
    """Cases in every state; licences issued, one waiting to be handed over; branches waiting for a
    decision; joint inspections being recorded, waiting for rectification, and rectified."""
    settings.MEDIA_ROOT = tmp_path
    demo_cases_create()
    issued = ComprehensiveLicense.objects.get(case__status=CaseStatus.ISSUED)
    delivery_choose(licence=issued, user=issued.case.applicant, method="pickup")
    # The demo's first case in approval: its fire check decided, the other branches pending.
    in_approval = (
        Case.objects.filter(status=CaseStatus.IN_APPROVAL).select_related("applicant").order_by("pk").first()
    )
    assert in_approval is not None
    rectify = inspection_with_findings(in_approval)
    rectification_report(
        inspection=rectify, applicant=in_approval.applicant, text="已更换。", evidence=[png()]
    )
    applicant = User.objects.get(username="applicant")
    inspection_with_findings(accepted_hotel_case(applicant))
    inspection_scheduled(accepted_hotel_case(applicant))
    accepted_hotel_case(applicant)
    # An extension waiting for the demo supervisor's decision.
    extendable = Branch.objects.filter(
        status__in=(BranchStatus.PENDING, BranchStatus.PAUSED),
        department__code__in=("429006-ga", "429006-xf"),
        item__statutory_extension_days__gt=0,
    ).first()
    assert extendable is not None
    extension_request(
        branch_id=extendable.pk,
        reviewer=User.objects.get(role=Role.REVIEWER, department=extendable.department),
        approver=User.objects.get(username="supervisor"),
        days=1,
        reason="需要组织专家论证",
    )


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """The rate limits this test uses up live in the cache, which outlives the test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    """Thousands of expected 404s and 405s would each log a warning; 500s are collected by the test."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# ---------------------------------------------------------------- requests and their checks


def shown(value: object) -> str:
    """A request input as the report shows it: long values shortened."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:10]!r}…({len(value)} characters)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, SimpleUploadedFile):
        return f"<file {shown(value.name)}>"
    return repr(value)


@dataclass
class Problem:
    example: str
    count: int = 1


@dataclass
class Prober:
    """Sends requests as the cast and keeps every answer that breaks the rule."""

    clients: dict[str, Client]
    problems: dict[tuple[str, ...], Problem] = field(default_factory=dict)
    sent: int = 0

    def send(
        self,
        who: str,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = False,
        body: tuple[bytes, str] | None = None,
    ) -> HttpResponseBase:
        """GET or POST `data`; or POST `body`, (bytes, content type), as it is.

        Nothing the request changes stays, so every request meets the city as it was set up (a
        refusal cannot keep the supplement form from reaching its service): its writes are rolled
        back, and the client's cookies, its session among them, are put back.
        """
        client = self.clients[who]
        cookies = copy.deepcopy(client.cookies)
        headers = {"HX-Request": "true"} if htmx else {}
        with transaction.atomic():
            if body is not None:
                response = client.generic("POST", path, body[0], content_type=body[1], headers=headers)
            elif method == "get":
                response = client.get(path, data or {}, headers=headers)
            else:
                response = client.post(path, data or {}, headers=headers)
            transaction.set_rollback(True)
        client.cookies = cookies
        self.sent += 1
        self._check(response, who, method, path, data if body is None else {"body": body}, htmx)
        return response

    def _check(
        self,
        response: HttpResponseBase,
        who: str,
        method: str,
        path: str,
        data: dict[str, Any] | None,
        htmx: bool,
    ) -> None:
        status = response.status_code
        problem = ""
        where: tuple[str, ...] = ()
        if status >= 500:
            problem = f"answered {status}"
            exc_info = getattr(response, "exc_info", None)
            if exc_info:
                frames = traceback.extract_tb(exc_info[2])
                ours = [f for f in frames if "/onewindow/" in f.filename and "/tests/" not in f.filename]
                lines = [
                    f"    {f.filename.split('/onewindow/')[-1]}:{f.lineno} in {f.name}" for f in ours[-4:]
                ]
                error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
                problem += "\n" + "\n".join([*lines, f"    {error[:300]}"])
                where = (error.split(":")[0], *(f"{f.filename}:{f.lineno}" for f in ours[-1:]))
        elif (
            400 <= status < 500
            and isinstance(response, HttpResponse)
            and response.get("Content-Type", "").startswith("text/html")
            and not CHINESE.search(response.content.decode(errors="replace"))
        ):
            problem = f"answered {status} without a word of Chinese: {response.content[:80]!r}"
        if not problem:
            return
        page = page_of(urlsplit(path).path)
        key = (method, page[0].name if page else path, str(status), *where)
        if key in self.problems:
            self.problems[key].count += 1
            return
        request = f"{method.upper()} {shown(path)}{' (htmx)' if htmx else ''} as {who}"
        if data:
            request += f" with {shown(data)}"
        self.problems[key] = Problem(f"{request}: {problem}")

    def report(self) -> str:
        return "\n".join(
            f"{p.example}" + (f"\n    (and {p.count - 1} similar requests)" if p.count > 1 else "")
            for p in self.problems.values()
        )


@dataclass
class Found:
    """What the crawl found, per page name and user: the first address that answered 200, and the
    forms sent to the page (the address and fields of the first POST form, the fields of GET forms)."""

    visited: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ok: dict[tuple[str, str], str] = field(default_factory=dict)
    posts: dict[tuple[str, str], tuple[str, dict[str, Input]]] = field(default_factory=dict)
    queries: dict[tuple[str, str], dict[str, Input]] = field(default_factory=lambda: defaultdict(dict))
    arguments: dict[str, dict[str, str]] = field(default_factory=dict)
    addresses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def offered(self, who: str, target: str, form: FormSeen | None = None) -> None:
        located = page_of(target)
        if located is None:
            return
        page, arguments = located
        if arguments:
            self.arguments.setdefault(page.name, arguments)
            if target not in self.addresses[page.name]:
                self.addresses[page.name].append(target)
        if form is None:
            return
        if form.method == "get":
            self.queries[(page.name, who)].update(form.fields)
        else:
            path, fields = self.posts.setdefault((page.name, who), (target, {}))
            if path == target:
                fields.update({k: v for k, v in form.fields.items() if k not in fields})


def crawl(prober: Prober, who: str, found: Found, seeds: list[str], *, few: bool = False) -> None:
    """Follow every link and GET form this user sees, once per address, from the seed addresses.

    With `few`, at most two addresses per page.
    """
    queue = deque(seed for seed in seeds if seed not in found.visited[who])
    tries: dict[str, int] = defaultdict(int)
    while queue:
        path = queue.popleft()
        located = page_of(urlsplit(path).path)
        if located is None or path in found.visited[who]:
            continue
        page = located[0]
        if few and tries[page.name] >= 2:
            continue
        tries[page.name] += 1
        found.visited[who].add(path)
        response = prober.send(who, "get", path)
        if response.status_code != 200:
            continue
        found.ok.setdefault((page.name, who), path)
        if not isinstance(response, HttpResponse) or not response["Content-Type"].startswith("text/html"):
            continue
        offers = Offers(path)
        offers.feed(response.content.decode())
        for form in offers.forms:
            target = local(form.action)
            if target is not None:
                found.offered(who, target, form)
                if form.method == "get":
                    # Sent as the page fills it: a choice made, as the person's next step would be.
                    chosen = {
                        name: f.value for name, f in form.fields.items() if f.kind in CHOSEN and f.value
                    }
                    queue.append(f"{target}?{urlencode(chosen)}" if chosen else target)
        for link in offers.links:
            target = local(link)
            if target is not None:
                found.offered(who, target)
                queue.append(target)


def hostile_paths(page: Page, real: Mapping[str, str] | None) -> Iterator[str]:
    """The page's address with one argument at a time replaced by values that name nothing."""
    for argument in page.arguments:
        for value in HOSTILE_ARGUMENTS:
            if not page.accepts(argument, value):
                continue
            values = {
                name: (real[name] if real else next(v for v in HOSTILE_ARGUMENTS if page.accepts(name, v)))
                for name in page.arguments
            }
            values[argument] = value
            yield page.path(values)


def garbage(
    fields: Mapping[str, Input], value: str, *, keep_chosen: bool = False, only: str = ""
) -> dict[str, Any]:
    """Every field with the same wrong value; with `keep_chosen`, only what a person types (what the
    page chose, such as the hidden version of a decision form, kept), so that the service behind
    the form sees the wrong value; with `only`, just that field, the others as the page left them.
    A file input gets the value as its name and content, or with `keep_chosen` or `only` a real
    image under that name."""
    data: dict[str, Any] = {}
    for name, box in fields.items():
        chosen = box.kind in CHOSEN and bool(box.value)
        if name == "csrfmiddlewaretoken":
            continue
        # Left as the page filled it: every other field when sending `only` one, or what the page chose.
        as_filled = name != only if only else keep_chosen and chosen
        if as_filled:
            if chosen:
                data[name] = box.value
        elif box.kind == "file":
            content = DEMO_PNG if keep_chosen or only else value.encode()[:20_000]
            data[name] = SimpleUploadedFile(f"{value}.png", content, "image/png")
        else:
            data[name] = value
    if not only:
        data["unknown_field"] = value
    return data


def try_hostile_addresses(prober: Prober, found: Found, cast: list[str]) -> None:
    """Addresses whose arguments name nothing, GET and an empty POST, as anonymous and as the first
    three users who reached the page (everyone, for a page nobody reached)."""
    for page in PAGES:
        reached = [w for w in cast[1:] if (page.name, w) in found.ok or (page.name, w) in found.posts]
        for who in [ANONYMOUS, *reached[:3]] if reached else cast:
            for path in hostile_paths(page, found.arguments.get(page.name)):
                prober.send(who, "get", path)
                prober.send(who, "post", path)


def try_hostile_queries(prober: Prober, found: Found) -> None:
    """Garbage in every query parameter a page may read, as the first user the page answered."""
    queried: set[str] = set()
    for (name, who), path in found.ok.items():
        if name in queried:
            continue
        queried.add(name)
        keys = {**{key: Input("text", "") for key in COMMON_PARAMETERS}, **found.queries[(name, who)]}
        for value in HOSTILE_VALUES:
            prober.send(who, "get", path, garbage(keys, value))
        prober.send(who, "get", path, garbage(keys, "abc"), htmx=True)
        prober.send(who, "get", path, TOO_MANY_PARAMETERS)


def try_hostile_forms(prober: Prober, found: Found) -> None:
    """Forms posted empty, broken, with wrong types, too long, with NUL bytes, as the first user who
    saw them (signed in if anyone was: the start button does more for an applicant than send him to
    the sign-in page); and an empty POST to every page that answered a GET."""
    for (name, who), path in found.ok.items():
        if (name, who) not in found.posts:
            prober.send(who, "post", path)
    posted: set[str] = set()
    for (name, who), (path, fields) in sorted(found.posts.items(), key=lambda item: item[0][1] == ANONYMOUS):
        if name in posted:
            continue
        posted.add(name)
        prober.send(who, "post", path)
        prober.send(who, "post", path, body=BROKEN_BODY)
        for value in HOSTILE_VALUES:
            prober.send(who, "post", path, garbage(fields, value))
            prober.send(who, "post", path, garbage(fields, value, keep_chosen=True))
        prober.send(who, "post", path, garbage(fields, "abc"), htmx=True)
        for one, box in fields.items():
            for value in UNSTORABLE if box.kind not in CHOSEN else UNSTORABLE[:1]:
                prober.send(who, "post", path, garbage(fields, value, only=one))


# ---------------------------------------------------------------- the tests


def test_every_page_answers_bad_input_in_chinese_never_with_a_server_error(
    city: None, fresh_cache: None, quiet_request_log: None
) -> None:
    # The enumeration found the project's pages, not a handful.
    assert len(PAGES) >= 60, [page.route for page in PAGES]
    assert {"public:home", "cases:form", "approvals:branch", "licenses:detail"} <= {p.name for p in PAGES}
    # A page is tried as the first user it answers: the roles at work before the supervisor and the
    # administrator, who may read almost everything.
    overseers = {Role.SUPERVISOR, Role.ADMIN}
    cast = [ANONYMOUS, *(u["username"] for u in sorted(DEMO_USERS, key=lambda u: u["role"] in overseers))]
    clients = {who: Client(raise_request_exception=False) for who in cast}
    for who, client in clients.items():
        if who != ANONYMOUS:
            client.force_login(User.objects.get(username=who))
    prober = Prober(clients)

    found = Found()
    starts = [page.path({}) for page in PAGES if not page.arguments]
    for who in cast:
        crawl(prober, who, found, starts)
    # What one user found, the others try too: an issuer reaches the licence the applicant links to.
    everything = [path for paths in found.addresses.values() for path in paths]
    for who in cast:
        crawl(prober, who, found, everything, few=True)
    # The crawl reached real objects and their forms, so the checks below do not all end in a 404.
    with_arguments = [page for page in PAGES if page.arguments]
    unreached = [page.name for page in with_arguments if page.name not in found.arguments]
    assert len(unreached) <= len(with_arguments) // 10, unreached
    assert len({name for name, _who in found.posts}) >= 30, sorted(found.posts)

    try_hostile_addresses(prober, found, cast)
    try_hostile_queries(prober, found)
    try_hostile_forms(prober, found)

    assert not prober.problems, (
        f"{len(prober.problems)} kinds of answer break the rule (below 500; a 4xx page says what is wrong "
        f"in Chinese), in {prober.sent} requests:\n{prober.report()}"
    )


def test_a_form_sent_without_its_csrf_token_is_refused_with_a_chinese_403(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "applicant", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期，请刷新后重新提交" in response.content.decode()
    english = client.post(
        reverse("accounts:login"),
        {"username": "applicant", "password": "x"},
        headers={"accept-language": "en"},
    )
    assert english.status_code == 403
    assert "The page has expired; please reload it and submit again" in english.content.decode()
