"""Every operation the API publishes, fed hostile input by anyone, answers a Chinese JSON error and never a 500.

The operations come from the API's own OpenAPI document, so a new endpoint is covered the day it is
added. In the demo city with one case in every state, each is called anonymously and by every demo
user with the addresses, query strings, bodies and uploads a careless or malicious client might send.
Every request runs in a savepoint that is rolled back, so each one meets the same data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_USERS
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import extension_request
from onewindow.bundles.models import Question
from onewindow.cases.demo import DEMO_PDF, demo_cases_create
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, Channel
from onewindow.catalog.models import Field, ServiceItem
from onewindow.inspections.models import OPEN_CHECK_STATUSES, CommitmentCheck
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.notifications.models import Notification

API = "/api/v1"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

HUGE = 99999999999999999999  # beyond any 64-bit integer
LONG = "长" * 100_000
NUL = "前\x00后"
LONG_PER_BODY = 6  # 100 000-character values in one body: 6 × 300 kB stays under the 2.5 MB request limit
# Placeholders replaced in the encoded body by what Python's json.loads accepts but JSON does not.
NOT_JSON_NUMBERS = {'"@NaN@"': "NaN", '"@-Infinity@"': "-Infinity", '"@1e999@"': "1e999"}


def nested(depth: int) -> Any:
    value: Any = "底"
    for _ in range(depth):
        value = {"a": value}
    return value


# ---------------------------------------------------------------- the operations


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as published, with {name} placeholders
    path_params: dict[str, str]  # name -> OpenAPI type
    query_params: dict[str, dict[str, Any]]  # name -> schema
    body: dict[str, Any] | None  # schema of a JSON body, with its $refs resolved
    files: tuple[str, ...]  # the file fields of a multipart body
    public: bool  # needs no sign-in

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def resolve(schema: Any, components: dict[str, Any]) -> Any:
    """The schema with every $ref replaced by what it points to."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
        return {key: resolve(value, components) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(value, components) for value in schema]
    return schema


def published_operations(document: dict[str, Any]) -> list[Operation]:
    components = document.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            parameters = spec.get("parameters", [])
            content = spec.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            multipart = content.get("multipart/form-data", {}).get("schema", {})
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params={p["name"]: p["schema"]["type"] for p in parameters if p["in"] == "path"},
                    query_params={
                        p["name"]: resolve(p["schema"], components) for p in parameters if p["in"] == "query"
                    },
                    body=resolve(body, components) if body else None,
                    files=tuple(
                        name
                        for name, prop in multipart.get("properties", {}).items()
                        if prop.get("format") == "binary"
                    ),
                    public=not spec.get("security"),
                )
            )
    return operations


# ---------------------------------------------------------------- what the requests aim at


@dataclass(frozen=True)
class Targets:
    """What in the demo city hostile requests aim at, so that they get past "not found"."""

    path: dict[str, list[str]]  # a path parameter, or for {code} the collection before it -> real values
    fields: dict[str, str]  # body fields that name something -> a real value
    codes: list[str]  # every question and form-field code: the keys of free-form objects


@pytest.fixture
def targets(db: None) -> Targets:
    demo_cases_create()
    cases = {case.status: case for case in Case.objects.order_by("id")}
    window_case = Case.objects.filter(channel=Channel.WINDOW).first()
    assert window_case is not None
    # A draft to fill, a window case in supplement, one to accept, one in approval, one to issue.
    chosen = (
        cases[CaseStatus.DRAFT],
        window_case,
        cases[CaseStatus.SUBMITTED],
        cases[CaseStatus.IN_APPROVAL],
        cases[CaseStatus.APPROVED],
    )
    # Pending branches of the two demo reviewers' departments (公安, 消防).
    branches = Branch.objects.filter(
        status=BranchStatus.PENDING, department__code__in=("429006-ga", "429006-xf")
    ).order_by("id")
    upload = CaseMaterial.objects.filter(
        case=cases[CaseStatus.DRAFT], disposition=CaseMaterial.Disposition.UPLOAD
    ).first()
    assert upload is not None
    item = ServiceItem.objects.filter(is_published=True).order_by("code").first()
    assert item is not None
    # An extension waiting for the demo supervisor's decision.
    extendable = branches.filter(department__code="429006-ga", item__statutory_extension_days__gt=0).first()
    assert extendable is not None
    extension = extension_request(
        branch_id=extendable.pk,
        reviewer=User.objects.get(username="reviewer"),
        approver=User.objects.get(username="supervisor"),
        days=1,
        reason="需要组织专家论证",
    )
    # Each user reads only their own: the first notification of everyone who has one.
    notifications: dict[int, int] = {}
    for user_id, pk in Notification.objects.order_by("-id").values_list("user_id", "pk"):
        notifications[user_id] = pk
    assert notifications, "the demo cases notify no one"
    return Targets(
        path={
            "case_id": [str(case.pk) for case in chosen],
            "branch_id": [str(branch.pk) for branch in branches],
            "licence_id": [
                str(pk) for pk in ComprehensiveLicense.objects.order_by("id").values_list("pk", flat=True)
            ],
            "extension_id": [str(extension.pk)],
            # Open checks of commitments of the two demo reviewers' departments.
            "check_id": [
                str(pk)
                for pk in CommitmentCheck.objects.filter(
                    department__code__in=("429006-ga", "429006-xf"), status__in=OPEN_CHECK_STATUSES
                )
                .order_by("id")
                .values_list("pk", flat=True)
            ],
            "notification_id": [str(pk) for pk in sorted(notifications.values())],
            "departments": ["429006-ga"],
            "regions": ["429006"],
            "items": [item.code],
            "bundles": ["hotel"],
            "materials": [upload.material.code],
        },
        fields={"bundle": "hotel", "applicant": "applicant", "approver": "supervisor"},
        codes=sorted(
            {*Question.objects.values_list("code", flat=True), *Field.objects.values_list("code", flat=True)}
        ),
    )


def real_values(operation: Operation, name: str, targets: Targets) -> list[str]:
    segments = operation.path.split("/")
    collection = segments[segments.index(f"{{{name}}}") - 1]
    return targets.path.get(name) or targets.path.get(collection) or ["1"]


def address(operation: Operation, values: dict[str, str]) -> str:
    path = operation.path
    for name, value in values.items():
        path = path.replace(f"{{{name}}}", value)
    return path


# ---------------------------------------------------------------- well-formed and hostile values


def kinds(schema: dict[str, Any]) -> set[str]:
    """The JSON types a schema allows, looking through anyOf (as `str | None` publishes)."""
    if "anyOf" in schema:
        return set().union(*(kinds(option) for option in schema["anyOf"]))
    if "enum" in schema:
        return {"enum"}
    if schema.get("format") == "date":
        return {"date"}
    return {schema.get("type", "any")}


def plain(schema: dict[str, Any]) -> Any:
    """A well-formed value: the part of a request that is not under attack."""
    if "default" in schema:
        return schema["default"]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return plain(option)
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return "2026-12-01"
    kind = schema.get("type")
    if kind == "object":
        return {name: plain(prop) for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [plain(schema["items"])] if "items" in schema else []
    return {"integer": 1, "number": 1, "boolean": True}.get(str(kind), "测试")


def well_formed(schema: dict[str, Any], targets: Targets) -> dict[str, Any]:
    body = plain(schema)
    return {**body, **{name: value for name, value in targets.fields.items() if name in body}}


def hostile_values(schema: dict[str, Any], targets: Targets) -> Iterator[tuple[str, Any]]:
    """(what, value): what a client might send where `schema` is expected."""
    allowed = kinds(schema)
    if "null" not in allowed:
        yield "null", None
    yield "a list", ["文字", 1]
    if allowed & {"string", "enum", "date"}:
        yield "a number instead of text", 12345
        yield "100 000 characters", LONG
        yield "a NUL byte", NUL
        yield "NaN", "@NaN@"
    if "enum" in allowed:
        yield "a value not on the list", "nonexistent"
    if "date" in allowed:
        yield "30 February", "2023-02-30"
        yield "year 1", "0001-01-01"
        yield "year 9999", "9999-12-31"
    if allowed & {"integer", "number"}:
        yield "text instead of a number", "abc"
        yield "a fraction", 1.5
        yield "-1", -1
        yield "10**12", 10**12
        yield "beyond 64 bits", HUGE
        yield "infinity", "@1e999@"
    if "object" in allowed:
        yield "text instead of an object", "文字"
        yield "nested 900 deep", nested(900)
        if "properties" not in schema:
            yield from free_form_values(targets.codes)
    if "array" in allowed:
        yield "an object instead of a list", {}
        items = schema.get("items", {})
        yield "10 000 entries", [plain(items)] * 10_000
        for what, value in hostile_values(items, targets):
            yield f"an entry that is {what}", [value]


def free_form_values(codes: list[str]) -> Iterator[tuple[str, Any]]:
    """For free-form objects (answers, form data): every code the catalogue knows set to one hostile
    value, so the value reaches the code that checks it."""
    for what, value in (
        ("a NUL byte", NUL),
        ("beyond 64 bits", HUGE),
        ("-1", -1),
        ("NaN", "@NaN@"),
        ("-infinity", "@-Infinity@"),
        ("30 February", "2023-02-30"),
        ("a list", ["文字", None]),
        ("an object", {"\x00": NUL}),
        ("nested 200 deep", nested(200)),
        ("true", True),
    ):
        yield f"every known code set to {what}", dict.fromkeys(codes, value)
    # A few codes at a time: all of them at once would only meet the request size limit.
    for start in range(0, len(codes), LONG_PER_BODY):
        some = codes[start : start + LONG_PER_BODY]
        yield f"{some[0]} and the next codes set to 100 000 characters", dict.fromkeys(some, LONG)
    yield "a NUL key", {"\x00": "值"}
    yield "a 100 000-character key", {LONG: "值"}


def hostile_bodies(schema: dict[str, Any], targets: Targets) -> Iterator[tuple[str, Any]]:
    """A well-formed body with one field at a time left out or hostile, nested objects too."""
    body = well_formed(schema, targets)
    yield "a well-formed body", body
    yield "an unknown field", {**body, "unexpected": LONG}
    for name, prop in schema.get("properties", {}).items():
        if name in schema.get("required", []):
            yield f"{name} missing", {key: value for key, value in body.items() if key != name}
        for what, value in hostile_values(prop, targets):
            yield f"{name}: {what}", {**body, name: value}
        entry = prop.get("items", {})
        if entry.get("properties"):
            for what, value in hostile_bodies(entry, targets):
                yield f"{name}[0]: {what}", {**body, name: [value]}


def encode(body: Any) -> bytes:
    text = json.dumps(body, ensure_ascii=False)
    for placeholder, literal in NOT_JSON_NUMBERS.items():
        text = text.replace(placeholder, literal)
    return text.encode()


RAW_BODIES = [
    ("not JSON", b"{answers: yes"),
    ("not UTF-8", b'{"a": "\xff\xfe"}'),
    ("empty", b""),
    ("a JSON list", b"[1, 2]"),
    ("a JSON string", '"文字"'.encode()),
    ("JSON null", b"null"),
    ("JSON true", b"true"),
    ("nested 100 000 deep", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000),
    ("over the request size limit", b'{"a": "' + b"x" * 3_000_000 + b'"}'),
]


def pdf(name: str = "a.pdf", content: bytes = DEMO_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def hostile_uploads(material: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "no file", {}
    yield "text where the file goes", {"file": "文字", material: "文字"}
    yield "an empty file", {"file": pdf(content=b""), material: pdf(content=b"")}
    yield "text named .pdf", {"file": pdf(content="不是文件".encode() * 100)}
    yield "a 300-character file name", {"file": pdf(name="长" * 300 + ".pdf"), material: pdf(name="长" * 300)}
    yield "a NUL in the file name", {"file": pdf(name="a\x00b.pdf"), material: pdf(name="a\x00b.pdf")}
    yield "a file under a NUL field name", {"\x00": pdf()}
    yield "a file under an unknown material code", {"no-such-material": pdf()}


PATH_VALUES = {
    "integer": ["-1", str(HUGE), str(2**63), "abc", "%00"],
    "string": ["no-such-code", "%00", "长" * 2_000, "%E4%B8%AD%FF"],
}
QUERY_VALUES = {
    "integer": ["abc", "-1", "1.5", "", str(10**12), str(HUGE)],
    "string": ["", "nonexistent", LONG, NUL, "2023-02-30", "%"],
}
UNKNOWN_FILTERS = {
    "page": "abc",
    "page_size": "-1",
    "sort": "no_such_field",
    "ordering": "-password",
    "date": "2023-02-30",
    "from": "0000-00-00",
    "status__in": "draft",
}


# ---------------------------------------------------------------- sending and judging


@dataclass(frozen=True)
class Failure:
    who: str
    operation: Operation
    url: str
    what: str
    problem: str
    status: int
    body: str

    def __str__(self) -> str:
        return (
            f"{self.operation} as {self.who}, {self.what}: {self.problem}\n"
            f"    {self.url[:160]}\n    → {self.status} {self.body[:300]}"
        )


def judge(status: int, content: bytes) -> str:
    """What is wrong with an answer, or "" when nothing is."""
    if status >= 500:
        return "server error"
    try:
        body = json.loads(content)
    except ValueError:
        return "not JSON"
    if status < 300:
        return ""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not body["code"]:
        return "no error code"
    if not isinstance(body.get("message"), str) or not CHINESE.search(body["message"]):
        return "no message in Chinese"
    if not isinstance(body.get("errors"), list):
        return "no list of errors"
    return ""


class Prober:
    """Sends each request inside a savepoint it rolls back, and keeps every bad answer."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.failures: list[Failure] = []
        self.unreached: list[str] = []  # operations no one got past "not found" with
        self.sent = 0

    def send(
        self,
        who: str,
        client: Client,
        operation: Operation,
        url: str,
        what: str,
        *,
        body: bytes | None = None,
        files: dict[str, Any] | None = None,
    ) -> int:
        payload: dict[str, Any] = {}
        if files is not None:
            payload = {"data": encode_multipart(BOUNDARY, files), "content_type": MULTIPART_CONTENT}
        elif body is not None:
            payload = {"data": body, "content_type": "application/json"}
        with transaction.atomic():
            response = client.generic(operation.method, url, **payload)
            transaction.set_rollback(True)
        self.sent += 1
        status, content = int(response.status_code), response.content
        problem = judge(status, content)
        if problem:
            text = content.decode(errors="replace")
            self.failures.append(Failure(who, operation, url, what, problem, status, text))
        return status

    def aim(self, who: str, client: Client, operation: Operation) -> tuple[str, bool]:
        """The address of the first real object this user may act on, and whether there is one.

        On the way, every path parameter gets every hostile value.
        """
        real = {name: real_values(operation, name, self.targets) for name in operation.path_params}
        first = {name: values[0] for name, values in real.items()}
        for name, kind in operation.path_params.items():
            for value in PATH_VALUES.get(kind, PATH_VALUES["string"]):
                url = address(operation, {**first, name: value})
                self.send(
                    who, client, operation, url, f"{name} = {value[:20]}", **self.well_formed(operation)
                )
        # Best an object the request succeeds on; else one it gets past the permission check for.
        past_permission = ""
        candidates = [{**first, name: value} for name, values in real.items() for value in values]
        for candidate in candidates or [first]:
            url = address(operation, candidate)
            status = self.send(
                who, client, operation, url, "a well-formed request", **self.well_formed(operation)
            )
            if status < 300:
                return url, True
            if status not in (401, 403, 404) and not past_permission:
                past_permission = url
        return past_permission or address(operation, first), bool(past_permission)

    def well_formed(self, operation: Operation) -> dict[str, Any]:
        if operation.body is not None:
            return {"body": encode(well_formed(operation.body, self.targets))}
        if operation.files:
            return {"files": {name: pdf() for name in operation.files}}
        return {}

    def probe(self, operation: Operation, clients: dict[str, Client]) -> None:
        """Every hostile input this operation can be sent.

        Everyone sends the hostile addresses and unknown filters. Malformed bodies, hostile query
        values and uploads come from those who may act (everyone, if no one may): the others are
        turned away alike before or after the same parsing, and sending everything as every role
        would take minutes. What needs no sign-in, the anonymous client may do as well as anyone.
        """
        aimed = {who: self.aim(who, client, operation) for who, client in clients.items()}
        if operation.method == "GET":
            for who, client in clients.items():
                self.send(
                    who, client, operation, f"{aimed[who][0]}?{urlencode(UNKNOWN_FILTERS)}", "unknown filters"
                )
        actors = [who for who, (_, may_act) in aimed.items() if may_act]
        if not actors:
            self.unreached.append(str(operation))
            actors = list(clients)
        if operation.public and "anonymous" in actors:
            actors = ["anonymous"]
        for who in actors:
            client, url = clients[who], aimed[who][0]
            for name, schema in operation.query_params.items():
                number = bool(kinds(schema) & {"integer", "number"})
                for value in QUERY_VALUES["integer" if number else "string"]:
                    query = urlencode({name: value})
                    self.send(who, client, operation, f"{url}?{query}", f"?{name}={value[:20]}")
            if operation.method == "GET":
                continue
            for what, raw in RAW_BODIES:
                self.send(who, client, operation, url, f"a body that is {what}", body=raw)
            if operation.body is not None:
                for what, hostile in hostile_bodies(operation.body, self.targets):
                    self.send(who, client, operation, url, f"a body with {what}", body=encode(hostile))
            else:
                for what, files in hostile_uploads(self.targets.path["materials"][0]):
                    self.send(who, client, operation, url, f"an upload with {what}", files=files)


# ---------------------------------------------------------------- the test


def client_for(user: User | None) -> Client:
    # A 500 must come back as the response it is, not as the view's exception.
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_hostile_requests_get_a_chinese_error_and_never_a_server_error(
    targets: Targets, settings: Settings
) -> None:
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 0  # every verification reaches the lookup, none is throttled
    operations = published_operations(client_for(None).get(f"{API}/openapi.json").json())
    assert len(operations) > 30, [str(operation) for operation in operations]
    clients = {"anonymous": client_for(None)}
    for user in User.objects.filter(username__in=[spec["username"] for spec in DEMO_USERS]).order_by("id"):
        clients[user.username] = client_for(user)
    assert len(clients) == len(DEMO_USERS) + 1

    prober = Prober(targets)
    for operation in operations:
        prober.probe(operation, clients)

    report = "\n".join(str(failure) for failure in prober.failures)
    assert not prober.failures, f"{len(prober.failures)} of {prober.sent} requests answered badly:\n{report}"
    # Otherwise the hostile input never got past the permission check: give targets() a real object.
    assert not prober.unreached, f"no one may use these, whatever is sent: {prober.unreached}"
