"""Permits, the comprehensive licence that carries them, its pushes to the library, and delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Permit(models.Model):
    """What one approved branch yields: a permit with its number and validity."""

    branch = models.OneToOneField("approvals.Branch", on_delete=models.PROTECT, related_name="permit")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="permits")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT)
    department = models.ForeignKey("catalog.Department", verbose_name=_("发证部门"), on_delete=models.PROTECT)
    number = models.CharField(_("许可证号"), max_length=60, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效。"))
    revoked_on = models.DateField(
        _("撤销日期"),
        null=True,
        blank=True,
        help_text=_(
            "审批部门决定撤销本项许可的日期（如告知承诺事后核查认定承诺不实）；综合许可证随后由综合审批机构变更或吊销。"
        ),
    )
    revocation_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("许可")
        verbose_name_plural = _("许可")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.number}"


class PermitCounter(models.Model):
    """Yearly sequence of a department's permit numbers."""

    department = models.ForeignKey("catalog.Department", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="licenses_counter_unique")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year} {self.last}"


class LicenceCounter(models.Model):
    """Yearly sequence of the comprehensive licence numbers of one number prefix."""

    prefix = models.CharField(max_length=3, help_text=_("证照编号前缀：一业一证行业代码的前三位（大写）。"))
    year = models.PositiveSmallIntegerField(help_text=_("发证年份。"))
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="licenses_licence_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.year} {self.last}"


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUPERSEDED = "superseded", _("已变更（旧版）")
    REVOKED = "revoked", _("已吊销")
    CANCELLED = "cancelled", _("已注销")


class ComprehensiveLicense(models.Model):
    """一证准营: one licence carrying every permit of a case; each change makes a new version."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="licences")
    licence_name = models.CharField(_("证照名称"), max_length=100)
    number = models.CharField(_("证照编号"), max_length=40, help_text=_("同一证照各版本编号相同。"))
    identifier = models.CharField(
        _("电子证照标识"), max_length=120, unique=True, help_text=_("GB/T 36904 格式，含 MOD 37,36 校验位。")
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    verify_token = models.CharField(
        _("核验码"), max_length=32, unique=True, help_text=_("二维码中的随机核验码。")
    )
    holder_name = models.CharField(_("持证主体"), max_length=100)
    holder_code = models.CharField(_("统一社会信用代码"), max_length=18)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    address = models.CharField(_("经营场所"), max_length=200)
    industry = models.CharField(_("行业"), max_length=60)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    permits = models.ManyToManyField(Permit, related_name="licences", verbose_name=_("所含许可"))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("上一版本"),
    )
    change_note = models.CharField(_("变更说明"), max_length=300, blank=True)
    pdf = models.FileField(_("签章文件"), upload_to="licences/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    end_reason = models.CharField(_("吊销/注销原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("综合许可证")
        verbose_name_plural = _("综合许可证")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="licenses_number_version_unique"),
        ]
        indexes = [
            # Verification by licence number (latest version first).
            models.Index(fields=["number", "-version"], name="licenses_number_idx"),
            # Renewal reminders: valid licences by expiry.
            models.Index(fields=["status", "valid_until"], name="licenses_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_name} {self.number} v{self.version}"


class LibraryPush(models.Model):
    """A push to the provincial e-licence library, kept until the library confirms it."""

    class Operation(models.TextChoices):
        ISSUE = "issue", _("发证")
        CHANGE = "change", _("变更")
        REVOKE = "revoke", _("吊销")
        CANCEL = "cancel", _("注销")
        # After a change: the library marks the earlier version's identifier invalid (失效).
        SUPERSEDE = "supersede", _("旧版失效")

    class Status(models.TextChoices):
        PENDING = "pending", _("待推送")
        DONE = "done", _("已推送")

    licence = models.ForeignKey(ComprehensiveLicense, on_delete=models.PROTECT, related_name="pushes")
    operation = models.CharField(_("操作"), max_length=10, choices=Operation.choices)
    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    payload = models.JSONField(_("推送内容"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证照库推送")
        verbose_name_plural = _("证照库推送")
        ordering = ["created_at", "id"]
        # The retry loop: pending pushes in order.
        indexes = [models.Index(fields=["status", "created_at"], name="licenses_push_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.key}"


# A 6-digit code has a million values: five guesses at the window give a guesser no real chance.
PICKUP_CODE_MAX_FAILURES = 5


class Delivery(models.Model):
    class Method(models.TextChoices):
        PICKUP = "pickup", _("窗口领取")
        POST = "post", _("邮寄送达")

    class Status(models.TextChoices):
        WAITING = "waiting", _("待领取/待寄出")
        SHIPPED = "shipped", _("已寄出")
        DONE = "done", _("已送达")

    licence = models.OneToOneField(ComprehensiveLicense, on_delete=models.PROTECT, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=6, choices=Method.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.WAITING)
    pickup_code = models.CharField(_("取件码"), max_length=8, blank=True)
    pickup_code_failures = models.PositiveSmallIntegerField(
        _("取件码输错次数"),
        default=0,
        help_text=_(
            "窗口核对当前取件码时输错的次数；达到上限后取件码作废，申请人重新选择窗口领取可获得新码。"
        ),
    )
    recipient = models.CharField(_("收件人"), max_length=50, blank=True)
    phone = models.CharField(_("收件电话"), max_length=20, blank=True)
    address = models.CharField(_("收件地址"), max_length=200, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=30, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    handed_over_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_status_display()}"

    @property
    def pickup_code_void(self) -> bool:
        """Too many wrong codes were typed at the window: this code no longer hands the licence over."""
        return self.pickup_code_failures >= PICKUP_CODE_MAX_FAILURES
