"""QR codes for printed notices: a stairwell notice, a meeting sign-in sheet, a public
notice in its window. A resident scans the code with a phone and lands on the page the
notice is about, so the code must hold the absolute address of that page.

One helper for every app, drawn as inline SVG: it prints sharp at any size, needs no image
file on disk and no external service, and the page that carries it stays one request.
"""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def absolute_url(request, path: str) -> str:
    """The address a phone should open: scheme and host of the request that printed the
    notice (behind the proxy, the forwarded host), then ``path``."""
    return request.build_absolute_uri(path)


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> SafeString:
    """``data`` as an inline SVG QR code (error correction M, dark on white, a quiet zone
    of four modules as scanners expect). ``title`` is read out by screen readers."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(
        scale=scale,
        dark="#000",
        light="#fff",
        border=4,
        title=title or None,
        svgclass="qr",
    )
    # segno writes only the matrix and the escaped title: nothing from the caller is
    # interpolated into markup unescaped.
    return mark_safe(svg)  # noqa: S308
