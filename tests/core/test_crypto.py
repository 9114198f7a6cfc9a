import pytest
from django.db import connection
from django.test import override_settings

from gongzhi.core import crypto
from gongzhi.places.models import Resident


def test_round_trip_and_fresh_nonce():
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert a != b
    assert crypto.decrypt(a) == "13812345678"


def test_tampered_value_is_refused():
    token = crypto.encrypt("510402195003040114")
    key_id, _, body = token.partition("$")
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{key_id}${flipped}")


def test_database_holds_no_plaintext(world):
    zhang = world.residents["zhangsan"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM places_resident WHERE id = %s", [zhang.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert zhang.id_number not in raw_id
    assert "13812345678" not in raw_phone
    assert raw_phone.startswith(crypto.primary_key_id() + "$")
    assert Resident.objects.get(pk=zhang.pk).phone == "13812345678"


def test_old_key_still_decrypts_after_rotation(world):
    from django.conf import settings

    old = settings.GONGZHI_FIELD_KEYS
    new_key = "k2:" + crypto.generate_field_key()
    with override_settings(GONGZHI_FIELD_KEYS=f"{new_key},{old}"):
        assert Resident.objects.get(pk=world.residents["lisi"].pk).phone == "13900001111"
        assert crypto.encrypt("x").startswith("k2$")


def test_blind_index_separates_purposes():
    assert crypto.blind_index("1234", purpose="phone") != crypto.blind_index(
        "1234", purpose="id_number"
    )
    assert crypto.blind_index("1234", purpose="phone") == crypto.blind_index(
        "1234", purpose="phone"
    )
