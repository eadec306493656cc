"""API for bundles (一业一证 / 一件事): the bundles, their scenario questions, and the plan for given answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext, pgettext_lazy
from ninja import Router

from onewindow.bundles.models import Bundle, BundleItem, Dependency, Question, Rule
from onewindow.bundles.planner import (
    Answer,
    AnswersInvalid,
    Plan,
    bundle_for_planning,
    clean_answers,
    plan_bundle,
    rule_holds,
)
from onewindow.bundles.schemas import BundleDetail, BundleSummary, PlanOut, PlanRequest
from onewindow.catalog.api import choice_label, department_ref, field_out, number_out
from onewindow.catalog.models import Department, ItemField, ItemMaterial, Material, ServiceItem
from onewindow.catalog.models import Field as CatalogField
from onewindow.catalog.schemas import ApiError, ErrorOut, error_answers, not_found
from onewindow.lib.errors import sentences_joined
from onewindow.lib.revision import Generation, RevisionCache

# Summaries and descriptions are lazy translations (ninja types them as str): the OpenAPI document
# is rendered in the caller's language.
router = Router(tags=[gettext_noop("一业一证")])

BUNDLE_KIND = pgettext_lazy("what was not found", "一业一证主题")


def _bundle_summary(bundle: Bundle, item_count: int) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "industry": bundle.industry,
        "summary": bundle.summary,
        "licence_name": bundle.licence_name,
        "lead_department": department_ref(bundle.lead_department),
        "item_count": item_count,
    }


def _question_out(question: Question) -> dict[str, Any]:
    return {
        "code": question.code,
        "text": question.text,
        "help": question.help_text_zh,
        "kind": question.kind,
        "kind_label": choice_label(Question.Kind, question.kind),
        "options": [
            {"value": str(o["value"]), "label": str(o.get("label", o["value"]))}
            for o in question.options
            if isinstance(o, dict) and "value" in o
        ],
        "unit": question.unit,
        "min": number_out(question.min_value),
        "max": number_out(question.max_value),
    }


@router.get("", response=list[BundleSummary], summary=cast(str, gettext_lazy("一业一证主题列表")))
def bundle_list(request: HttpRequest) -> list[dict[str, Any]]:
    bundles = (
        Bundle.objects.filter(is_published=True)
        .select_related("lead_department")
        .annotate(item_count=Count("bundle_items"))
    )
    return [_bundle_summary(b, b.item_count) for b in bundles]


@router.get(
    "/{code}",
    response={200: BundleDetail, 404: ErrorOut},
    summary=cast(str, gettext_lazy("主题详情：事项、前置关系和情形问题")),
)
def bundle_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    bundle = (
        Bundle.objects.filter(code=code, is_published=True)
        .select_related("lead_department", "commitment_question")
        .prefetch_related(
            Prefetch("bundle_items", queryset=BundleItem.objects.select_related("item__department")),
            "questions",
            "dependencies__item",
            "dependencies__prerequisite",
        )
        .first()
    )
    if bundle is None:
        raise not_found(str(BUNDLE_KIND), code)
    members = [bi.item for bi in bundle.bundle_items.all()]
    return {
        **_bundle_summary(bundle, len(members)),
        "commitment_question": bundle.commitment_question.code if bundle.commitment_question else None,
        "items": [
            {
                "code": item.code,
                "name": item.name,
                "department": department_ref(item.department),
                "statutory_limit_days": item.statutory_limit_days,
                "promised_limit_days": item.promised_limit_days,
                "supports_commitment": item.supports_commitment,
                "commitment_limit_days": item.commitment_limit_days,
            }
            for item in members
        ],
        "dependencies": [
            {"item": d.item.code, "requires": d.prerequisite.code, "note": d.note}
            for d in sorted(bundle.dependencies.all(), key=lambda d: d.id)
        ],
        "questions": [_question_out(q) for q in bundle.questions.all()],
    }


PLAN_BODY_FORMAT = gettext_lazy('{"answers": {"问题编码": 回答, …}}')


def read_answers(body: bytes) -> dict[str, Any]:
    """The "answers" object of a plan request; anything else is a 422 invalid_body in Chinese."""

    def invalid(field_name: str, code: str, problem: str) -> ApiError:
        message = _("请求内容不符合要求：%(problem)s正确的格式为 %(format)s。") % {
            "problem": problem,
            "format": PLAN_BODY_FORMAT,
        }
        return ApiError(
            422, "invalid_body", message, [{"field": field_name, "code": code, "message": problem}]
        )

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise invalid("body", "invalid_body", _("请求内容不是有效的 JSON。")) from None
    if not isinstance(data, dict):
        raise invalid("body", "invalid_body", _("请求内容应为 JSON 对象。"))
    if "answers" not in data:
        raise invalid("answers", "missing", _("缺少“情形问题的回答（answers）”。"))
    answers = data["answers"]
    if not isinstance(answers, dict):
        raise invalid("answers", "dict_type", _("“情形问题的回答（answers）”应为 JSON 对象（键值对）。"))
    return answers


@router.post(
    "/{code}/plan",
    response={200: PlanOut, 404: ErrorOut, 422: ErrorOut},
    summary=cast(str, gettext_lazy("按情形回答生成办理方案")),
    description=cast(
        str,
        gettext_lazy(
            "返回需要办理的事项、合并后的一张申请表、一份材料清单（提交 / 共享调取 / 承诺替代）、"
            "承诺书条款、尚未回答的问题和精简情况。回答不符合要求时返回 422，每个问题一条说明。"
        ),
    ),
    # The body is read by read_answers(), not by a ninja body parameter: schema validation took a
    # sixth of a cached plan request. PlanRequest still documents it.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PlanRequest.model_json_schema()}},
        },
        **error_answers(
            {
                422: [
                    (
                        "invalid_answers",
                        gettext_lazy(
                            "有回答不符合要求，errors 中每个问题一条（field 为 answers.问题编码）。"
                        ),
                    )
                ]
            }
        ),
    },
)
def bundle_plan(request: HttpRequest, code: str) -> HttpResponse:
    answers = read_answers(request.body)
    try:
        body = plan_body(code, answers)
    except Bundle.DoesNotExist:
        raise not_found(str(BUNDLE_KIND), code) from None
    except AnswersInvalid as exc:
        raise ApiError(
            422,
            "invalid_answers",
            ngettext(
                "有 %(count)d 个回答不符合要求：%(problems)s请修改后重新提交。",
                "有 %(count)d 个回答不符合要求：%(problems)s请修改后重新提交。",
                len(exc.problems),
            )
            % {"count": len(exc.problems), "problems": sentences_joined(p.message for p in exc.problems)},
            [{"field": f"answers.{p.question}", "code": p.code, "message": p.message} for p in exc.problems],
        ) from None
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def plan_out(plan: Plan) -> dict[str, Any]:
    bundle = plan.bundle
    return {
        "bundle": {"code": bundle.code, "name": bundle.name, "licence_name": bundle.licence_name},
        "items": [
            {
                "code": p.item.code,
                "name": p.item.name,
                "department": {"code": p.item.department.code, "name": p.item.department.name},
                "statutory_limit_days": p.item.statutory_limit_days,
                "statutory_extension_days": p.item.statutory_extension_days,
                "promised_limit_days": p.item.promised_limit_days,
                "commitment_limit_days": p.item.commitment_limit_days,
                "limit_days": p.limit_days,
                "prerequisites": [pre.code for pre in p.prerequisites],
                "dependency_notes": list(p.dependency_notes),
                "reason": p.reason,
                "commitment": p.commitment,
            }
            for p in plan.items
        ],
        "form": [
            {**field_out(f.field, required=f.required), "used_by": [i.code for i in f.items]}
            for f in plan.form
        ],
        "materials": [
            {
                "code": m.material.code,
                "name": m.material.name,
                "description": m.material.description,
                "disposition": m.disposition,
                "disposition_label": m.disposition_label,
                "reason": m.reason,
                "disposition_reason": m.disposition_reason,
                "items": [i.code for i in m.items],
                "originals": m.originals,
                "copies": m.copies,
                "condition_notes": list(m.condition_notes),
            }
            for m in plan.materials
        ],
        "commitment": [
            {
                "item": c.item.code if c.item else None,
                "material": c.material.code if c.material else None,
                "text": c.text,
            }
            for c in plan.commitment
        ],
        "unanswered": [q.code for q in plan.unanswered],
        "summary": plan.summary.as_dict(),
    }


def render_plan(bundle: Bundle, answers: Mapping[str, Answer]) -> bytes:
    # Plain dicts dumped once: validating this much output through PlanOut costs more than planning.
    # PlanOut still documents the shape, and the tests check responses against it.
    return json.dumps(plan_out(plan_bundle(bundle, answers)), ensure_ascii=False).encode()


# ---------------------------------------------------------------- plan cache
#
# Fetching a bundle for planning takes eight queries and most of a request's time, and a plan
# depends only on the bundle's rows and the answers. So each process keeps the prefetched bundles
# and the rendered plans of one *catalogue revision*. The revision is a token in a file in
# DATA_DIR, replaced after every committed change to a row a plan reads (saves and deletes from
# the admin, the YAML import or the seed command all send the model signals), so every worker
# process on the machine sees the change at its next request. Bulk ``QuerySet.update()`` sends no
# signal and must not be used on these models. Several machines need the file on shared storage.

MAX_CACHED_PLANS = 256  # and bundles

# Every model whose rows appear in a plan.
PLANNED_MODELS = (
    Bundle,
    BundleItem,
    Question,
    Rule,
    Dependency,
    ServiceItem,
    Department,
    ItemMaterial,
    Material,
    ItemField,
    CatalogField,
)


class PlanningBundle:
    """A bundle fetched for planning, with what its plans' signatures need worked out once."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        # Rules sharing a condition ("by_agent = yes" gates nine authorisation letters) hold together.
        conditions: dict[tuple[int, str, str], Rule] = {}
        for rule in bundle.rules.all():
            conditions.setdefault((rule.question_id, rule.operator, rule.value), rule)
        self.conditions = tuple(conditions.values())
        self.commitment_code = bundle.commitment_question.code if bundle.commitment_question else None

    def signature(self, answers: Mapping[str, Answer]) -> tuple[Any, ...]:
        """Everything a plan takes from the cleaned answers: which rule conditions hold, whether the
        applicant chose the commitment, and which questions are answered (for "unanswered").

        Applicants whose answers differ only where no rule looks (35 or 36 tonnes a day, when the
        rule is "more than 0") get the same plan. This mirrors plan_bundle(); the tests check that
        equal signatures give equal plans.
        """
        return (
            tuple(rule_holds(rule, answers) for rule in self.conditions),
            answers.get(self.commitment_code) is True if self.commitment_code else True,
            tuple(sorted(answers)),
        )


plan_cache: RevisionCache[tuple[Any, ...], Any] = RevisionCache(
    settings.DATA_DIR / "bundles.revision", max_entries=MAX_CACHED_PLANS
)
plan_cache.watch(PLANNED_MODELS, name="plan-cache")


def catalogue_changed() -> None:
    """Start a new revision: every process drops its cached bundles and plans at its next request."""
    plan_cache.changed()


def _planning_bundle(generation: Generation[tuple[Any, ...], Any], code: str) -> PlanningBundle:
    planning: PlanningBundle = generation.get(
        ("bundle", code), lambda: PlanningBundle(bundle_for_planning(code))
    )
    return planning


def plan_for_case(code: str, raw_answers: Mapping[str, Any]) -> Plan:
    """The plan a new case is started from, planned from this process's cached bundle when it may be.

    Raises Bundle.DoesNotExist and AnswersInvalid like the planner. The bundle's rows are shared
    with other requests: the plan must be read, never changed.
    """
    bundle = _planning_bundle(plan_cache.generation(), code).bundle
    return plan_bundle(bundle, clean_answers(bundle, raw_answers))


def plan_body(code: str, raw_answers: Mapping[str, Any]) -> bytes:
    """The plan as JSON bytes. Raises Bundle.DoesNotExist and AnswersInvalid like the planner."""
    # The revision before the rows (see RevisionCache).
    generation = plan_cache.generation()
    language = translation.get_language()
    # First by the answers as sent (repr tells true from 1 and "1"): a repeated request skips even
    # the checking. Then by what the plan depends on. The planner's sentences follow the language.
    request_key = ("request", code, language, repr(sorted(raw_answers.items())))
    body = generation.lookup(request_key)
    if body is None:
        planning = _planning_bundle(generation, code)
        answers = clean_answers(planning.bundle, raw_answers)
        plan_key = ("plan", code, language, planning.signature(answers))
        body = generation.lookup(plan_key)
        if body is None:
            body = render_plan(planning.bundle, answers)
            generation.store(plan_key, body)
        generation.store(request_key, body)
    return body
