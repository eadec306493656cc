"""Bundles of service items applied for together, and the questions and rules that shape them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Department, Field, Material, ServiceItem

if TYPE_CHECKING:
    from onewindow.bundles.planner import Reach


class Bundle(models.Model):
    code = models.SlugField(_("编码"), max_length=60, unique=True, help_text=_("出现在网址中，如 hotel。"))
    name = models.CharField(_("名称"), max_length=100)
    industry = models.CharField(_("行业"), max_length=60)
    summary = models.TextField(_("简介"), blank=True)
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="led_bundles",
        help_text=_("组织联合核查的部门。"),
    )
    licence_name = models.CharField(
        _("综合许可证名称"), max_length=100, help_text=_("如“旅馆业综合许可证”。")
    )
    commitment_question = models.ForeignKey(
        "Question",
        verbose_name=_("告知承诺选择题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("回答“是”时按告知承诺办理；留空表示可承诺的事项一律实行告知承诺。"),
    )
    is_published = models.BooleanField(_("已发布"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    items: models.ManyToManyField[ServiceItem, BundleItem] = models.ManyToManyField(
        ServiceItem, through="BundleItem", related_name="bundles"
    )

    class Meta:
        verbose_name = _("一业一证主题")
        verbose_name_plural = _("一业一证主题")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def most_at_once(self) -> Reach:
        """The most items and departments one business can need at once: the "最多" of the bundle's
        cards. A property because the home page lists the cards from the catalogue's selector; the
        planner works it out once per catalogue revision, so an edit in the admin shows at once."""
        # Imported here: the planner and its cache import this module.
        from onewindow.bundles.api import plan_cache
        from onewindow.bundles.planner import bundle_reach, planning_queryset

        reach: Reach = plan_cache.generation().get(
            ("most-at-once", self.pk), lambda: bundle_reach(planning_queryset().get(pk=self.pk))
        )
        return reach


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("包含事项")
        verbose_name_plural = _("包含事项")
        ordering = ["bundle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundles_item_once_per_bundle"),
        ]

    def __str__(self) -> str:
        return str(self.item)


class Question(models.Model):
    """A scenario question (情形); its answer selects items, fields and materials."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("是/否")
        CHOICE = "choice", _("单选")
        NUMBER = "number", _("数字")

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("编码"), max_length=60)
    text = models.CharField(_("问题"), max_length=200)
    help_text_zh = models.CharField(_("说明"), max_length=300, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    options = models.JSONField(
        _("选项"),
        default=list,
        blank=True,
        help_text=_('单选题的选项：[{"value": "breakfast", "label": "仅早餐"}, …]'),
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    min_value = models.DecimalField(_("最小值"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=12, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")
        ordering = ["bundle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "code"], name="bundles_question_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError(
                {
                    "min_value": ValidationError(
                        _("最小值大于最大值，任何回答都不会被接受；请改正其中一个。"),
                        code="question_min_above_max",
                    )
                }
            )

    def option_values(self) -> list[str]:
        return [str(option["value"]) for option in self.options if isinstance(option, dict)]


class Rule(models.Model):
    """Makes an item, one of its materials or one of its form fields depend on an answer.

    A target with rules applies when any one of its rules holds; a target without rules
    applies always, except catalogue entries marked conditional, which need a rule.
    """

    class Target(models.TextChoices):
        ITEM = "item", _("事项")
        MATERIAL = "material", _("材料")
        FIELD = "field", _("表单字段")

    class Operator(models.TextChoices):
        EQ = "eq", _("等于")
        NE = "ne", _("不等于")
        GT = "gt", _("大于")
        GTE = "gte", _("大于等于")
        LT = "lt", _("小于")
        LTE = "lte", _("小于等于")
        IN = "in", _("属于（逗号分隔）")

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="rules")
    target = models.CharField(_("作用对象"), max_length=10, choices=Target.choices)
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    field = models.ForeignKey(
        Field, verbose_name=_("表单要素"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="rules"
    )
    operator = models.CharField(_("条件"), max_length=4, choices=Operator.choices, default=Operator.EQ)
    value = models.CharField(_("取值"), max_length=100, help_text=_("是/否题填 yes 或 no。"))

    class Meta:
        verbose_name = _("情形规则")
        verbose_name_plural = _("情形规则")
        ordering = ["bundle", "target", "id"]
        constraints = [
            models.CheckConstraint(
                name="bundles_rule_target_matches",
                condition=(
                    models.Q(target="item", material__isnull=True, field__isnull=True)
                    | models.Q(target="material", material__isnull=False, field__isnull=True)
                    | models.Q(target="field", material__isnull=True, field__isnull=False)
                ),
                violation_error_message=_("规则的作用对象与所填的材料或字段不一致。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} {self.operator} {self.value}"

    def clean(self) -> None:
        """A value the question can be answered with, compared in a way that suits the question."""
        if self.question_id is None:
            return
        kind = self.question.kind
        value = (self.value or "").strip()
        errors: dict[str, ValidationError] = {}
        if kind == Question.Kind.YES_NO:
            if self.operator not in {self.Operator.EQ, self.Operator.NE}:
                errors["operator"] = ValidationError(
                    _("是/否问题的规则只能用“等于”或“不等于”。"), code="rule_operator_not_for_yes_no"
                )
            if value.lower() not in {"yes", "no"}:
                errors["value"] = ValidationError(
                    _("是/否问题的规则取值只能是 yes 或 no。"), code="rule_value_not_yes_no"
                )
        elif kind == Question.Kind.CHOICE:
            options = self.question.option_values()
            wanted = [v.strip() for v in value.split(",")] if self.operator == self.Operator.IN else [value]
            if self.operator not in {self.Operator.EQ, self.Operator.NE, self.Operator.IN}:
                errors["operator"] = ValidationError(
                    _("单选题的规则只能用“等于”“不等于”或“属于”。"), code="rule_operator_not_for_choice"
                )
            if any(v not in options for v in wanted):
                errors["value"] = ValidationError(
                    _("单选题的规则取值必须是它的选项：%(v)s"),
                    params={"v": ", ".join(sorted(options))},
                    code="rule_value_not_an_option",
                )
        else:
            if self.operator == self.Operator.IN:
                errors["operator"] = ValidationError(
                    _("数字题的规则不能用“属于”。"), code="rule_operator_not_for_number"
                )
            try:
                finite = Decimal(value).is_finite()
            except InvalidOperation:
                finite = False
            # NaN or Infinity would make every comparison with an answer fail or break.
            if not finite:
                errors["value"] = ValidationError(
                    _("数字题的规则取值应为数字，如 300（不能是 NaN 或 Infinity）。"),
                    code="rule_value_not_a_number",
                )
        if errors:
            raise ValidationError(errors)


class Dependency(models.Model):
    """An item that can only be decided after another item's result (前置审批)."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="dependencies")
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("后置事项"), on_delete=models.CASCADE, related_name="+"
    )
    prerequisite = models.ForeignKey(
        ServiceItem, verbose_name=_("前置事项"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("前置关系")
        verbose_name_plural = _("前置关系")
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "item", "prerequisite"], name="bundles_dependency_unique"
            ),
            models.CheckConstraint(
                name="bundles_dependency_not_self",
                condition=~models.Q(item=models.F("prerequisite")),
                violation_error_message=_("事项不能以自身为前置。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ← {self.prerequisite}"
