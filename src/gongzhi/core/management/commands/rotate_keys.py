"""Re-seal personal data under the newest key, and optionally rebuild blind indexes.

Key rotation: put the new key first in GONGZHI_FIELD_KEYS (keep the old ones after it),
run this command, then drop the old keys. With --queue the rows are handed to the workers
in chunks and the command returns at once; drop the old keys once the queue is empty. Blind-index rotation: set the new
GONGZHI_BLIND_INDEX_KEY and run with --reindex; the index is recomputed from the
decrypted values, so no plaintext is needed from anywhere else.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from gongzhi.core import audit, crypto
from gongzhi.core.tasks import encrypted_fields, enqueue, reseal_rows, reseal_rows_task

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt personal data with the primary key; --reindex rebuilds blind indexes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reindex", action="store_true", help="recompute blind indexes with the current key"
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the work for the workers, one task per chunk of rows, and return",
        )

    def handle(self, *args, reindex: bool = False, queue: bool = False, **options):
        primary = crypto.primary_key_id()
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            indexes = getattr(model, "BLIND_INDEXES", {}) if reindex else {}
            pks = (
                list(model._default_manager.order_by("pk").values_list("pk", flat=True))
                if indexes
                else sorted(self._stale_pks(model, fields, primary))
            )
            for start in range(0, len(pks), BATCH):
                chunk = pks[start : start + BATCH]
                if queue:
                    # Each chunk is its own task: a worker lost mid-way redoes one chunk.
                    enqueue(
                        reseal_rows_task, model_label=model._meta.label, pks=chunk, reindex=reindex
                    )
                else:
                    reseal_rows(model_label=model._meta.label, pks=chunk, reindex=reindex)
                total += len(chunk)
            verb = "queued" if queue else "re-sealed"
            self.stdout.write(f"{model._meta.label}: {len(pks)} rows {verb}")
        audit.record(
            actor=None,
            action="core.keys.keys_rotated",
            object_type="core.keys",
            object_repr=primary,
            changes={"rows": total, "reindex": reindex, "queued": queue},
        )
        if queue:
            self.stdout.write(self.style.SUCCESS(f"queued: {total} rows for key {primary}"))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"done: {total} rows now sealed with key {primary}")
            )

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
