"""One application (办件): what was asked, what was handed in, and every step taken on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口帮办代办")
    KIOSK = "kiosk", _("自助终端")
    GUIDANCE = "guidance", _("云端导办")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    SUPPLEMENT = "supplement", _("待补正")
    REFUSED = "refused", _("不予受理")
    IN_APPROVAL = "in_approval", _("并联审批中")
    APPROVED = "approved", _("待发证")
    DENIED = "denied", _("不予许可")
    ISSUED = "issued", _("已发证")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Case(models.Model):
    number = models.CharField(
        _("办件编号"),
        max_length=30,
        unique=True,
        null=True,
        blank=True,
        help_text=_("提交时生成，草稿没有编号。"),
    )
    bundle = models.ForeignKey(
        "bundles.Bundle", verbose_name=_("一业一证主题"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("办件归属的申请人；帮办代办时为被代办人。"),
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", verbose_name=_("申请企业"), on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮办代办人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_cases",
    )
    service_center = models.ForeignKey(
        "centers.ServiceCenter",
        verbose_name=_("受理中心"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("办件进入该中心综合窗口的受理队列。"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    answers = models.JSONField(_("情形回答"), default=dict, blank=True)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    plan = models.JSONField(
        _("办理方案快照"),
        default=dict,
        blank=True,
        help_text=_("提交时的事项、材料和表单，之后不随目录变化。"),
    )
    holder_name = models.CharField(_("申请主体名称"), max_length=100, blank=True)
    holder_code = models.CharField(_("申请主体代码"), max_length=18, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("审批完成时间"), null=True, blank=True)
    outcome_note = models.TextField(_("结论说明"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    elapsed_workdays = models.PositiveSmallIntegerField(
        _("实际用时（工作日）"), null=True, blank=True, help_text=_("从提交到送达的工作日数，办结时记录。")
    )
    statutory_serial_days = models.PositiveSmallIntegerField(
        _("法定时限累计（工作日）"),
        null=True,
        blank=True,
        help_text=_("各事项法定时限之和，即逐个串联办理的时间。"),
    )
    # Not editable: only event_append moves the chain's end (a stale form would break the chain).
    last_event_seq = models.PositiveIntegerField(
        _("最新记录序号"), default=0, editable=False, help_text=_("用于核验：记录链末尾被删除时也能发现。")
    )
    # The chain's end, kept on the row the writer locks anyway: a new event needs no read of the last one.
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at"]
        indexes = [
            # The window's queue: submitted cases of one centre, oldest first.
            models.Index(fields=["service_center", "status", "submitted_at"], name="cases_queue_idx"),
            # "My cases" for an applicant.
            models.Index(fields=["applicant", "-created_at"], name="cases_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.number or _("草稿 #%(id)s") % {"id": self.pk}


class CaseMaterial(models.Model):
    """One document of the case's checklist, handed in once for all the items that need it."""

    class Disposition(models.TextChoices):
        UPLOAD = "upload", _("申请人提交")
        SHARED = "shared", _("部门共享调取")
        COMMITMENT = "commitment", _("告知承诺替代")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("catalog.Material", verbose_name=_("材料"), on_delete=models.PROTECT)
    disposition = models.CharField(_("提交方式"), max_length=10, choices=Disposition.choices)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    shared_reference = models.CharField(
        _("共享证照标识"), max_length=120, blank=True, help_text=_("从电子证照库调取时证照的标识。")
    )
    provided_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    needs_supplement = models.BooleanField(_("需补正"), default=False)
    supplement_reason = models.CharField(_("补正原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="cases_material_once_per_case"),
        ]

    def __str__(self) -> str:
        return str(self.material)

    @property
    def is_provided(self) -> bool:
        return self.provided_at is not None and not self.needs_supplement


class CommitmentSignature(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="commitment_signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=50)
    signed_at = models.DateTimeField(_("签署时间"))
    text = models.TextField(_("承诺书全文"))
    text_sha256 = models.CharField(_("全文 SHA-256"), max_length=64, help_text=_("签署时承诺书原文的摘要。"))

    class Meta:
        verbose_name = _("承诺书签署")
        verbose_name_plural = _("承诺书签署")

    def __str__(self) -> str:
        return f"{self.signer_name} {self.signed_at:%Y-%m-%d %H:%M}"


class Submission(models.Model):
    """One submit request; its key makes a repeated submit create nothing twice."""

    key = models.CharField(_("提交令牌"), max_length=64, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="submissions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")

    def __str__(self) -> str:
        return self.key


class SupplementRequest(models.Model):
    """补正一次告知: the complete list of what to add or correct, in one notice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("告知时间"))
    entries = models.JSONField(
        _("补正清单"), help_text=_('[{"material": 编码, "name": 名称, "reason": 原因}, …]')
    )
    note = models.TextField(_("说明"), blank=True)
    submitted_at = models.DateTimeField(
        _("所答复的提交时间"),
        help_text=_("告知所针对的那次提交的时间；办件重新提交后不变，通知书每次下载都相同。"),
    )
    resolved_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "requested_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.requested_at:%Y-%m-%d}"


class CaseCounter(models.Model):
    """Daily sequence for case numbers; a row lock keeps numbers unique under concurrency."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class CaseEvent(models.Model):
    """One step on a case. Append-only; each row's hash chains to the previous row of its case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    actor_role = models.CharField(_("角色"), max_length=20, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    before = models.CharField(_("变更前"), max_length=40, blank=True)
    after = models.CharField(_("变更后"), max_length=40, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    payload_version = models.PositiveSmallIntegerField(
        _("哈希内容版本"),
        default=2,
        help_text=_("哈希所覆盖的字段版本：1 不含操作人姓名（早期记录），2 含操作人姓名。"),
    )

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="cases_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    @property
    def actor_shown(self) -> str:
        """Who acted, as the timeline shows it: the stored (hashed) name, or "系统" in the reader's language."""
        return str(_("系统")) if self.actor_role == "system" else self.actor_name
