import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0004_extension_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="extension",
            name="approver",
            field=models.ForeignKey(
                help_text="提出人选定的负责人；只有此人能批准或不批准这份申请。",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审批人",
            ),
        ),
        migrations.AlterField(
            model_name="extension",
            name="requested_at",
            field=models.DateTimeField(verbose_name="申请时间"),
        ),
        migrations.AddIndex(
            model_name="extension",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["approver", "requested_at"],
                name="approvals_extension_inbox_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("branch",),
                name="approvals_one_pending_extension",
            ),
        ),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "approved")),
                fields=("branch",),
                name="approvals_one_extension_per_branch",
            ),
        ),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("approved_at__isnull", True), ("declined_at__isnull", True), ("status", "pending")),
                    models.Q(("approved_at__isnull", False), ("approved_by__isnull", False), ("status", "approved")),
                    models.Q(("declined_at__isnull", False), ("status", "declined"), models.Q(("decision_comment", ""), _negated=True)),
                    _connector="OR",
                ),
                name="approvals_extension_decision_recorded",
            ),
        ),
    ]
