from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_extension_requests_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationreply",
            name="key",
            field=models.CharField(
                blank=True,
                help_text="答复页面每次打开时给出的一次性令牌；重复提交同一令牌不会再保存一份答复。",
                max_length=64,
                verbose_name="提交令牌",
            ),
        ),
        migrations.AddConstraint(
            model_name="rectificationreply",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key", ""), _negated=True),
                fields=("pause", "key"),
                name="approvals_reply_once_per_key",
            ),
        ),
    ]
