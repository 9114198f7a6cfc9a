"""ID numbers and phones never reach a log line: the masking rule, and the filter as the
project's LOGGING installs it on the real loggers."""

from __future__ import annotations

import io
import logging

import pytest

from gongzhi.core.logging import MaskPersonalData, contains_personal_data, mask_personal_data

ID = "51040219800101123X"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("tel:138 1234 5678.", "tel:138****5678."),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("008613812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        (f"id={ID}", "id=510402********123X"),
        (f"id={ID.lower()}", "id=510402********123X"),
        ("510402800101123", "510402*****1123"),
        ("GET /search/?q=13812345678&x=1 HTTP/1.1", "GET /search/?q=138****5678&x=1 HTTP/1.1"),
        ("GET /api/v1/residents?q=%2B8613812345678", "GET /api/v1/residents?q=%2B138****5678"),
        ("q=138%201234%205678", "q=138****5678"),
        ("q=138+1234+5678", "q=138****5678"),
        (
            "q=%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95"
            "%EF%BC%96%EF%BC%97%EF%BC%98",
            "q=138****5678",
        ),
        (f"/residents?q={ID[:17]}%58", "/residents?q=510402********123X"),
    ],
)
def test_every_spelling_is_masked(text, masked):
    assert mask_personal_data(text) == masked
    assert contains_personal_data(text)
    assert not contains_personal_data(masked)


@pytest.mark.parametrize(
    "text",
    [
        '"GET /voices/12/ HTTP/1.1" 200 13812',
        "took 1733241234567 ms",
        "[03/Dec/2026 10:00:00] 2026-12-03",
        "尾号5678",
        "item WJ2026-000001",
        "12345678901",  # not a mobile: 12… is no carrier's prefix
        "/search/?k=Zx3_9aQb",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def _capture(logger_name: str):
    """A handler on the real logger, as configured by settings.LOGGING."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    return logger, handler, stream


@pytest.mark.parametrize("name", ["django.request", "django.server", "gunicorn.access"])
def test_the_request_loggers_carry_the_filter(name):
    assert any(isinstance(f, MaskPersonalData) for f in logging.getLogger(name).filters)


def test_the_console_handler_carries_the_filter_too():
    console = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskPersonalData) for f in h.filters)
    ]
    assert len(console) == 1


def test_the_development_server_access_line_is_masked():
    logger, handler, stream = _capture("django.server")
    try:
        logger.info('"%s" %s %s', "GET /search/?q=13812345678 HTTP/1.1", "200", "5120")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == '"GET /search/?q=138****5678 HTTP/1.1" 200 5120\n'


def test_a_gunicorn_access_line_is_masked():
    logger, handler, stream = _capture("gunicorn.access")
    atoms = {
        "h": "10.0.0.1",
        "r": f"GET /api/v1/residents?q={ID} HTTP/1.1",
        "s": "400",
        "f": "https://gz.example/search/?q=138%201234%205678",
    }
    try:
        logger.info('%(h)s "%(r)s" %(s)s "%(f)s"', atoms)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == (
        '10.0.0.1 "GET /api/v1/residents?q=510402********123X HTTP/1.1" 400 '
        '"https://gz.example/search/?q=138****5678"\n'
    )


def test_a_not_found_request_is_logged_masked(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/13812345678/")
    assert response.status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Not Found: /no-such-page/138****5678/"
    assert "13812345678" not in caplog.text


def test_a_traceback_and_a_number_argument_are_masked(caplog):
    logger = logging.getLogger("django.request")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        try:
            raise ValueError(f"bad resident {ID}")
        except ValueError:
            logger.exception("Internal Server Error: %s (%d)", "/x", 13812345678)
    [record] = caplog.records
    assert record.getMessage() == "Internal Server Error: /x (138****5678)"
    assert "510402********123X" in record.exc_text
    assert ID not in caplog.text and "13812345678" not in caplog.text


def test_a_record_the_filter_cannot_read_is_still_logged():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert MaskPersonalData().filter(record) is True
    assert record.getMessage() == "%d items"
