"""Photos of an item: stored as clean copies (no EXIF, no GPS, at most 1600 pixels, with a
thumbnail), shown small on the pages, served privately cacheable and only within reach."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind
from gongzhi.voices.models import Attachment, Item
from tests.images import gps_exif, image_bytes

from .conftest import at

LIGHT = "1栋门口的路灯不亮了，晚上很黑，老人出门不安全。"


def _submit(world, *photos):
    return services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text=LIGHT,
        channel=Channel.ONLINE,
        now=at(2026, 6, 9, 9),
        photos=[SimpleUploadedFile(f"IMG_{i}.jpg", p) for i, p in enumerate(photos)],
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _url(attachment, small=False):
    return f"/voices/{attachment.item_id}/photo/{attachment.pk}/" + ("small/" if small else "")


def test_an_uploaded_phone_photo_is_stored_without_exif_and_at_most_1600_pixels(
    world, categories, login
):
    photo = image_bytes("JPEG", size=(4000, 3000), quality=70, exif=gps_exif())
    item = _submit(world, photo)
    (attachment,) = Attachment.objects.filter(item=item)
    client = login(world.users["resident"])

    full = _body(client.get(_url(attachment)))
    image = Image.open(io.BytesIO(full))
    assert (image.format, image.size) == ("JPEG", (1600, 1200))
    assert dict(image.getexif()) == {}
    assert b"Exif" not in full and b"PhoneMaker" not in full
    assert attachment.size == len(full)

    small = _body(client.get(_url(attachment, small=True)))
    thumb = Image.open(io.BytesIO(small))
    assert (thumb.size, dict(thumb.getexif())) == ((320, 240), {})
    # The original name (it may say whose door it is) is not kept either.
    assert "IMG_0" not in attachment.file.name and "IMG_0" not in attachment.thumbnail.name


@pytest.mark.parametrize("small", [False, True])
def test_photos_are_cached_privately_and_revalidated(world, categories, login, small):
    item = _submit(world, image_bytes("PNG", size=(40, 30)))
    (attachment,) = Attachment.objects.filter(item=item)
    client = login(world.users["resident"])
    response = client.get(_url(attachment, small))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=604800"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"a{attachment.pk}-{"t" if small else "f"}"'
    assert response["Last-Modified"].endswith(" GMT")
    again = client.get(_url(attachment, small), HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    assert again["Cache-Control"] == "private, max-age=604800"
    since = client.get(_url(attachment, small), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.parametrize("small", [False, True])
def test_photos_out_of_reach_are_not_found_even_with_a_matching_etag(
    world, categories, login, small
):
    item = _submit(world, image_bytes("PNG"))
    (attachment,) = Attachment.objects.filter(item=item)
    etag = f'"a{attachment.pk}-{"t" if small else "f"}"'
    for role in ["other_staff", "partner", "nobody"]:
        response = login(world.users[role]).get(_url(attachment, small), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 404, role
        assert "ETag" not in response
    # Another item's id with this photo's id: not this photo.
    other = _submit(world)
    response = login(world.users["resident"]).get(
        f"/voices/{other.pk}/photo/{attachment.pk}/small/"
    )
    assert response.status_code == 404


def test_a_photo_stored_before_thumbnails_is_served_in_full(world, categories, login):
    item = _submit(world, image_bytes("PNG", size=(40, 30)))
    (attachment,) = Attachment.objects.filter(item=item)
    Attachment.objects.filter(pk=attachment.pk).update(thumbnail="")
    response = login(world.users["resident"]).get(_url(attachment, small=True))
    assert Image.open(io.BytesIO(_body(response))).size == (40, 30)
    assert response["ETag"] == f'"a{attachment.pk}-f"'


def test_pages_show_thumbnails_that_open_the_full_photo(world, categories, login):
    item = _submit(world, image_bytes("PNG"), image_bytes("JPEG"))
    html = login(world.users["resident"]).get(f"/voices/{item.pk}/").content.decode()
    for attachment in Attachment.objects.filter(item=item).order_by("pk"):
        assert f'<a href="{_url(attachment)}"><img src="{_url(attachment, small=True)}"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "第1张照片已损坏或无法打开，请换一张。"),
        (b"<svg onload=alert(1)>", "第1张不是有效的图片（仅支持JPEG、PNG、WebP）。"),
    ],
)
def test_a_broken_photo_is_refused_with_a_chinese_message(world, categories, data, message):
    with pytest.raises(ValidationError) as exc:
        _submit(world, data)
    assert exc.value.message_dict == {"photos": [message]}
    assert Item.objects.count() == 0


def test_a_decompression_bomb_is_refused(world, categories):
    buffer = io.BytesIO()
    Image.new("L", (10_000, 5_000)).save(buffer, "PNG", optimize=True)
    with pytest.raises(ValidationError) as exc:
        _submit(world, buffer.getvalue())
    assert exc.value.message_dict == {
        "photos": ["第1张照片像素太多（超过4000万），请换一张或缩小后再上传。"]
    }


def test_serving_a_photo_costs_a_fixed_number_of_queries(world, categories, login):
    item = _submit(world, image_bytes("PNG"), image_bytes("PNG"))
    first, second = Attachment.objects.filter(item=item).order_by("pk")
    client = login(world.users["resident"])
    client.get(_url(first, small=True))
    with CaptureQueriesContext(connection) as one:
        client.get(_url(first, small=True))
    with CaptureQueriesContext(connection) as two:
        client.get(_url(second, small=True))
    assert len(one) == len(two)
