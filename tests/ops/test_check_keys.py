"""``manage.py check_keys``: the stack refuses a database whose personal data was sealed
under other keys, naming the column and the key id, before any page fails on it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from gongzhi.core import crypto


def test_the_configured_keys_open_the_data(world):
    out = io.StringIO()
    call_command("check_keys", stdout=out)
    assert "抽样解密个人信息" in out.getvalue()
    assert "找到" in out.getvalue()


def test_another_machines_keys_are_named(world):
    with (
        override_settings(GONGZHI_FIELD_KEYS="k9:" + crypto.generate_field_key()),
        pytest.raises(CommandError) as exc,
    ):
        call_command("check_keys")
    assert "与本机配置的密钥不符" in str(exc.value)
    assert "places.Resident.id_number 的个人信息无法解密" in str(exc.value)


def test_same_key_id_other_key_material_is_refused(world):
    with (
        override_settings(GONGZHI_FIELD_KEYS="k1:" + crypto.generate_field_key()),
        pytest.raises(CommandError, match="places.Resident.phone 的个人信息无法解密"),
    ):
        call_command("check_keys")


def test_another_blind_index_key_is_named(world):
    with (
        override_settings(GONGZHI_BLIND_INDEX_KEY="another-index-key"),
        pytest.raises(CommandError, match="places.Resident.id_number 的索引查不到"),
    ):
        call_command("check_keys")
