"""Admin pages for bundles, with YAML export and a validated import."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from onewindow.bundles.models import Bundle, BundleItem, Dependency, Question, Rule
from onewindow.bundles.transfer import ImportFailed, _find_cycle, bundle_export, bundle_import

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    autocomplete_fields = ["item"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    autocomplete_fields = ["item", "material", "field"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Offer only this bundle's questions.
        if db_field.name == "question" and request.resolver_match:
            bundle_id = request.resolver_match.kwargs.get("object_id") or 0
            kwargs["queryset"] = Question.objects.filter(bundle_id=bundle_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DependencyFormSet(BaseInlineFormSet):
    """The bundle's prerequisites as the page will save them: a circle is refused, for its items
    would wait for each other and no case of the bundle could ever be decided."""

    def clean(self) -> None:
        super().clean()
        edges: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            item, prerequisite = data.get("item"), data.get("prerequisite")
            if data.get("DELETE") or item is None or prerequisite is None:
                continue
            edges[item.code].append(prerequisite.code)
            names.update({item.code: item.name, prerequisite.code: prerequisite.name})
        cycle = _find_cycle(edges)
        if cycle:
            raise forms.ValidationError(
                _(
                    "前置关系形成循环（箭头指向须先办结的前置事项）：%(cycle)s。这些事项将互相等待，办件永远无法审批完成，请删除其中一条前置关系。"
                )
                % {"cycle": " → ".join(f"《{names[code]}》" for code in cycle)},
                code="dependency_cycle",
            )


class DependencyInline(admin.TabularInline):
    model = Dependency
    formset = DependencyFormSet
    extra = 0
    autocomplete_fields = ["item", "prerequisite"]


class BundleImportForm(forms.Form):
    document = forms.FileField(
        label=_("主题文件（YAML）"), help_text=_("由“导出为 YAML”生成的文件，最大 2 MB。")
    )
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)

    def clean_document(self) -> str:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件超过 2 MB，请检查是否选错了文件。"))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("文件不是 UTF-8 编码的文本，请上传导出的 YAML 文件。")) from None


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "industry", "lead_department", "licence_name", "is_published", "order"]
    list_filter = ["is_published"]
    search_fields = ["code", "name", "industry"]
    autocomplete_fields = ["lead_department"]
    inlines = [BundleItemInline, QuestionInline, RuleInline, DependencyInline]
    actions = ["export_yaml"]
    change_list_template = "admin/bundles/bundle/change_list.html"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "commitment_question" and request.resolver_match:
            bundle_id = request.resolver_match.kwargs.get("object_id") or 0
            kwargs["queryset"] = Question.objects.filter(bundle_id=bundle_id, kind=Question.Kind.YES_NO)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("导出为 YAML"))
    def export_yaml(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个主题导出。"), messages.WARNING)
            return None
        bundle = queryset.get()
        response = HttpResponse(bundle_export(bundle), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{bundle.code}.yaml") or ""
        return response

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="bundles_bundle_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:bundles_bundle_changelist")
        report = None
        errors: list[str] = []
        form = BundleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            try:
                report = bundle_import(form.cleaned_data["document"], dry_run=dry_run)
            except ImportFailed as exc:
                errors = exc.report.errors
            else:
                if not dry_run:
                    self.message_user(
                        request,
                        _("主题 %(code)s 已导入。") % {"code": report.bundle_code},
                        messages.SUCCESS,
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入一业一证主题"),
            "form": form,
            "report": report,
            "errors": errors,
        }
        status = 422 if errors else 200
        return TemplateResponse(request, "admin/bundles/bundle/import.html", context, status=status)
