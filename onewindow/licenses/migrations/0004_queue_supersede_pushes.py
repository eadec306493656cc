from django.db import migrations

from onewindow.lib.idcheck import is_valid_uscc


def superseded_versions_pushed_invalid(apps, schema_editor):
    """Versions changed before the library was told of it are still 01 有效 there: queue for each the
    push that marks it 05 失效, as licence_change now does; `onewindow pushes retry` sends them."""
    ComprehensiveLicense = apps.get_model("licenses", "ComprehensiveLicense")
    LibraryPush = apps.get_model("licenses", "LibraryPush")
    told = LibraryPush.objects.filter(operation="supersede").values("licence_id")
    superseded = (
        ComprehensiveLicense.objects.filter(status="superseded")
        .exclude(pk__in=told)
        .select_related("superseded_by")
        .order_by("pk")
    )
    for licence in superseded:
        newer = getattr(licence, "superseded_by", None)
        LibraryPush.objects.create(
            licence=licence,
            operation="supersede",
            key=f"{licence.identifier}:supersede",
            payload={
                "identifier": licence.identifier,
                "licence_type": licence.licence_name,
                "licence_number": licence.number,
                "holder_name": licence.holder_name,
                "holder_code": licence.holder_code,
                "holder_code_type": "001" if is_valid_uscc(licence.holder_code) else "111",
                "issuer": licence.issuer,
                "issued_on": licence.issued_on.isoformat(),
                "valid_from": licence.valid_from.isoformat(),
                "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
                "version": licence.version,
                "status": "05",
                "superseded_by": newer.identifier if newer else None,
                "permits": [
                    {
                        "item": permit.item.name,
                        "number": permit.number,
                        "valid_until": permit.valid_until.isoformat() if permit.valid_until else None,
                    }
                    for permit in licence.permits.select_related("item").order_by("id")
                ],
            },
        )


def queued_supersede_pushes_dropped(apps, schema_editor):
    """Pushes not yet sent are dropped; those the library has received stay as its record."""
    LibraryPush = apps.get_model("licenses", "LibraryPush")
    LibraryPush.objects.filter(operation="supersede", status="pending").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licenses", "0003_licence_counter_supersede_push"),
    ]

    operations = [
        migrations.RunPython(superseded_versions_pushed_invalid, queued_supersede_pushes_dropped),
    ]
