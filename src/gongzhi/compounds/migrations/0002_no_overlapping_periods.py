from django.db import migrations

# On PostgreSQL the database itself refuses two overlapping committee terms or property
# contracts for one compound (the services check first and answer in Chinese). btree_gist
# is a trusted extension: a database owner may create it. SQLite relies on the services.
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    """ALTER TABLE compounds_committeeterm ADD CONSTRAINT committee_term_no_overlap
       EXCLUDE USING gist (compound_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&);""",
    """ALTER TABLE compounds_propertycontract ADD CONSTRAINT property_contract_no_overlap
       EXCLUDE USING gist (compound_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&);""",
]
BACKWARD = [
    "ALTER TABLE compounds_committeeterm DROP CONSTRAINT IF EXISTS committee_term_no_overlap;",
    "ALTER TABLE compounds_propertycontract DROP CONSTRAINT IF EXISTS property_contract_no_overlap;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("compounds", "0001_governance_and_duty")]
    operations = [migrations.RunPython(forward, backward)]
