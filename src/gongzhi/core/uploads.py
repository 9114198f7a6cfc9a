"""What an uploaded file really is, from its first bytes. A file's name and declared type
are what the sender claims; the bytes are what it is."""

from __future__ import annotations

# Content type → the file extension it is stored under.
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


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
