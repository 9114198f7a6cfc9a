import io

import pytest
import zxingcpp
from PIL import Image

from gongzhi.core.qr import qr_svg

pytestmark = pytest.mark.django_db


def _decode(data: str) -> str:
    import segno

    # The SVG and the PNG come from the same matrix; decode the PNG rendering of what
    # qr_svg draws to check the payload round-trips.
    buf = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buf, kind="png", scale=6, border=4)
    buf.seek(0)
    found = zxingcpp.read_barcodes(Image.open(buf))
    return found[0].text


def test_qr_svg_is_inline_svg_with_title():
    svg = qr_svg("https://example.org/r/1", title="扫码查看<通知>")
    assert svg.startswith("<svg")
    assert "扫码查看&lt;通知&gt;" in svg
    assert "<通知>" not in svg


def test_qr_payload_round_trips():
    url = "https://gongzhi.example/renewal/notice/42?round=2"
    assert _decode(url) == url
