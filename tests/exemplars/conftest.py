"""Exemplars of 望江街社区: 张三 (grid 1, the resident login) nominates 李四 (grid 1)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.exemplars import services
from gongzhi.exemplars.enums import Category, ConsentMethod


def png(name="photo.png", exif_gps=False) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (26.0, 35.0, 0.0)}
        image.save(out, "JPEG", exif=exif)
        return SimpleUploadedFile(name.replace(".png", ".jpg"), out.getvalue(), "image/jpeg")
    image.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


@pytest.fixture
def nominate(world):
    def _nominate(**kwargs):
        args = {
            "actor": world.users["resident"],
            "category": Category.NEIGHBOUR,
            "reasons": "李四每天帮独居的张奶奶买菜，电话13812345678",
            "nominee_name": "李四",
            "nominee_hint": "1栋2单元",
        }
        args.update(kwargs)
        return services.nomination_submit(**args)

    return _nominate


@pytest.fixture
def accepted(world, nominate):
    staff = world.users["staff"]
    n = nominate()
    n = services.nomination_review(actor=staff, nomination=n, nominee=world.residents["lisi"])
    return services.nomination_accept(actor=staff, nomination=n)


@pytest.fixture
def story(world, accepted):
    return services.story_create(
        actor=world.users["staff"],
        nomination=accepted,
        title="热心肠的好邻居李四",
        text="李四坚持为楼里的独居老人买菜送药，三年如一日。",
    )


@pytest.fixture
def consented(world, story):
    services.consent_record(
        actor=world.users["staff"],
        story=story,
        method=ConsentMethod.IN_PERSON,
        given_on=dt.date(2026, 1, 5),
        note="在社区办公室当面同意",
    )
    return story


@pytest.fixture
def published(world, consented):
    return services.story_publish(actor=world.users["staff"], story=consented)


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
