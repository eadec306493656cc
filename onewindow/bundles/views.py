"""Public bundle pages: the questionnaire with its live plan, the notice (page and PDF), the commitment letter.

The answers travel in the query string (GET), so every plan, notice and commitment is a
shareable, bookmarkable URL such as /bundles/hotel/?food=meals&pool=yes. Keys that are not
question codes (WeChat's from=singlemessage, utm_source, …) are added to links on the way and
are ignored; only the htmx plan partial, whose query comes from the questionnaire itself,
reports them (the page is out of date and should be reloaded).

Invalid answers (a hand-edited URL, an out-of-range number) never fail the request: the
page answers 200 with the planner's Chinese message beside each question and a plan built
from the remaining valid answers. The htmx plan partial answers 200 as well, because htmx
does not swap 4xx responses by default; its error messages reach the questions through
out-of-band swaps. The notice, PDF and commitment need valid answers and redirect to the
questionnaire, which shows what to correct.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.bundles.models import Bundle, Question
from onewindow.bundles.notice_pdf import notice_pdf
from onewindow.bundles.planner import (
    Answer,
    AnswerProblem,
    AnswersInvalid,
    Disposition,
    Plan,
    bundle_for_planning,
    clean_answers,
    plan_bundle,
)
from onewindow.catalog import selectors
from onewindow.lib.pdf import FontUnavailable, pdf_response

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class QuestionRow:
    """One question as the questionnaire shows it: current value, options, problems."""

    question: Question
    value: str
    options: tuple[Option, ...]
    errors: tuple[str, ...]

    @property
    def is_number(self) -> bool:
        return self.question.kind == Question.Kind.NUMBER


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    answer: str
    answered: bool


@dataclass
class PlannedRequest:
    bundle: Bundle
    plan: Plan
    raw: dict[str, str]
    problems: list[AnswerProblem] = field(default_factory=list)

    @property
    def query(self) -> str:
        """The cleaned answers as a query string, in question order."""
        return answers_query(self.bundle, self.plan.answers)


def _bundle_or_404(code: str) -> Bundle:
    try:
        return bundle_for_planning(code)
    except Bundle.DoesNotExist:
        raise Http404(
            _("没有找到“%(code)s”这个一业一证主题，它可能尚未发布或网址有误。") % {"code": code}
        ) from None


def _planned(request: HttpRequest, code: str, *, from_link: bool = True) -> PlannedRequest:
    """Parse the answers in the query string and plan; invalid answers are kept aside, not fatal.

    From a link, keys that are not question codes are dropped (messengers and campaigns add their
    own); from the questionnaire's htmx request they are reported as problems.
    """
    bundle = _bundle_or_404(code)
    raw = {key: str(value) for key, value in request.GET.items()}
    if from_link:
        codes = {q.code for q in bundle.questions.all()}
        raw = {key: value for key, value in raw.items() if key in codes}
    try:
        answers = clean_answers(bundle, raw)
        problems: list[AnswerProblem] = []
    except AnswersInvalid as exc:
        problems = exc.problems
        rejected = {problem.question for problem in problems}
        answers = clean_answers(bundle, {k: v for k, v in raw.items() if k not in rejected})
    return PlannedRequest(bundle=bundle, plan=plan_bundle(bundle, answers), raw=raw, problems=problems)


def _answer_value(answer: Answer) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, Decimal):
        return format(answer.normalize(), "f") if answer == answer.to_integral() else str(answer)
    return str(answer)


def answers_query(bundle: Bundle, answers: dict[str, Answer]) -> str:
    pairs = [(q.code, _answer_value(answers[q.code])) for q in bundle.questions.all() if q.code in answers]
    return urlencode(pairs)


def _options(question: Question) -> list[tuple[str, str]]:
    if question.kind == Question.Kind.YES_NO:
        return [("yes", _("是")), ("no", _("否"))]
    return [
        (str(o.get("value")), str(o.get("label", o.get("value"))))
        for o in question.options
        if isinstance(o, dict)
    ]


def question_rows(planned: PlannedRequest) -> list[QuestionRow]:
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in planned.problems:
        errors[problem.question].append(problem.message)
    rows = []
    for question in planned.bundle.questions.all():
        if question.code in planned.plan.answers:
            value = _answer_value(planned.plan.answers[question.code])
        else:
            value = planned.raw.get(question.code, "")
        options = tuple(Option(value=v, label=label, checked=(v == value)) for v, label in _options(question))
        rows.append(
            QuestionRow(question=question, value=value, options=options, errors=tuple(errors[question.code]))
        )
    return rows


def general_problems(planned: PlannedRequest) -> list[str]:
    """Problems that belong to no question on the page (a key the questionnaire sent that is no
    longer a question: the page is out of date)."""
    codes = {q.code for q in planned.bundle.questions.all()}
    return [p.message for p in planned.problems if p.question not in codes]


def answer_rows(bundle: Bundle, answers: dict[str, Answer]) -> list[AnswerRow]:
    rows = []
    for question in bundle.questions.all():
        if question.code not in answers:
            rows.append(AnswerRow(question=question, answer=_("未回答"), answered=False))
            continue
        value = _answer_value(answers[question.code])
        labels = dict(_options(question))
        if question.kind == Question.Kind.NUMBER:
            text = f"{value} {question.unit}".strip()
        else:
            text = labels.get(value, value)
        rows.append(AnswerRow(question=question, answer=text, answered=True))
    return rows


def _plan_context(planned: PlannedRequest) -> dict[str, object]:
    plan = planned.plan
    groups = [
        (Disposition.UPLOAD, _("需提交"), [m for m in plan.materials if m.disposition == Disposition.UPLOAD]),
        (
            Disposition.SHARED,
            _("部门共享调取"),
            [m for m in plan.materials if m.disposition == Disposition.SHARED],
        ),
        (
            Disposition.COMMITMENT,
            _("告知承诺替代"),
            [m for m in plan.materials if m.disposition == Disposition.COMMITMENT],
        ),
    ]
    return {
        "bundle": planned.bundle,
        "plan": plan,
        "summary": plan.summary,
        "material_groups": groups,
        "query": planned.query,
        "questions": question_rows(planned),
        "general_problems": general_problems(planned),
        "has_problems": bool(planned.problems),
    }


def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "bundles/list.html", {"bundles": selectors.bundle_cards()})


def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    planned = _planned(request, code)
    return render(request, "bundles/detail.html", _plan_context(planned))


def bundle_plan(request: HttpRequest, code: str) -> HttpResponse:
    """The plan partial that htmx swaps in on every change of the questionnaire."""
    planned = _planned(request, code, from_link=False)
    response = render(request, "bundles/plan_response.html", _plan_context(planned))
    if getattr(request, "htmx", False):
        # The address bar follows the answers, so copying it shares this very plan.
        url = reverse("bundles:detail", args=[planned.bundle.code])
        response["HX-Replace-Url"] = f"{url}?{planned.query}" if planned.query else url
    return response


def _valid_or_redirect(request: HttpRequest, code: str) -> PlannedRequest | HttpResponseRedirect:
    planned = _planned(request, code)
    if planned.problems:
        url = reverse("bundles:detail", args=[planned.bundle.code])
        return HttpResponseRedirect(f"{url}?{request.GET.urlencode()}")
    return planned


def _notice_context(planned: PlannedRequest) -> dict[str, object]:
    context = _plan_context(planned)
    context.update(
        {
            "answers": answer_rows(planned.bundle, planned.plan.answers),
            "centre": selectors.municipal_centre(),
            "centre_name": settings.CENTRE_NAME,
            "generated": timezone.localtime(),
        }
    )
    return context


def bundle_notice(request: HttpRequest, code: str) -> HttpResponse:
    planned = _valid_or_redirect(request, code)
    if isinstance(planned, HttpResponseRedirect):
        return planned
    return render(request, "bundles/notice.html", _notice_context(planned))


def bundle_notice_pdf(request: HttpRequest, code: str) -> HttpResponse:
    planned = _valid_or_redirect(request, code)
    if isinstance(planned, HttpResponseRedirect):
        return planned
    try:
        content = notice_pdf(
            planned.plan,
            answers=answer_rows(planned.bundle, planned.plan.answers),
            centre=selectors.municipal_centre(),
            centre_name=settings.CENTRE_NAME,
            generated=timezone.localtime(),
        )
    except FontUnavailable as exc:
        logger.error("notice PDF not rendered: %s", exc)
        context = {**_plan_context(planned), "error": exc}
        return render(request, "public/pdf_unavailable.html", context, status=503)
    return pdf_response(
        content,
        _("一单告知-%(industry)s.pdf") % {"industry": planned.bundle.industry},
        ascii_filename=f"notice-{planned.bundle.code}.pdf",
    )


def bundle_commitment(request: HttpRequest, code: str) -> HttpResponse:
    planned = _valid_or_redirect(request, code)
    if isinstance(planned, HttpResponseRedirect):
        return planned
    context = _notice_context(planned)
    context["committed_items"] = [p for p in planned.plan.items if p.commitment]
    return render(request, "bundles/commitment.html", context)
