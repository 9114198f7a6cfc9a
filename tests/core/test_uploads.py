"""The first gate (what the bytes are) and the clean copy of an image (no metadata,
upright, bounded in size)."""

import io

import pytest
from PIL import Image

from gongzhi.core.uploads import MAX_PIXELS, ImageRejected, clean_image, sniff_image
from tests.images import gps_exif, image_bytes


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
        (b"%PDF-1.7", None),
        (b"RIFF", None),
        (b"", None),
    ],
)
def test_the_bytes_decide(head, kind):
    assert sniff_image(head) == kind


# --- clean copies ---------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_phone_photo_comes_back_without_any_exif():
    photo = image_bytes("JPEG", size=(640, 480), exif=gps_exif())
    assert _open(photo).getexif().get_ifd(0x8825)[2] == (26.0, 35.0, 12.5)
    clean = clean_image(photo)
    for data in (clean.content, clean.thumbnail):
        image = _open(data)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"Exif" not in data and b"PhoneMaker" not in data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_exif_too(fmt):
    clean = clean_image(image_bytes(fmt, size=(64, 48), exif=gps_exif()))
    assert clean.content_type == f"image/{fmt.lower()}"
    image = _open(clean.content)
    assert (image.format, dict(image.getexif())) == (fmt, {})
    assert b"PhoneMaker" not in clean.content


def test_a_large_photo_is_stored_at_most_1600_pixels_with_a_320_thumbnail():
    clean = clean_image(image_bytes("JPEG", size=(4000, 3000), quality=70))
    assert (clean.width, clean.height) == (1600, 1200)
    assert _open(clean.content).size == (1600, 1200)
    assert _open(clean.thumbnail).size == (320, 240)
    small = clean_image(image_bytes("PNG", size=(200, 100)))
    assert _open(small.content).size == (200, 100)


def test_the_photo_is_turned_the_way_the_camera_was_held():
    # Stored landscape, EXIF says "rotate 90° clockwise to view": a portrait photo.
    clean = clean_image(image_bytes("JPEG", size=(400, 300), exif=gps_exif(orientation=6)))
    assert _open(clean.content).size == (300, 400)


def test_modes_a_browser_shows():
    png = clean_image(image_bytes("PNG", size=(10, 10), color=(0, 0, 0, 0)))
    assert _open(png.content).mode == "RGBA"
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "PNG", transparency=0)
    assert _open(clean_image(buffer.getvalue()).content).mode == "RGBA"
    buffer = io.BytesIO()
    Image.new("CMYK", (10, 10)).save(buffer, "JPEG")
    assert _open(clean_image(buffer.getvalue()).content).mode == "RGB"


def test_a_decompression_bomb_is_refused_before_decoding():
    # 10000×5000 of one colour: a tiny PNG that would unpack to 200 MB.
    buffer = io.BytesIO()
    Image.new("L", (10_000, 5_000)).save(buffer, "PNG", optimize=True)
    assert len(buffer.getvalue()) < 200_000
    assert MAX_PIXELS < 10_000 * 5_000
    with pytest.raises(ImageRejected) as exc:
        clean_image(buffer.getvalue())
    assert exc.value.reason == "too_large"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unreadable"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "unreadable"),
        (image_bytes("JPEG", size=(64, 64))[:300], "unreadable"),
        (b"GIF89a" + b"\x00" * 64, "not_image"),
    ],
)
def test_broken_or_foreign_files_are_refused(data, reason):
    with pytest.raises(ImageRejected) as exc:
        clean_image(data)
    assert exc.value.reason == reason
