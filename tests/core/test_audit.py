import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from gongzhi.core import crypto
from gongzhi.core.models import AuditEvent
from gongzhi.places.models import Resident


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.filter(action="places.resident.created").first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_postgres_trigger_refuses_raw_update(world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x'")


def test_audit_never_holds_plaintext_personal_data(world):
    zhang = world.residents["zhangsan"]
    for event in AuditEvent.objects.all():
        text = str(event.changes)
        assert zhang.id_number not in text
        assert "13812345678" not in text


def test_rotate_keys_reseals_and_reindexes(world):
    from django.conf import settings

    old = settings.GONGZHI_FIELD_KEYS
    new = "k9:" + crypto.generate_field_key()
    with override_settings(
        GONGZHI_FIELD_KEYS=f"{new},{old}", GONGZHI_BLIND_INDEX_KEY="rotated-index-key"
    ):
        call_command("rotate_keys", "--reindex", stdout=io.StringIO())
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM places_resident")
            assert {row[0].split("$")[0] for row in cursor.fetchall()} == {"k9"}
        # Old key gone: everything still opens, and the new index finds people.
        with override_settings(GONGZHI_FIELD_KEYS=new):
            zhang = Resident.objects.get(
                phone_bidx=crypto.blind_index("13812345678", purpose="phone")
            )
            assert zhang.name == "张三"
    assert AuditEvent.objects.filter(action="core.keys.keys_rotated").count() == 1
