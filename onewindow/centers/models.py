"""Service centres: where windows accept cases (municipal centre, township halls)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCenter(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("市政务服务中心")
        TOWNSHIP = "township", _("乡镇（街道）便民服务中心")

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="centers"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("服务中心")
        verbose_name_plural = _("服务中心")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
