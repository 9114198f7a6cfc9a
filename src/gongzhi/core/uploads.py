"""What an uploaded file really is, from its first bytes, and a clean copy of an image.

A file's name and declared type are what the sender claims; the bytes are what it is
(``sniff_image``, the first gate). An image that passes is then decoded and written anew
(``clean_image``): a phone photo carries its EXIF block — the GPS position where it was
taken, often a resident's own door, the time, the phone's serial — and a full-size photo
is several megabytes for a page that shows it a few hundred pixels wide. The copy keeps
the pixels only, turned the way the camera was held, at most ``MAX_EDGE`` pixels on its
long side, plus a ``THUMB_EDGE`` thumbnail for lists and pages.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Content type → the file extension it is stored under.
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

MAX_EDGE = 1600
THUMB_EDGE = 320
# 40 million pixels is a 7300×5500 photo; a 5 MB file claiming more is a decompression
# bomb (a small PNG can unpack to gigabytes) or nothing a page needs.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
JPEG_QUALITY = 85
WEBP_QUALITY = 80


def sniff_image(head: bytes) -> str | None:
    """``image/jpeg``, ``image/png`` or ``image/webp`` from the first 12+ bytes; None for
    anything else (including SVG, which can carry script)."""
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


class ImageRejected(Exception):
    """The bytes are not an image we take. ``reason`` is ``not_image``, ``unreadable`` or
    ``too_large``; callers word the message for their form."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int
    # The same picture at most THUMB_EDGE pixels on its long side (empty when not asked).
    thumbnail: bytes = b""

    @property
    def extension(self) -> str:
        return IMAGE_EXTENSIONS[self.content_type]


def _pixels_for(image: Image.Image, kind: str) -> Image.Image:
    """Modes every browser shows: a JPEG in CMYK becomes RGB, a palette is expanded
    (before resizing) keeping its transparency."""
    if kind == "image/jpeg":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _upright(image: Image.Image) -> Image.Image:
    """A copy turned as the camera was held. A damaged EXIF block is no reason to refuse
    a photo: it is then taken as it is stored."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image.copy()


def _encode(image: Image.Image, kind: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    # Only what is named here is written: no EXIF, no XMP, no comments, no text chunks.
    # The colour profile stays, so that a wide-gamut phone photo keeps its colours.
    extra = {"icc_profile": icc} if icc else {}
    if kind == "image/jpeg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **extra)
    elif kind == "image/png":
        image.save(out, "PNG", optimize=True, **extra)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, **extra)
    return out.getvalue()


def clean_image(
    data: bytes, *, max_edge: int = MAX_EDGE, thumb_edge: int | None = THUMB_EDGE
) -> CleanImage:
    """Decode ``data`` and write it anew in its own format (JPEG, PNG or WebP): turned as
    its EXIF orientation says, every metadata block dropped, at most ``max_edge`` pixels
    on the long side; with a ``thumb_edge`` thumbnail. Raises ``ImageRejected``."""
    kind = sniff_image(data[:16])
    if kind is None:
        raise ImageRejected("not_image")
    try:
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow only warns; here that is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]]) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ImageRejected("too_large")
                icc = opened.info.get("icc_profile")
                if kind == "image/jpeg":
                    # Decode a large JPEG at 1/2, 1/4 or 1/8 scale straight away.
                    opened.draft("RGB", (max_edge, max_edge))
                opened.load()
                image = _upright(opened)
            image = _pixels_for(image, kind)
            image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
            image.info = {}
            content = _encode(image, kind, icc)
            thumbnail = b""
            if thumb_edge:
                small = image.copy()
                small.thumbnail((thumb_edge, thumb_edge), Image.Resampling.LANCZOS)
                small.info = {}
                thumbnail = _encode(small, kind, icc)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, KeyError):
        # Truncated, corrupt, or a format feature Pillow cannot read: the same answer.
        raise ImageRejected("unreadable") from None
    return CleanImage(
        content=content,
        content_type=kind,
        width=image.width,
        height=image.height,
        thumbnail=thumbnail,
    )
