from django.db import migrations

BATCH = 500


def snapshots_take_bundle_name(apps, schema_editor):
    """The commitment letter names the bundle as the case's plan snapshot has it, no longer as the
    bundle is called now: every case's snapshot gets the name its bundle has today, so a later rename
    no longer changes a letter being signed."""
    Case = apps.get_model("cases", "Case")
    changed = []
    cases = Case.objects.select_related("bundle").only("pk", "plan", "bundle__name").order_by("pk")
    for case in cases.iterator(chunk_size=BATCH):
        if not isinstance(case.plan, dict) or case.plan.get("bundle_name"):
            continue
        case.plan["bundle_name"] = case.bundle.name
        changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["plan"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["plan"])


def snapshots_without_bundle_name(apps, schema_editor):
    """Before this migration the letter read the bundle's current name; the snapshot had none."""
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("pk", "plan").order_by("pk").iterator(chunk_size=BATCH):
        if isinstance(case.plan, dict) and "bundle_name" in case.plan:
            del case.plan["bundle_name"]
            changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["plan"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["plan"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_plan_form_integer_types"),
        ("bundles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(snapshots_take_bundle_name, snapshots_without_bundle_name),
    ]
