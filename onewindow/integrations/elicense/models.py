"""The local e-licence library: licences stored by holder code, as the provincial library does."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LibraryLicence(models.Model):
    """A licence as the library holds it (GB/T 36903 metadata)."""

    class Status(models.TextChoices):
        VALID = "01", _("有效")
        REVOKED = "03", _("吊销")
        CANCELLED = "04", _("注销")
        INVALID = "05", _("失效")
        WITHDRAWN = "07", _("撤回")

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    licence_type = models.CharField(_("证照类型"), max_length=60, help_text=_("如“营业执照”“居民身份证”。"))
    licence_number = models.CharField(_("证照编号"), max_length=60)
    holder_name = models.CharField(_("持证主体"), max_length=100)
    holder_code = models.CharField(_("持证主体代码"), max_length=18, db_index=True)
    holder_code_type = models.CharField(
        _("代码类型"), max_length=3, default="001", help_text=_("001 统一社会信用代码，111 身份证号码。")
    )
    issuer = models.CharField(_("颁发机构"), max_length=100)
    issued_on = models.DateField(_("颁证日期"))
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=2, choices=Status.choices, default=Status.VALID)
    data = models.JSONField(_("证照数据"), default=dict, blank=True)
    received_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("库中证照")
        verbose_name_plural = _("库中证照")
        ordering = ["holder_code", "licence_type"]

    def __str__(self) -> str:
        return f"{self.licence_type} {self.licence_number}"


class LibraryRequest(models.Model):
    """Every push the library accepted, by idempotency key: a retried push changes nothing twice."""

    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    operation = models.CharField(_("操作"), max_length=20)
    identifier = models.CharField(_("证照标识"), max_length=120)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("库接收记录")
        verbose_name_plural = _("库接收记录")

    def __str__(self) -> str:
        return self.key


class LibraryState(models.Model):
    """Whether the local library answers; operators switch it off to rehearse an outage."""

    online = models.BooleanField(_("在线"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证照库状态")
        verbose_name_plural = _("证照库状态")

    def __str__(self) -> str:
        return "在线" if self.online else "离线"

    @classmethod
    def is_online(cls) -> bool:
        state = cls.objects.filter(pk=1).values_list("online", flat=True).first()
        return True if state is None else bool(state)
