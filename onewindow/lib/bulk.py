"""Saving several rows' own values at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def rows_update(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save `fields` of each of `rows` (all of one model, already in the database).

    One statement sent with every row's values (`executemany`): Django's bulk_update would build a
    CASE expression per field and row, which costs far more to compile than the update costs to run.
    """
    if not rows:
        return
    model = type(rows[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [concrete_field(meta.get_field(name)) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(field.pre_save(row, add=False), connection) for field in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def concrete_field(field: object) -> models.Field[Any, Any]:
    """A field stored in a column of the model's own table."""
    if not isinstance(field, models.Field) or not field.concrete or field.column is None:
        raise ValueError(f"{field} is not stored in a column of its model's table")
    return field
