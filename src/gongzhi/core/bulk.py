"""Inserting many rows at once, for the register import and the data generators.

``QuerySet.bulk_create`` spends most of its time compiling: for 12,000 residents of 27
columns it prepares 324,000 values through the full field machinery, three times the cost
of the INSERTs themselves. ``bulk_insert`` prepares each column with one converter chosen
up front and sends the rows with ``executemany``. What it writes is what the ORM would
write (personal data sealed by the same ``EncryptedTextField``); it does not set primary
keys on the objects — callers that need them read them back by a unique column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from .fields import EncryptedTextField

BATCH = 2000


def _converter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return lambda value: field.get_prep_value(value)
    if isinstance(
        field,
        models.ForeignKey
        | models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField,
    ):
        return lambda value: value
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(
    model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = BATCH
) -> int:
    """INSERT ``objects`` (unsaved, primary keys unset) in batches; returns the row count."""
    if not objects:
        return 0
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    converters = [(field.attname, _converter(field)) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            cursor.executemany(
                sql,
                [
                    [convert(getattr(obj, attname)) for attname, convert in converters]
                    for obj in objects[start : start + batch_size]
                ],
            )
    return len(objects)
