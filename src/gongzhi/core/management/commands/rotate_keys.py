"""Re-seal personal data under the newest key, and optionally rebuild blind indexes.

Key rotation: put the new key first in GONGZHI_FIELD_KEYS (keep the old ones after it),
run this command, then drop the old keys. Blind-index rotation: set the new
GONGZHI_BLIND_INDEX_KEY and run with --reindex; the index is recomputed from the
decrypted values, so no plaintext is needed from anywhere else.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from gongzhi.core import audit, crypto
from gongzhi.core.fields import EncryptedTextField

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt personal data with the primary key; --reindex rebuilds blind indexes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reindex", action="store_true", help="recompute blind indexes with the current key"
        )

    def handle(self, *args, reindex: bool = False, **options):
        primary = crypto.primary_key_id()
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            indexes = getattr(model, "BLIND_INDEXES", {}) if reindex else {}
            stale_pks = self._stale_pks(model, fields, primary)
            pks = (
                list(model._default_manager.values_list("pk", flat=True))
                if indexes
                else sorted(stale_pks)
            )
            for start in range(0, len(pks), BATCH):
                chunk = pks[start : start + BATCH]
                with transaction.atomic():
                    rows = list(model._default_manager.select_for_update().filter(pk__in=chunk))
                    for row in rows:
                        for source, (target, purpose) in indexes.items():
                            value = getattr(row, source)
                            setattr(
                                row,
                                target,
                                crypto.blind_index(value, purpose=purpose) if value else "",
                            )
                    update_fields = [f.name for f in fields] + [t for t, _p in indexes.values()]
                    model._default_manager.bulk_update(rows, update_fields)
                total += len(chunk)
            self.stdout.write(f"{model._meta.label}: {len(pks)} rows re-sealed")
        audit.record(
            actor=None,
            action="core.keys.keys_rotated",
            object_type="core.keys",
            object_repr=primary,
            changes={"rows": total, "reindex": reindex},
        )
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows now sealed with key {primary}"))

    @staticmethod
    def _stale_pks(model, fields, primary: str) -> set:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        stale = set()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {cols} FROM {table}")  # noqa: S608 (identifiers quoted)
            for row in cursor.fetchall():
                if any(v and crypto.key_id_of(v) != primary for v in row[1:]):
                    stale.add(row[0])
        return stale
