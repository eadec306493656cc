"""The HTTP API under /api/v1: one NinjaAPI, its routers, offline docs and one error body for every failure.

Every error, whatever raised it, leaves as
``{"code": "<stable machine code>", "message": "<for people>", "errors": [{"field", "code", "message"}]}``;
the messages are in the language the caller asked for (Accept-Language or the language cookie), Chinese by default.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any

import ninja
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, path, re_path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.csrf import csrf_failure as csrf_failure_page
from django.views.decorators.http import require_safe
from django.views.defaults import bad_request as bad_request_page
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import NinjaGenerateJsonSchema

from onewindow.approvals.api import router as approvals_router
from onewindow.bundles.api import router as bundles_router
from onewindow.cases.api import router as cases_router
from onewindow.cases.errors import CaseError
from onewindow.catalog.api import router as catalog_router
from onewindow.catalog.schemas import ApiError, ErrorCause, ErrorOut, error_causes
from onewindow.inspections.api import router as inspections_router
from onewindow.licenses.api import router as licenses_router
from onewindow.notifications.api import router as notifications_router

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_bytes(data: Any) -> bytes:
    """UTF-8 JSON with readable Chinese, or all-ASCII when it echoes a lone surrogate a caller sent as \\ud800."""
    try:
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(data, cls=NinjaJSONEncoder).encode()


def error_response(
    status: int, code: str, message: str, errors: Iterable[dict[str, str]] = ()
) -> HttpResponse:
    body = {"code": code, "message": message, "errors": list(errors)}
    return HttpResponse(json_bytes(body), status=status, content_type=JSON_CONTENT_TYPE)


# ---------------------------------------------------------------- request bodies


class InvalidBody(ValueError):
    """The body is not a JSON object; raised by the parser, reported as 422 invalid_body."""


# A lone UTF-16 surrogate, which JSON can spell ("\\ud800") but UTF-8 cannot encode: neither the database
# nor the hash of a case's timeline could take it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _contains(data: Any, found: Callable[[str], bool]) -> bool:
    """Whether any text in parsed JSON, keys included, is `found`; iterative, as JSON may nest deep."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if found(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class JSONObjectParser(Parser):
    """Accept only a JSON object as a request body; anything else is the caller's mistake, never a 500.

    No text may carry a NUL character: PostgreSQL cannot store or even look one up, and no person types it;
    nor a lone surrogate, which is no character at all.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:
            raise InvalidBody(_("请求内容不是有效的 JSON，请以 JSON 对象提交。")) from exc
        if not isinstance(data, dict):
            raise InvalidBody(_("请求内容应为 JSON 对象（键值对）。"))
        if _contains(data, lambda text: "\x00" in text):
            raise InvalidBody(_("请求内容中含有空字符（U+0000），请删除后重新提交。"))
        if _contains(data, lambda text: _SURROGATE.search(text) is not None):
            raise InvalidBody(
                _("请求内容中含有无效字符（单独的 UTF-16 代理码元，如 \\ud800），请删除后重新提交。")
            )
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        source = "query" if data is request.GET else "form"
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(value, str) and "\x00" in value for value in values):
                raise ValidationError([{"type": "nul_character", "loc": (source, key)}])
        return super().parse_querydict(data, list_fields, request)


class ChineseJSONRenderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return json_bytes(data)


# ---------------------------------------------------------------- validation messages

# Parameter names as a person reads them; unknown names fall back to the raw name.
FIELD_LABELS = {
    "limit": gettext_lazy("每页条数（limit）"),
    "offset": gettext_lazy("起始位置（offset）"),
    "level": gettext_lazy("层级（level）"),
    "parent": gettext_lazy("上级区划代码（parent）"),
    "department": gettext_lazy("部门编码（department）"),
    "q": gettext_lazy("关键词（q）"),
    "permit_number": gettext_lazy("许可证号（permit_number）"),
    "unread": gettext_lazy("只看未读（unread）"),
    "before": gettext_lazy("更早一页的起点（before）"),
    "after": gettext_lazy("更新一页的起点（after）"),
    "valid_until": gettext_lazy("有效期截止日期（valid_until）"),
}

SOURCE_CODES = {"body": "invalid_body", "query": "invalid_query", "path": "invalid_path"}


def _field_message(error: dict[str, Any], label: str) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("缺少“%(label)s”，请补充后重新提交。") % {"label": label}
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("“%(label)s”应为 JSON 对象（键值对）。") % {"label": label}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("“%(label)s”应为整数。") % {"label": label}
    if kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        return _("“%(label)s”不能小于 %(bound)s。") % {"label": label, "bound": bound}
    if kind in {"less_than_equal", "less_than"}:
        bound = ctx.get("le", ctx.get("lt"))
        return _("“%(label)s”不能大于 %(bound)s。") % {"label": label, "bound": bound}
    if kind in {"enum", "literal_error"}:
        # pydantic lists the values as "'a', 'b' or 'c'"
        values = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ").split(", ")
        return _("“%(label)s”只能是以下之一：%(values)s。") % {"label": label, "values": _("、").join(values)}
    if kind in {"string_too_long"}:
        return _("“%(label)s”不能超过 %(max_length)s 个字符。") % {
            "label": label,
            "max_length": ctx.get("max_length"),
        }
    if kind in {"string_type"}:
        return _("“%(label)s”应为文字。") % {"label": label}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("“%(label)s”不能为空。") % {"label": label}
    if kind.startswith(("date_", "datetime_")):
        return _("“%(label)s”应为日期，格式为 YYYY-MM-DD（如 2030-12-31），且该日期须存在。") % {
            "label": label
        }
    if kind == "nul_character":
        return _("“%(label)s”中含有空字符（U+0000），请删除后重新提交。") % {"label": label}
    return _("“%(label)s”的值不正确，请检查后重新提交。") % {"label": label}


def _in_a_row(sentences: Iterable[str]) -> str:
    """Whole sentences one after another: Chinese runs them on after "。", English puts a space between."""
    text = ""
    for sentence in sentences:
        if text:
            text = pgettext("sentences in a row", "%(text)s%(sentence)s") % {
                "text": text,
                "sentence": sentence,
            }
        else:
            text = sentence
    return text


def _validation_errors(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """Ninja's pydantic errors as our code and per-field entries in the caller's language."""
    entries: list[dict[str, str]] = []
    sources: list[str] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source = loc[0] if loc else "body"
        # Body locations carry the view's parameter name first: ("body", "payload", "name").
        names = loc[2:] if source == "body" else loc[1:]
        field = ".".join(names) if names else "body"
        label = str(FIELD_LABELS.get(names[0], field)) if names else _("请求内容")
        sources.append(source)
        entries.append(
            {
                "field": field,
                "code": str(error.get("type", "invalid")),
                "message": _field_message(error, label),
            }
        )
    code = SOURCE_CODES.get(sources[0], "invalid_request") if sources else "invalid_request"
    return code, entries


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    code, entries = _validation_errors(exc.errors)
    problems = _in_a_row(entry["message"] for entry in entries)
    if code == "invalid_body":
        message = _("请求内容不符合要求：%(problems)s") % {"problems": problems}
    else:
        message = _("请求参数不符合要求：%(problems)s") % {"problems": problems}
    return error_response(422, code, message, entries)


# ---------------------------------------------------------------- other failures

HTTP_ERROR_CODES = {
    401: ("unauthenticated", gettext_lazy("请先登录后再调用此接口。")),
    403: ("forbidden", gettext_lazy("您没有调用此接口的权限。")),
    429: ("throttled", gettext_lazy("请求过于频繁，请稍后再试。")),
}
BAD_REQUEST = ("bad_request", gettext_lazy("请求不符合要求，请检查后重试。"))


def _on_case_error(request: HttpRequest, exc: CaseError) -> HttpResponse:
    errors = [{"field": field, "code": exc.code, "message": message} for field, message in exc.fields.items()]
    return error_response(exc.status, exc.code, exc.message, errors)


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.errors)


# What ninja's session authentication raises when an unsafe request lacks a valid CSRF token.
NINJA_CSRF_FAILED = "CSRF check Failed"


def _csrf_refused(request: HttpRequest) -> HttpResponse:
    """An unsafe request without a valid CSRF token: not signed in (or the session expired) is a 401;
    signed in, the token is what is missing, which is not a lack of permission."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return error_response(
            401, "unauthenticated", _("请先登录后再调用此接口；如已登录，可能是会话已过期，请重新登录。")
        )
    return error_response(
        403,
        "csrf_failed",
        _("请求缺少有效的 CSRF 令牌：请在请求头 X-CSRFToken 中带上 Cookie “csrftoken” 的值后重试。"),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (CSRF_FAILURE_VIEW): JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return _csrf_refused(request)
    return csrf_failure_page(request, reason)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (handler400), e.g. a body no middleware could read: JSON under /api/."""
    if request.path.startswith("/api/"):
        if isinstance(exception, MultiPartParserError):
            return _on_multipart_error(request, exception)
        code, reason = BAD_REQUEST
        return error_response(400, code, str(reason))
    return bad_request_page(request, exception)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and str(exc) == NINJA_CSRF_FAILED:
        return _csrf_refused(request)
    # Ninja turns any parser failure into a plain 400; the parser's own error says what was wrong.
    if isinstance(exc.__cause__, InvalidBody):
        message = str(exc.__cause__)
        return error_response(
            422, "invalid_body", message, [{"field": "body", "code": "invalid_body", "message": message}]
        )
    code, reason = HTTP_ERROR_CODES.get(exc.status_code, BAD_REQUEST)
    return error_response(exc.status_code, code, str(reason))


def _on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # The database refused a value (out of range, too long) that no schema checked first. It came
    # from the caller, so a 4xx; logged, because the check belongs in the endpoint's schema.
    logger.warning("Database refused a value on %s %s", request.method, request.path, exc_info=exc)
    message = _("请求中有无法处理的值（如数字过大、文字过长或含有空字符），请检查后重新提交。")
    return error_response(422, "invalid_request", message)


def _on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("没有找到您请求的内容，请核对地址或编码。"))


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "body_too_large", _("请求内容过大，请精简后重新提交。"))
    if isinstance(exc, TooManyFilesSent):
        message = _("一次上传的文件过多，最多 %(count)s 个，请分批上传。") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
        return error_response(400, "too_many_files", message)
    if isinstance(exc, TooManyFieldsSent):
        message = _("请求中的字段过多，最多 %(count)s 个，请精简后重新提交。") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return error_response(400, "too_many_fields", message)
    code, reason = BAD_REQUEST
    return error_response(400, code, str(reason))


def _on_multipart_error(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A body that says it is multipart but cannot be read as such (no boundary, a broken part).
    message = _(
        "请求内容无法按 multipart/form-data 读取（如缺少 boundary 或某部分编码有误）："
        "上传文件请使用 multipart/form-data，其他请求请使用 application/json。"
    )
    return error_response(400, "invalid_multipart", message)


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path, exc_info=exc)
    message = _("服务器处理请求时出错，我们已记录此问题。请稍后重试；如仍失败，请联系政务服务中心。")
    return error_response(500, "internal_error", message)


def _json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make what happens outside ninja's operations (405, the root, the docs) answer in the same JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            return _on_http404(request, exc)
        except Exception as exc:
            return _on_unexpected(request, exc)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            message = _("此接口不支持 %(method)s 请求，请改用 %(allowed)s。") % {
                "method": request.method,
                "allowed": allowed,
            }
            json_405 = error_response(405, "method_not_allowed", message)
            json_405["Allow"] = allowed
            return json_405
        return response

    return wrapper


def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", _("没有这个接口地址，请查看 /api/v1/docs 中的接口列表。"))


# ---------------------------------------------------------------- offline docs

# Swagger UI as shipped inside django-ninja, served from here so the docs work without internet
# and without adding "ninja" to INSTALLED_APPS.
NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-init.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


@require_safe
def _docs_asset(request: HttpRequest, name: str) -> FileResponse:
    content_type = DOCS_ASSETS.get(name)
    if content_type is None:
        raise Http404(name)
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineSwagger(DocsBase):
    """Swagger UI from the files bundled with django-ninja instead of a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": name})

        swagger = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        html = format_html(
            '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="{}"><link rel="icon" href="{}" type="image/svg+xml">'
            "<title>{}</title></head><body>{}"
            '<div id="swagger-ui"></div><script src="{}"></script><script src="{}"></script></body></html>',
            asset("swagger-ui.css"),
            asset("favicon.svg"),
            api.title,
            json_script(swagger, "swagger-settings"),
            asset("swagger-ui-bundle.js"),
            asset("swagger-ui-init.js"),
        )
        return HttpResponse(html)


# ---------------------------------------------------------------- the OpenAPI document

# What every operation of a shape can answer, whatever it does; each operation adds its own causes
# (onewindow.catalog.schemas.error_answers). The codes are those the handlers above give.
FORM_UNREADABLE: ErrorCause = (
    ("invalid_multipart", "too_many_files", "too_many_fields"),
    gettext_lazy(
        "请求内容无法按表单读取：multipart/form-data 缺少 boundary 或某部分编码有误，或文件、字段过多。"
        "上传文件请使用 multipart/form-data，其他请求请使用 application/json 并在请求头 X-CSRFToken 中带上令牌。"
    ),
)
QUERY_UNREADABLE: ErrorCause = ("too_many_fields", gettext_lazy("查询参数过多，请只传本接口列出的参数。"))
NOT_SIGNED_IN: ErrorCause = ("unauthenticated", gettext_lazy("未登录，或会话已过期：请先登录。"))
CSRF_REFUSED: ErrorCause = (
    "csrf_failed",
    gettext_lazy("缺少有效的 CSRF 令牌：请在请求头 X-CSRFToken 中带上 Cookie “csrftoken” 的值。"),
)
PATH_NOT_FOUND: ErrorCause = (
    "not_found",
    gettext_lazy("路径中的编码没有对应的内容，请核对编码，或从列表接口中选择。"),
)
BODY_TOO_LARGE: ErrorCause = ("body_too_large", gettext_lazy("请求内容过大，请精简后重新提交。"))
INVALID_PATH: ErrorCause = ("invalid_path", gettext_lazy("路径中的编号不是有效的整数。"))
INVALID_QUERY: ErrorCause = ("invalid_query", gettext_lazy("查询参数不符合要求，errors 逐项说明。"))
INVALID_BODY: ErrorCause = (
    "invalid_body",
    gettext_lazy("请求内容不是 JSON 对象，或其中的字段缺少、类型或长度不符合要求，errors 逐项说明。"),
)
INVALID_FORM: ErrorCause = ("invalid_request", gettext_lazy("缺少要上传的文件，或表单字段不符合要求。"))

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_SCHEMA = {"$ref": REF_TEMPLATE.format(model=ErrorOut.__name__)}


def shape_causes(operation: Operation, details: dict[str, Any]) -> dict[int, list[ErrorCause]]:
    """The error answers an operation gives because of its shape: sign-in, method, parameters and body."""
    signed_in = bool(details.get("security"))
    unsafe = bool(UNSAFE_METHODS.intersection(operation.methods))
    # Django's CSRF check reads a form body when a signed-in POST lacks the X-CSRFToken header.
    form_read = signed_in and "POST" in operation.methods
    parameters = details.get("parameters", [])
    path_params = [p for p in parameters if p["in"] == "path"]
    query = any(p["in"] == "query" for p in parameters)
    content = details.get("requestBody", {}).get("content", {})
    json_body = "application/json" in content
    form_body = "multipart/form-data" in content or "application/x-www-form-urlencoded" in content
    sources = {model.__ninja_param_source__ for model in operation.models}

    causes: dict[int, list[ErrorCause]] = {}

    def add(status: int, cause: ErrorCause, when: bool) -> None:
        if when:
            causes.setdefault(status, []).append(cause)

    add(400, FORM_UNREADABLE, form_body or form_read)
    add(400, QUERY_UNREADABLE, query)
    add(401, NOT_SIGNED_IN, signed_in)
    add(403, CSRF_REFUSED, signed_in and unsafe)
    add(404, PATH_NOT_FOUND, bool(path_params))
    add(413, BODY_TOO_LARGE, json_body or form_body or form_read)
    add(422, INVALID_PATH, any(p["schema"].get("type") == "integer" for p in path_params))
    add(422, INVALID_QUERY, query)
    add(422, INVALID_BODY, json_body)
    add(422, INVALID_FORM, bool(sources & {"file", "form"}))
    return causes


class OneWindowSchema(OpenAPISchema):
    """The OpenAPI document with every error answer an operation can give, each with the ErrorOut body.

    Built for each request, so its texts are in the caller's language. An operation's own causes
    (openapi_extra from error_answers) follow those of its shape; for 404 they replace the shape's
    "not_found", since an operation that names what it looks up answers with its own code.
    """

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details: dict[str, Any] = super().operation_details(operation)
        # A router's tag is its Chinese name, marked with gettext_noop; shown in the caller's language.
        details["tags"] = [_(tag) for tag in details.get("tags") or []]
        shaped = shape_causes(operation, details)
        declared = {
            status: entry["description"]
            for status, entry in (operation.openapi_extra or {}).get("responses", {}).items()
            if status >= 400 and "description" in entry
        }
        if 404 in declared:
            shaped.pop(404, None)
        responses: dict[int, Any] = {
            status: answer for status, answer in details["responses"].items() if status < 400
        }
        for status in sorted({*shaped, *declared, *(s for s in details["responses"] if s >= 400)}):
            parts = [str(error_causes(shaped[status]))] if status in shaped else []
            if status in declared:
                parts.append(str(declared[status]))
            responses[status] = {
                "description": "\n".join(parts),
                "content": {self.api.renderer.media_type: {"schema": ERROR_SCHEMA}},
            }
        details["responses"] = responses
        if any(status >= 400 for status in responses):
            self._add_error_schema()
        return details

    def _add_error_schema(self) -> None:
        if ErrorOut.__name__ in self.schemas:
            return
        schema = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )
        self.add_schema_definitions({**schema.pop("$defs", {}), ErrorOut.__name__: schema})


# ---------------------------------------------------------------- the API


class OneWindowAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return OneWindowSchema(self, path_prefix)

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_errors(pattern.callback)
        extra = [
            path("docs/assets/<str:name>", _json_errors(_docs_asset), name="docs-asset"),
            re_path(r"^(?P<rest>.*)$", _json_errors(_unknown_path), name="unknown-path"),
        ]
        return [*patterns, *extra], app_name, namespace


# Ninja uses the handler of the nearest class in the exception's MRO, so Exception only gets the rest.
EXCEPTION_HANDLERS: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
    (ApiError, _on_api_error),
    (CaseError, _on_case_error),
    (ValidationError, _on_validation_error),
    (HttpError, _on_http_error),
    (DataError, _on_data_error),
    (Http404, _on_http404),
    (SuspiciousOperation, _on_suspicious),
    (MultiPartParserError, _on_multipart_error),
    (Exception, _on_unexpected),
]


def build_api(**options: Any) -> OneWindowAPI:
    """A NinjaAPI with this project's parser, renderer, offline docs and error bodies."""
    instance = OneWindowAPI(
        docs=OfflineSwagger(), parser=JSONObjectParser(), renderer=ChineseJSONRenderer(), **options
    )
    for exc_class, handler in EXCEPTION_HANDLERS:
        instance.add_exception_handler(exc_class, handler)
    return instance


api = build_api(
    title="一窗通办 API",
    version="1",
    description=gettext_lazy(
        "政务服务事项目录、一业一证主题和办理方案。所有错误都以 "
        '{"code": 机器可读编码, "message": 中文说明, "errors": [{"field", "code", "message"}]} 返回。'
    ),
)
api.add_router("/", catalog_router)
api.add_router("/bundles", bundles_router)
api.add_router("/", cases_router)
api.add_router("/", approvals_router)
api.add_router("/", inspections_router)
api.add_router("/licences", licenses_router)
api.add_router("/", notifications_router)
