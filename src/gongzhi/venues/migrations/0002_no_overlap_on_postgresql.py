"""On PostgreSQL, no two holding bookings of one venue overlap — said by the database too.

The service checks under a lock on the venue row (all the check SQLite can have); the
exclusion constraint holds it for anything that writes around the service. It lives in SQL
rather than in ``Meta.constraints`` because SQLite has no such constraint and the models
must migrate on both. ``btree_gist`` lets the constraint compare the venue id with ``=``
beside the range's ``&&``; creating the extension needs a role that may (the superuser on
a fresh server; see docs/deployment.md)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    venue_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status IN ('requested', 'approved'));
"""
DROP = "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
