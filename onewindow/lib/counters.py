"""Sequence counters kept in a table row: one statement counts on and holds the row until commit."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, models, transaction

from onewindow.lib.bulk import concrete_field


def counter_next(model: type[models.Model], **key: Any) -> int:
    """Count the row identified by `key` on by one and return its new `last`, creating it at 1.

    Call inside a transaction: the row stays locked until it ends, so numbers are never given twice.
    """
    seq = _count_on(model, key)
    if seq is None:
        # The first number for this key; a concurrent first one makes the insert fail, and the
        # row it created then counts on.
        try:
            with transaction.atomic():
                model._default_manager.create(**key, last=1)
            seq = 1
        except IntegrityError:
            seq = _count_on(model, key)
    if seq is None:
        raise IntegrityError(f"{model.__name__} row for {key} could neither be counted on nor created")
    return seq


def _count_on(model: type[models.Model], key: dict[str, Any]) -> int | None:
    quote = connection.ops.quote_name
    last = quote("last")
    columns = [quote(concrete_field(model._meta.get_field(name)).column) for name in key]
    where = " AND ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {last} = {last} + 1 WHERE {where} RETURNING {last}",
            list(key.values()),
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None
