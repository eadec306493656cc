"""The service catalogue: who approves what, under which law, with which documents and forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        TOWNSHIP = "township", _("乡镇（街道）级")
        VILLAGE = "village", _("村（社区）级")

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        help_text=_("统计用区划代码：市 6 位，乡镇 9 位，村 12 位。"),
    )
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="catalog_region_code_digits", condition=models.Q(code__regex=r"^[0-9]{6,12}$")
            ),
        ]

    def __str__(self) -> str:
        return self.name


def permit_number_format_problem(rule: str) -> str | None:
    """What makes a department's permit numbering rule unusable, in the current language, or None.

    A rule must format with the four names only, and give each permit of a year its own number.
    """
    names = {"short": "市公安局", "code": "429006-ga", "year": 2026}
    try:
        first, second = rule.format(**names, seq=1), rule.format(**names, seq=2)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return gettext(
            "许可证编号规则无法使用：花括号中只能是 {short}、{code}、{year} 或 {seq}（如 {seq:05d}），其他花括号请写成 {{ 和 }}"
        )
    if first == second:
        return gettext("许可证编号规则须含当年序号 {seq}（如 {seq:05d}），否则每份许可的编号都相同。")
    return None


class Department(models.Model):
    code = models.CharField(_("部门编码"), max_length=40, unique=True)
    name = models.CharField(_("部门全称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        help_text=_("机关的统一社会信用代码，用于证照签发。"),
    )
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    permit_number_format = models.CharField(
        _("许可证编号规则"),
        max_length=60,
        default="{short}许字〔{year}〕第{seq:05d}号",
        help_text=_("可用 {short} 部门简称、{code} 部门编码、{year} 年份、{seq:05d} 当年序号。"),
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        problem = permit_number_format_problem(self.permit_number_format)
        if problem:
            raise ValidationError({"permit_number_format": problem}, code="permit_number_format")


class Material(models.Model):
    """One distinct document, however many items ask for it."""

    code = models.SlugField(_("材料编码"), max_length=60, unique=True)
    name = models.CharField(_("材料名称"), max_length=120)
    description = models.TextField(
        _("说明"), blank=True, help_text=_("告诉申请人这份材料是什么、去哪里取得。")
    )
    government_held = models.BooleanField(
        _("政府部门已持有"),
        default=False,
        help_text=_("如营业执照、身份证：由系统从电子证照库调取，申请人无需提交。"),
    )
    shared_licence_type = models.CharField(
        _("共享证照类型"),
        max_length=60,
        blank=True,
        help_text=_("从电子证照库调取时使用的证照类型，例如“营业执照”。"),
    )
    commitment_replaceable = models.BooleanField(
        _("可由告知承诺替代"),
        default=False,
        help_text=_("实行告知承诺时，申请人签署承诺书即可免交此材料。"),
    )
    commitment_clause = models.TextField(
        _("承诺条款"),
        blank=True,
        help_text=_("以承诺替代此材料时，承诺书中对应的条款。"),
    )
    blank_form_note = models.CharField(_("样表说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    """One distinct information element, however many forms ask for it."""

    class Type(models.TextChoices):
        TEXT = "text", _("文本")
        NUMBER = "number", _("数字")
        INTEGER = "integer", _("整数")
        DATE = "date", _("日期")
        CHOICE = "choice", _("选项")
        USCC = "uscc", _("统一社会信用代码")
        ID_NUMBER = "id_number", _("身份证号码")
        PHONE = "phone", _("手机号码")
        ADDRESS = "address", _("地址")
        AREA = "area", _("面积（平方米）")

    code = models.SlugField(_("字段编码"), max_length=60, unique=True)
    label = models.CharField(_("名称"), max_length=80)
    field_type = models.CharField(
        _("类型"),
        max_length=12,
        choices=Type.choices,
        default=Type.TEXT,
        help_text=_(
            "决定填写内容怎样校验：清点个数的（间、张、人、台）选“整数”，可有小数的量（万元、米、吨）选“数字”。"
        ),
    )
    help_text_zh = models.CharField(_("填写说明"), max_length=200, blank=True)
    choices = models.JSONField(
        _("可选值"), default=list, blank=True, help_text=_('选项类字段的可选值列表，如 ["有", "无"]。')
    )
    max_length = models.PositiveIntegerField(_("最大长度"), null=True, blank=True)
    min_value = models.DecimalField(_("最小值"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("表单要素")
        verbose_name_plural = _("表单要素目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


def commitment_limit_problem(
    *, commitment_limit_days: int | None, promised_limit_days: int | None, supports_commitment: bool
) -> str | None:
    """What is wrong with an item's commitment-route limit, in the current language, or None.

    The same rule as the item's check constraints, worded for the admin and the bundle import.
    """
    if commitment_limit_days is None:
        return None
    if not supports_commitment:
        return gettext(
            "本事项不实行告知承诺，不能填写告知承诺办理时限：请清空此项，或把本事项设为可实行告知承诺。"
        )
    if promised_limit_days is not None and commitment_limit_days > promised_limit_days:
        return gettext(
            "告知承诺办理时限（%(c)d 个工作日）不能超过承诺办结时限（%(p)d 个工作日）：请改小此项，"
            "或留空按承诺办结时限办理。"
        ) % {"c": commitment_limit_days, "p": promised_limit_days}
    return None


class ServiceItem(models.Model):
    """One permit or service with its published guide (办事指南 / 实施清单)."""

    class ItemType(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        PUBLIC_SERVICE = "public_service", _("公共服务")
        FILING = "filing", _("行政备案")
        CONFIRMATION = "confirmation", _("行政确认")
        OTHER = "other", _("其他行政权力")

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡镇（街道）级")
        VILLAGE = "village", _("村（社区）级")

    class CaseType(models.TextChoices):
        IMMEDIATE = "immediate", _("即办件")
        PROMISED = "promised", _("承诺件")

    code = models.SlugField(_("事项编码"), max_length=60, unique=True, help_text=_("系统内的简短编码。"))
    basic_code = models.CharField(_("基本编码"), max_length=40, blank=True)
    implementation_code = models.CharField(
        _("实施编码"), max_length=40, blank=True, help_text=_("湖北省为 32 位数字。")
    )
    name = models.CharField(_("事项名称"), max_length=120)
    item_type = models.CharField(_("事项类型"), max_length=20, choices=ItemType.choices)
    level = models.CharField(_("行使层级"), max_length=10, choices=Level.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("实施机构"), on_delete=models.PROTECT, related_name="items"
    )
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"))
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), help_text=_("法律规定的最长办理时限，不含起始日。")
    )
    statutory_extension_days = models.PositiveSmallIntegerField(
        _("可延长（工作日）"), default=0, help_text=_("经批准可延长一次的工作日数。")
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), help_text=_("本中心对外公布的时限，不超过法定时限。")
    )
    case_type = models.CharField(_("办件类型"), max_length=10, choices=CaseType.choices)
    fee = models.CharField(_("收费标准"), max_length=200, default="不收费")
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    handling_form = models.CharField(_("办理形式"), max_length=100, default="窗口办理、网上办理")
    supports_post = models.BooleanField(_("支持物流快递"), default=True)
    site_check_required = models.BooleanField(
        _("需要现场核查"), default=False, help_text=_("需要现场核查的事项参加联合核查。")
    )
    supports_commitment = models.BooleanField(
        _("可实行告知承诺"), default=False, help_text=_("申请人承诺符合条件的，可免交部分材料。")
    )
    commitment_clause = models.TextField(
        _("承诺书条款"), blank=True, help_text=_("申请人实行告知承诺时对本事项作出的承诺。")
    )
    commitment_limit_days = models.PositiveSmallIntegerField(
        _("告知承诺办理时限（工作日）"),
        null=True,
        blank=True,
        help_text=_(
            "申请人对本事项选择告知承诺办理时，在此工作日数内作出决定，不含受理当日；0 表示当场办结，"
            "即开始办理当日作出决定。留空则按承诺办结时限办理。只有可实行告知承诺的事项才能填写，"
            "且不能超过承诺办结时限。"
        ),
    )
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    result_name = models.CharField(_("结果名称"), max_length=100)
    result_validity_years = models.PositiveSmallIntegerField(
        _("结果有效期（年）"), null=True, blank=True, help_text=_("留空表示长期有效。")
    )
    legal_remedy = models.TextField(_("法律救济"), blank=True)
    is_published = models.BooleanField(_("已发布"), default=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["department__order", "code"]
        constraints = [
            models.CheckConstraint(
                name="catalog_item_promised_within_statutory",
                condition=models.Q(promised_limit_days__lte=models.F("statutory_limit_days")),
                violation_error_message=_("承诺时限不能超过法定时限。"),
            ),
            models.CheckConstraint(
                name="catalog_item_commitment_limit_within_promised",
                condition=models.Q(commitment_limit_days__isnull=True)
                | models.Q(commitment_limit_days__lte=models.F("promised_limit_days")),
                violation_error_message=_("告知承诺办理时限不能超过承诺办结时限。"),
            ),
            models.CheckConstraint(
                name="catalog_item_commitment_limit_only_with_commitment",
                condition=models.Q(commitment_limit_days__isnull=True) | models.Q(supports_commitment=True),
                violation_error_message=_("不实行告知承诺的事项不能填写告知承诺办理时限。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = commitment_limit_problem(
            commitment_limit_days=self.commitment_limit_days,
            promised_limit_days=self.promised_limit_days,
            supports_commitment=self.supports_commitment,
        )
        if problem:
            raise ValidationError({"commitment_limit_days": problem}, code="commitment_limit_days")


class ProcessStep(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节"), max_length=60)
    actor = models.CharField(_("办理人员"), max_length=60)
    limit_days = models.PositiveSmallIntegerField(_("时限（工作日）"), default=0)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理流程")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="catalog_step_unique_order"),
        ]

    def __str__(self) -> str:
        return self.name


class ItemMaterial(models.Model):
    """What one item asks for: a catalogue material, always or only in some scenarios."""

    class Requirement(models.TextChoices):
        REQUIRED = "required", _("必须提供")
        CONDITIONAL = "conditional", _("视情形提供")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="material_requirements")
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="requirements"
    )
    requirement = models.CharField(
        _("要求"), max_length=12, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    condition_note = models.CharField(
        _("情形说明"), max_length=200, blank=True, help_text=_("视情形提供时，何种情形下需要。")
    )
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=1)
    commitment_replaceable = models.BooleanField(
        _("本事项可由承诺替代"),
        default=False,
        help_text=_("本事项实行告知承诺时，此材料可由承诺书替代。"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("事项材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "material"], name="catalog_item_material_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.material}"


class ItemField(models.Model):
    """One line of an item's original application form."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="form_fields")
    field = models.ForeignKey(
        Field, verbose_name=_("表单要素"), on_delete=models.PROTECT, related_name="uses"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    required = models.BooleanField(_("必填"), default=True)
    conditional = models.BooleanField(
        _("视情形填写"), default=False, help_text=_("只有一业一证的情形规则选中时才需要填写。")
    )

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("申请表")
        ordering = ["item", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "field"], name="catalog_item_field_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.field}"
