"""Branches (子件): one item's part of a case, decided by its department within a deadline."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.lib.workdays import library_has_schedule, stored_warnings_shown


class BranchStatus(models.TextChoices):
    WAITING = "waiting", _("等待前置审批")
    PENDING = "pending", _("审批中")
    PAUSED = "paused", _("暂停计时")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")


OPEN_BRANCH_STATUSES = (BranchStatus.WAITING, BranchStatus.PENDING, BranchStatus.PAUSED)
DECIDED_BRANCH_STATUSES = (BranchStatus.APPROVED, BranchStatus.DENIED)


class Branch(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="branches")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("审批部门"), on_delete=models.PROTECT, related_name="branches"
    )
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents", verbose_name=_("前置子件")
    )
    status = models.CharField(_("状态"), max_length=10, choices=BranchStatus.choices)
    limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    opened_on = models.DateField(_("开始计时日期"), null=True, blank=True)
    due_on = models.DateField(
        _("到期日"), null=True, blank=True, help_text=_("按工作日计算，已扣除暂停计时和延期。")
    )
    paused_workdays = models.PositiveSmallIntegerField(_("已暂停工作日"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("已延长工作日"), default=0)
    calendar_warning = models.CharField(_("日历提示"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.PROTECT, null=True, blank=True
    )
    permit_number = models.CharField(_("许可证号"), max_length=60, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    decision_reason = models.TextField(_("理由"), blank=True)
    decision_legal_basis = models.TextField(_("法律依据"), blank=True)
    rectification_note = models.TextField(_("整改要求"), blank=True)
    version = models.PositiveIntegerField(
        _("版本"), default=0, help_text=_("每次变更加一；并发决定时只有一个成功。")
    )

    class Meta:
        verbose_name = _("子件")
        verbose_name_plural = _("子件")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="approvals_branch_once_per_item"),
        ]
        indexes = [
            # The reviewer's queue (approvals.selectors.reviewer_queue): one department's open branches
            # by due date, read in index order so a page stops after its rows; status, last, lets the
            # per-tab counts (queue_counts) read the index alone. Partial: the decided rows, nearly all
            # of the table, stay out.
            models.Index(
                fields=["department", "due_on", "id", "status"],
                condition=models.Q(status__in=OPEN_BRANCH_STATUSES),
                name="approvals_open_queue_idx",
            ),
            # The queue's decided tab: one department's decisions, newest first, a page at a time by
            # keyset (decided_page), and its capped count.
            models.Index(
                fields=["department", "-decided_at", "-id"],
                condition=models.Q(status__in=DECIDED_BRANCH_STATUSES),
                name="approvals_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.item}"

    @property
    def calendar_warning_shown(self) -> str:
        """The calendar warning in the reader's language (it is stored in the source language)."""
        return stored_warnings_shown(self.calendar_warning)


class ClockPause(models.Model):
    """Time that does not count toward the limit (Administrative Licensing Law Art. 45)."""

    class Reason(models.TextChoices):
        SUPPLEMENT = "supplement", _("补正材料")
        SITE_CHECK = "site_check", _("现场核查")
        RECTIFICATION = "rectification", _("整改")
        EXPERT = "expert", _("检验检测、专家评审")

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("原因"), max_length=15, choices=Reason.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        constraints = [
            # At most one open pause per branch.
            models.UniqueConstraint(
                fields=["branch"], condition=models.Q(ended_on__isnull=True), name="approvals_one_open_pause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.reason} {self.started_on}—{self.ended_on or ''}"


# The pauses in which the department waits for the applicant: he may answer them (RectificationReply).
APPLICANT_PAUSE_REASONS = (ClockPause.Reason.SUPPLEMENT, ClockPause.Reason.RECTIFICATION)
REPLY_TEXT_MAX = 1000
REPLY_KEY_MAX = 64


class RectificationReply(models.Model):
    """The applicant's answer to what the department asked when it paused the clock (整改、补正)."""

    pause = models.ForeignKey(
        ClockPause,
        verbose_name=_("暂停计时"),
        on_delete=models.CASCADE,
        related_name="replies",
        help_text=_("所答复的暂停计时；整改要求见子件的“整改要求”。"),
    )
    text = models.TextField(
        _("答复内容"), max_length=REPLY_TEXT_MAX, help_text=_("申请人说明已如何整改或补充。")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("答复时间"))
    key = models.CharField(
        _("提交令牌"),
        max_length=REPLY_KEY_MAX,
        blank=True,
        help_text=_("答复页面每次打开时给出的一次性令牌；重复提交同一令牌不会再保存一份答复。"),
    )

    class Meta:
        verbose_name = _("整改答复")
        verbose_name_plural = _("整改答复")
        ordering = ["pause", "submitted_at", "id"]
        constraints = [
            # A double tap on 提交答复 posts the same key twice; the second finds the first's reply
            # (approvals.services.branch_reply). Replies sent without a key are not deduplicated.
            models.UniqueConstraint(
                fields=["pause", "key"], condition=~models.Q(key=""), name="approvals_reply_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pause_id} {self.submitted_at:%Y-%m-%d %H:%M}"


class RectificationReplyFile(models.Model):
    """A scan or photo handed in with a reply, checked by content; served only through a checked view."""

    reply = models.ForeignKey(RectificationReply, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="approvals/replies/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("整改答复附件")
        verbose_name_plural = _("整改答复附件")
        ordering = ["reply", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
    VOIDED = "voided", _("已作废")


# What an extension request's reason and an approver's comment may hold: they go into an SMS.
EXTENSION_TEXT_MAX = 500


class Extension(models.Model):
    """A reviewer's request to extend a branch's deadline (延期申请) and its approver's decision.

    The reviewer names the approver (分管领导); only that person may approve or decline, and only
    an approved request moves the branch's due date. The law allows one extension per branch.
    The requester may withdraw a request still waiting; one whose approver is no longer on duty
    for the branch is voided when a new request is made.
    """

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ExtensionStatus.choices,
        help_text=_("待审批的申请不改变到期日；批准后到期日才顺延。"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("提出人选定的负责人；只有此人能批准或不批准这份申请。"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("不批准时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        _("撤回或作废时间"),
        null=True,
        blank=True,
        help_text=_("提出人撤回申请，或因审批人已不在岗而作废申请的时间。"),
    )
    decision_comment = models.TextField(
        _("审批意见"),
        blank=True,
        help_text=_("批准时可不填；不批准时写明的理由会通知提出人；作废时记录作废的原因。"),
    )

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        constraints = [
            models.UniqueConstraint(
                fields=["branch"],
                condition=models.Q(status="pending"),
                name="approvals_one_pending_extension",
            ),
            models.UniqueConstraint(
                fields=["branch"],
                condition=models.Q(status="approved"),
                name="approvals_one_extension_per_branch",
            ),
            models.CheckConstraint(
                name="approvals_extension_decision_recorded",
                condition=(
                    models.Q(
                        status="pending",
                        approved_at__isnull=True,
                        declined_at__isnull=True,
                        withdrawn_at__isnull=True,
                    )
                    | models.Q(status="approved", approved_at__isnull=False, approved_by__isnull=False)
                    | (
                        models.Q(status="declined", declined_at__isnull=False)
                        & ~models.Q(decision_comment="")
                    )
                    | models.Q(status="withdrawn", withdrawn_at__isnull=False)
                    | (models.Q(status="voided", withdrawn_at__isnull=False) & ~models.Q(decision_comment=""))
                ),
            ),
        ]
        indexes = [
            # The approver's pending requests (approvals.selectors.extension_inbox).
            models.Index(
                fields=["approver", "requested_at"],
                condition=models.Q(status="pending"),
                name="approvals_extension_inbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} +{self.days} {self.status}"


# The years the holiday table may hold: chinese_calendar knows the schedules from 2004 on, and a
# deadline is never counted further ahead than this.
CALENDAR_FIRST_YEAR = 2004
CALENDAR_LAST_YEAR = 2100


def validate_calendar_year(value: int) -> None:
    if not CALENDAR_FIRST_YEAR <= value <= CALENDAR_LAST_YEAR:
        raise ValidationError(
            _("年份应在%(first)s年至%(last)s年之间。"),
            code="calendar_year_out_of_range",
            params={"first": CALENDAR_FIRST_YEAR, "last": CALENDAR_LAST_YEAR},
        )


def validate_calendar_date(value: date) -> None:
    if not CALENDAR_FIRST_YEAR <= value.year <= CALENDAR_LAST_YEAR:
        raise ValidationError(
            _("日期应在%(first)s年至%(last)s年之间。"),
            code="calendar_year_out_of_range",
            params={"first": CALENDAR_FIRST_YEAR, "last": CALENDAR_LAST_YEAR},
        )


class CalendarDay(models.Model):
    """An admin-entered holiday or make-up working day that extends or overrides chinese_calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True, validators=[validate_calendar_date])
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=60, blank=True, help_text=_("如“春节”“国庆节调休”。"))

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="approvals_calendarday_date_range",
                condition=models.Q(
                    date__gte=date(CALENDAR_FIRST_YEAR, 1, 1), date__lte=date(CALENDAR_LAST_YEAR, 12, 31)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class PublishedYear(models.Model):
    """A year whose official holiday schedule has been entered in full."""

    year = models.PositiveSmallIntegerField(
        _("年份"),
        unique=True,
        validators=[validate_calendar_year],
        help_text=_("先在“节假日调整”中录入这一年的全部放假日和调休上班日，再在这里标记。"),
    )
    source = models.CharField(
        _("依据"), max_length=200, help_text=_("如“国务院办公厅关于2027年部分节假日安排的通知”。")
    )

    class Meta:
        verbose_name = _("已录入年度安排")
        verbose_name_plural = _("已录入年度安排")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                name="approvals_publishedyear_year_range",
                condition=models.Q(year__gte=CALENDAR_FIRST_YEAR, year__lte=CALENDAR_LAST_YEAR),
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        # Marked published with nothing entered, the year would count New Year's Day and every other
        # holiday as working days, and no warning would say so any more.
        if (
            self.year is not None
            and CALENDAR_FIRST_YEAR <= self.year <= CALENDAR_LAST_YEAR
            and not library_has_schedule(self.year)
            and not CalendarDay.objects.filter(date__year=self.year, kind=CalendarDay.Kind.HOLIDAY).exists()
        ):
            raise ValidationError(
                {
                    "year": ValidationError(
                        _(
                            "%(year)s年还没有录入任何放假日。请先在“节假日调整”中按国务院办公厅的通知录入"
                            "%(year)s年的节假日（放假和调休上班日），再标记为已录入。"
                        ),
                        code="no_holidays_entered",
                        params={"year": self.year},
                    )
                }
            )
