from django.db import migrations

BATCH = 500


def _retype(apps, *, to_type, from_type, codes):
    """Give the form specs of every case's plan snapshot whose code is in `codes` (all when None) and
    whose type is `from_type` the type `to_type`; only cases with such a spec are written."""
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("pk", "plan").order_by("pk").iterator(chunk_size=BATCH):
        specs = case.plan.get("form") if isinstance(case.plan, dict) else None
        touched = False
        for spec in specs or []:
            if spec.get("type") == from_type and (codes is None or spec.get("code") in codes):
                spec["type"] = to_type
                touched = True
        if touched:
            changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["plan"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["plan"])


def snapshots_take_integer(apps, schema_editor):
    """Cases keep a copy of their form's fields; a catalogue field now of whole numbers is one in every
    copy too, so drafts already open get the whole-number check."""
    Field = apps.get_model("catalog", "Field")
    codes = set(Field.objects.filter(field_type="integer").values_list("code", flat=True))
    if codes:
        _retype(apps, to_type="integer", from_type="number", codes=codes)


def snapshots_back_to_number(apps, schema_editor):
    """Before this migration a plan snapshot knew no whole-number fields, only number fields."""
    _retype(apps, to_type="number", from_type="integer", codes=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_event_payload_version_supplement_submitted_at"),
        ("catalog", "0003_field_type_integer"),
    ]

    operations = [
        migrations.RunPython(snapshots_take_integer, snapshots_back_to_number),
    ]
