"""Users and their roles, sign-in limits and the SMS codes applicants set their password with."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("综合窗口人员")
    REVIEWER = "reviewer", _("部门审批人员")
    INSPECTOR = "inspector", _("核查人员")
    ISSUER = "issuer", _("综合审批机构")
    AGENT = "agent", _("导办客服")
    CENTRE_ADMIN = "centre_admin", _("便民服务中心管理员")
    SUPERVISOR = "supervisor", _("督查/管理")
    ADMIN = "admin", _("系统管理员")


# Roles whose work belongs to one department's queue.
DEPARTMENT_ROLES = frozenset({Role.REVIEWER, Role.INSPECTOR})
# Roles whose work belongs to one service centre (municipal centre or township hall).
CENTRE_ROLES = frozenset({Role.CLERK, Role.CENTRE_ADMIN, Role.ISSUER})


class Enterprise(models.Model):
    """A business that applies; its code is checked against GB 32100-2015."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    uscc_override_reason = models.CharField(
        _("校验码例外说明"),
        max_length=200,
        blank=True,
        help_text=_("少数早期试点代码不符合校验规则，经工作人员核实后填写原因方可登记。"),
    )
    name = models.CharField(_("企业名称"), max_length=100)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    legal_representative_id = models.CharField(_("法定代表人身份证号码"), max_length=18, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(
        _("角色"),
        max_length=20,
        choices=Role.choices,
        default=Role.APPLICANT,
        help_text=_("决定此账号能看到和办理的内容。"),
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)

    class ApplicantKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        PERSON = "person", _("个人")

    applicant_kind = models.CharField(
        _("申请人类型"), max_length=10, choices=ApplicantKind.choices, blank=True
    )
    id_number = models.CharField(
        _("身份证号码"), max_length=18, blank=True, help_text=_("个人申请人或企业经办人的居民身份证号码。")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("审批人员和核查人员只处理本部门的子件。"),
    )
    service_center = models.ForeignKey(
        "centers.ServiceCenter",
        verbose_name=_("所属服务中心"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("窗口人员只处理本中心受理队列中的办件。"),
    )
    shares_identity = models.BooleanField(
        _("与其他账号共用证件（历史数据）"),
        default=False,
        help_text=_(
            "一个统一社会信用代码或身份证号码只能有一个在用的申请人账号。此项只标记规则实施前已共用证件的账号："
            "窗口不为这类申请人代办，须先停用不属于证件持有人的账号。"
        ),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="accounts_user_role_valid",
                condition=models.Q(
                    role__in=[
                        "applicant",
                        "clerk",
                        "reviewer",
                        "inspector",
                        "issuer",
                        "agent",
                        "centre_admin",
                        "supervisor",
                        "admin",
                    ]
                ),
            ),
            # An identity belongs to one applicant account: otherwise whoever registered first with
            # a public credit code would receive the cases the window files for the enterprise.
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(role="applicant", is_active=True, shares_identity=False),
                name="accounts_user_one_account_per_enterprise",
                violation_error_message=_("该统一社会信用代码已有申请人账号。"),
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(
                    role="applicant", applicant_kind="person", is_active=True, shares_identity=False
                )
                & ~models.Q(id_number=""),
                name="accounts_user_one_account_per_id_number",
                violation_error_message=_("该身份证号码已有申请人账号。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.role in roles


class LoginThrottle(models.Model):
    """Failed sign-ins of one username from one address, of a username, or of an address; a lock stops guessing."""

    key = models.CharField(
        _("键"),
        max_length=200,
        unique=True,
        help_text=_(
            "“pair:用户名|地址”（该地址上的该用户名）、“user:用户名”（所有地址）或“ip:地址”（所有用户名）。"
        ),
    )
    failures = models.PositiveIntegerField(
        _("失败次数"), default=0, help_text=_("自计数起始以来的失败次数；超过锁定时长的失败不再计入。")
    )
    window_started_at = models.DateTimeField(
        _("计数起始"),
        default=timezone.now,
        help_text=_("本轮计数中第一次失败的时间；此后超过锁定时长再失败，重新从一计数。"),
    )
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")
        # Spent counts are found and purged by their age.
        indexes = [models.Index(fields=["updated_at"], name="accounts_throttle_updated")]

    def __str__(self) -> str:
        return self.key


# A code answers this many wrong guesses, then it is void and a new one must be requested.
PASSWORD_CODE_MAX_ATTEMPTS = 5


class PasswordCode(models.Model):
    """A one-time SMS code for setting or resetting an applicant's password.

    Every request leaves a row, whether or not the identifying details matched an account, so that
    limits and answers are the same either way. Only the newest row of a holder counts: a new code
    replaces older ones.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="password_codes",
        help_text=_("收到验证码的申请人账号；填写的信息未匹配任何账号时为空，此时不发送短信。"),
    )
    holder_key = models.CharField(
        _("申请人摘要"),
        max_length=64,
        help_text=_("申请人类型、证件号码和手机号码的HMAC摘要；发送次数和验证都按它计算，不保存明文。"),
    )
    code_hash = models.CharField(
        _("验证码摘要"),
        max_length=64,
        blank=True,
        help_text=_(
            "验证码的HMAC-SHA256摘要，以SECRET_KEY为密钥；不保存验证码明文。为空时任何验证码都不能通过。"
        ),
    )
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(
        _("输错次数"), default=0, help_text=_("输错5次后验证码作废，须重新获取。")
    )
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True, help_text=_("设置密码成功的时间。"))

    class Meta:
        verbose_name = _("密码验证码")
        verbose_name_plural = _("密码验证码")
        # The newest code of a holder, and the codes sent to it within the last hour.
        indexes = [models.Index(fields=["holder_key", "-created_at"], name="accounts_pwcode_holder_idx")]
        constraints = [
            models.CheckConstraint(
                name="accounts_pwcode_expires_after_sent",
                condition=models.Q(expires_at__gt=models.F("created_at")),
            ),
            models.CheckConstraint(
                name="accounts_pwcode_attempts_max",
                condition=models.Q(attempts__lte=PASSWORD_CODE_MAX_ATTEMPTS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or '-'} {self.created_at:%Y-%m-%d %H:%M}"
