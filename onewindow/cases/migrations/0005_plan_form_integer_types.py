from django.db import migrations

BATCH = 500


# The form is checked while a case is a draft or out for a supplement; a submitted case can still
# be sent back for one. Later cases are only read, so their snapshots are left as they are.
STILL_EDITABLE = ("draft", "supplement", "submitted")


def _retype(apps, *, to_type, from_type, codes, statuses=None):
    """Give the form specs of each case's plan snapshot whose code is in `codes` (all when None) and
    whose type is `from_type` the type `to_type`, for cases in `statuses` (all when None); only cases
    with such a spec are written. A snapshot of another shape is left alone."""
    Case = apps.get_model("cases", "Case")
    cases = Case.objects.only("pk", "plan").order_by("pk")
    if statuses is not None:
        cases = cases.filter(status__in=statuses)
    changed = []
    for case in cases.iterator(chunk_size=BATCH):
        specs = case.plan.get("form") if isinstance(case.plan, dict) else None
        touched = False
        for spec in specs if isinstance(specs, list) else []:
            if not isinstance(spec, dict):
                continue
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
    """Cases keep a copy of their form's fields; a catalogue field now of whole numbers is one in the
    copy of every case whose form can still be changed, so drafts already open get the whole-number check."""
    Field = apps.get_model("catalog", "Field")
    codes = set(Field.objects.filter(field_type="integer").values_list("code", flat=True))
    if codes:
        _retype(apps, to_type="integer", from_type="number", codes=codes, statuses=STILL_EDITABLE)


def snapshots_back_to_number(apps, schema_editor):
    """Before this migration a plan snapshot knew no whole-number fields, only number fields: every
    case's, including those opened since."""
    _retype(apps, to_type="number", from_type="integer", codes=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_event_payload_version_supplement_submitted_at"),
        ("catalog", "0003_field_type_integer"),
    ]

    operations = [
        migrations.RunPython(snapshots_take_integer, snapshots_back_to_number),
    ]
