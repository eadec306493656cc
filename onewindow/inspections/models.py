"""Joint inspections (一次核查): one visit, one shared checklist, one rectification notice, re-inspection rounds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    IN_PROGRESS = "in_progress", _("核查中")
    FINDINGS_ISSUED = "findings_issued", _("待整改")
    RECTIFIED = "rectified", _("整改已报告")
    PASSED = "passed", _("核查通过")
    CLOSED = "closed", _("已关闭")


# While an inspection is in one of these, its branches' clocks stay stopped.
ACTIVE_INSPECTION_STATUSES = (
    InspectionStatus.SCHEDULED,
    InspectionStatus.IN_PROGRESS,
    InspectionStatus.FINDINGS_ISSUED,
    InspectionStatus.RECTIFIED,
)
# Inspectors may record results only while the visit is on.
RECORDING_STATUSES = (InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS)


class JointInspection(models.Model):
    """One joint on-site inspection of a case by every department whose item needs a site check."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="inspections"
    )
    organiser_department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="organised_inspections",
        help_text=_("组织联合核查的部门，即一业一证主题的牵头部门（旅馆业为公安局）。"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组织人"),
        on_delete=models.PROTECT,
        related_name="organised_inspections",
        help_text=_("牵头部门中安排本次核查的核查人员或审批人员。"),
    )
    round = models.PositiveSmallIntegerField(
        _("核查轮次"), default=1, help_text=_("1 为首次核查；申请人报告整改后每安排一次复查加一。")
    )
    scheduled_at = models.DateTimeField(_("核查时间"), help_text=_("本轮现场核查的约定时间。"))
    address = models.CharField(_("核查地点"), max_length=200, help_text=_("经营场所地址。"))
    status = models.CharField(
        _("状态"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.SCHEDULED
    )
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)
    ended_at = models.DateTimeField(
        _("结束时间"), null=True, blank=True, help_text=_("核查通过或关闭的时间。")
    )
    close_reason = models.TextField(_("关闭原因"), blank=True)

    class Meta:
        verbose_name = _("联合核查")
        verbose_name_plural = _("联合核查")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["scheduled", "in_progress", "findings_issued", "rectified"]),
                name="inspections_one_active_per_case",
                violation_error_message=_("该办件已有一次正在进行的联合核查。"),
            ),
            models.CheckConstraint(name="inspections_round_positive", condition=models.Q(round__gte=1)),
            models.CheckConstraint(
                name="inspections_status_valid",
                condition=models.Q(
                    status__in=[
                        "scheduled",
                        "in_progress",
                        "findings_issued",
                        "rectified",
                        "passed",
                        "closed",
                    ]
                ),
            ),
        ]
        indexes = [
            # The organiser's list: his department's inspections by status.
            models.Index(fields=["organiser_department", "status"], name="inspections_organiser_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · 联合核查（第{self.round}轮）"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_INSPECTION_STATUSES


class InspectionAssignment(models.Model):
    """One branch in the inspection, and the inspector his department sends for it.

    A department with two site-check items has two assignments with the same inspector:
    one inspector per department per inspection.
    """

    inspection = models.ForeignKey(JointInspection, on_delete=models.CASCADE, related_name="assignments")
    branch = models.ForeignKey(
        "approvals.Branch",
        verbose_name=_("子件"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("核查部门"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
        help_text=_("子件的审批部门；其核查人员填写本部门的核查项。"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人员"),
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
        help_text=_("本部门派出的核查人员；只有他能填写本部门的核查项。"),
    )
    clock_paused = models.BooleanField(
        _("由本次核查暂停计时"),
        default=False,
        help_text=_("本次核查暂停了该子件的计时（行政许可法第四十五条），核查通过或关闭时由本次核查恢复。"),
    )
    paused_workdays = models.PositiveSmallIntegerField(
        _("本次核查暂停的工作日"),
        default=0,
        help_text=_("核查和整改期间已结束的暂停段合计；已计入子件的已暂停工作日。"),
    )

    class Meta:
        verbose_name = _("核查分工")
        verbose_name_plural = _("核查分工")
        ordering = ["inspection", "department__order", "department__code", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "branch"], name="inspections_branch_once"),
        ]
        indexes = [
            # "My inspections": the inspections that have an assignment for the inspector's department.
            models.Index(fields=["department", "inspection"], name="inspections_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.branch.item}"


class ChecklistResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOTE = "note", _("仅说明")


class ChecklistEntry(models.Model):
    """One condition to check on site, with its result in one round."""

    assignment = models.ForeignKey(InspectionAssignment, on_delete=models.CASCADE, related_name="entries")
    round = models.PositiveSmallIntegerField(
        _("核查轮次"), help_text=_("复查时只把上一轮不合格的核查项复制到新一轮。")
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    condition = models.CharField(
        _("核查项"), max_length=500, help_text=_("取自事项“受理条件”的一句，按行或句号、分号拆分。")
    )
    result = models.CharField(
        _("核查结果"),
        max_length=4,
        choices=ChecklistResult.choices,
        blank=True,
        help_text=_("留空表示尚未核查；“仅说明”记录情况但不影响核查结论。"),
    )
    note = models.TextField(
        _("情况说明"), blank=True, help_text=_("不合格时写明问题和整改要求，将写入整改通知书。")
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一轮核查项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("复查时对应的上一轮不合格项。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("填写时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查项")
        verbose_name_plural = _("核查清单")
        ordering = ["assignment", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round", "order"], name="inspections_entry_order_unique"
            ),
            models.CheckConstraint(
                name="inspections_entry_result_valid",
                condition=models.Q(result__in=["", "pass", "fail", "note"]),
            ),
            models.CheckConstraint(
                name="inspections_fail_has_note",
                condition=~models.Q(result="fail", note=""),
                violation_error_message=_("不合格的核查项必须写明问题和整改要求。"),
            ),
        ]

    def __str__(self) -> str:
        return self.condition


class StoredFile(models.Model):
    """An uploaded file checked by content; served only through permission-checked views."""

    file = models.FileField(_("文件"), upload_to="inspections/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        abstract = True


class ChecklistPhoto(StoredFile):
    """A photo taken on site for one checklist entry."""

    entry = models.ForeignKey(ChecklistEntry, on_delete=models.CASCADE, related_name="photos")

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RectificationNotice(models.Model):
    """一口告知: every department's findings of one round in one notice, with one deadline."""

    inspection = models.ForeignKey(JointInspection, on_delete=models.CASCADE, related_name="notices")
    round = models.PositiveSmallIntegerField(_("核查轮次"))
    issued_at = models.DateTimeField(_("告知时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("告知人"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("整改期限"), help_text=_("按工作日计算的整改完成日期。"))
    findings = models.JSONField(
        _("不合格项"),
        help_text=_(
            '告知时的快照：[{"department": 编码, "department_name": 名称, "item": 事项名称, '
            '"condition": 核查项, "note": 问题和整改要求, "inspector": 核查人员}, …]'
        ),
    )

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["inspection", "round"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "round"], name="inspections_one_notice_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection.case} · 整改通知（第{self.round}轮）"


class RectificationReport(models.Model):
    """The applicant's report that the findings of one round are rectified, with evidence."""

    inspection = models.ForeignKey(JointInspection, on_delete=models.CASCADE, related_name="reports")
    round = models.PositiveSmallIntegerField(_("核查轮次"))
    text = models.TextField(_("整改情况"), help_text=_("申请人逐项说明如何整改。"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报告时间"))

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["inspection", "round"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "round"], name="inspections_one_report_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection.case} · 整改报告（第{self.round}轮）"


class RectificationEvidence(StoredFile):
    """A photo or scan that shows a finding was rectified."""

    report = models.ForeignKey(RectificationReport, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


# ---------------------------------------------------------------- 事后核查


class CommitmentCheckStatus(models.TextChoices):
    DUE = "due", _("待核查")
    RECTIFYING = "rectifying", _("限期整改")
    CONFIRMED = "confirmed", _("核查相符")
    REVOKED = "revoked", _("决定撤销许可")


# Findings and reasons written on a check.
CHECK_TEXT_MAX = 1000
# A check in one of these still waits for the department.
OPEN_CHECK_STATUSES = (CommitmentCheckStatus.DUE, CommitmentCheckStatus.RECTIFYING)


class CommitmentCheck(models.Model):
    """事后核查: a permit granted on the applicant's commitment (告知承诺) is checked on site afterwards.

    One per approved branch whose item the applicant chose to have handled on commitment; due a
    number of working days (COMMITMENT_CHECK_WORKDAYS) after the approval. The department finds the
    commitment kept, orders rectification by a date (then checks again), or finds it untrue and
    decides to revoke the permit (行政许可法 Art. 69), which the issuer then carries out on the
    comprehensive licence. Each result is also an event on the case's timeline.
    """

    branch = models.OneToOneField(
        "approvals.Branch", verbose_name=_("子件"), on_delete=models.PROTECT, related_name="commitment_check"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="commitment_checks"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("核查部门"),
        on_delete=models.PROTECT,
        related_name="commitment_checks",
        help_text=_("作出许可决定的部门，由它核查申请人是否履行承诺。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CommitmentCheckStatus.choices, default=CommitmentCheckStatus.DUE
    )
    due_on = models.DateField(
        _("核查期限"), help_text=_("许可决定之日起按工作日计算，应在此日期前完成现场核查。")
    )
    calendar_warning = models.CharField(_("日历提示"), max_length=500, blank=True)
    round = models.PositiveSmallIntegerField(
        _("核查次数"), default=1, help_text=_("1 为首次核查；责令整改后每复查一次加一。")
    )
    rectify_by = models.DateField(
        _("整改期限"), null=True, blank=True, help_text=_("责令限期整改时，申请人应完成整改的日期。")
    )
    findings = models.TextField(
        _("核查发现"), blank=True, help_text=_("最近一次核查发现的问题和整改要求，或撤销许可的事实和理由。")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("最近核查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("告知承诺事后核查")
        verbose_name_plural = _("告知承诺事后核查")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="inspections_commitment_check_status_valid",
                condition=models.Q(status__in=["due", "rectifying", "confirmed", "revoked"]),
            ),
            models.CheckConstraint(
                name="inspections_commitment_check_rectify_by_when_rectifying",
                condition=~models.Q(status="rectifying") | models.Q(rectify_by__isnull=False),
            ),
            models.CheckConstraint(
                name="inspections_commitment_check_round_positive", condition=models.Q(round__gte=1)
            ),
        ]
        indexes = [
            # A department's list: its open checks by due date.
            models.Index(fields=["department", "status", "due_on"], name="inspections_check_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.branch.item} · 事后核查"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHECK_STATUSES
