# An extension becomes a request its named approver decides. Rows from before were approved on the
# spot: they stay approved, their approver is whoever approved them, requested when approved.
# The not-null columns and constraints follow in 0005: on PostgreSQL the update below leaves
# deferred foreign-key checks pending, and the table cannot be altered again in this transaction.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def existing_were_approved(apps, schema_editor):
    Extension = apps.get_model("approvals", "Extension")
    Extension.objects.update(approver_id=F("approved_by_id"), requested_at=F("approved_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0003_rectification_replies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="extension",
            name="status",
            field=models.CharField(
                choices=[("pending", "待审批"), ("approved", "已批准"), ("declined", "未批准")],
                default="approved",
                help_text="待审批的申请不改变到期日；批准后到期日才顺延。",
                max_length=8,
                verbose_name="状态",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="extension",
            name="approver",
            field=models.ForeignKey(
                help_text="提出人选定的负责人；只有此人能批准或不批准这份申请。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审批人",
            ),
        ),
        migrations.AddField(
            model_name="extension",
            name="requested_at",
            field=models.DateTimeField(null=True, verbose_name="申请时间"),
        ),
        migrations.AddField(
            model_name="extension",
            name="declined_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="不批准时间"),
        ),
        migrations.AddField(
            model_name="extension",
            name="decision_comment",
            field=models.TextField(
                blank=True,
                default="",
                help_text="批准时可不填；不批准时写明的理由会通知提出人。",
                verbose_name="审批意见",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="extension",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="批准时间"),
        ),
        migrations.AlterField(
            model_name="extension",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="批准人",
            ),
        ),
        migrations.AlterField(
            model_name="extension",
            name="requested_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="提出人",
            ),
        ),
        migrations.RunPython(existing_were_approved, migrations.RunPython.noop),
    ]
